import type { ChargebeeCustomer, ChargebeeSubscription, ChargebeeTransaction } from './chargebee-schema.js';
import type { SyncOrigin } from '../db/entities/index.js';
import { versionOf } from './version.js';

/** Column values as written by the apply path (snake_case, as in the tables). */
export type RowValue = string | number | boolean | Date | null;
export type Row = Record<string, RowValue>;

const toDate = (unix: number | null | undefined): Date | null => (typeof unix === 'number' ? new Date(unix * 1000) : null);

export interface SyncStamp {
  at: Date;
  by: SyncOrigin;
}

/** Customer state columns; attribution columns are resolved separately (they depend on stored state). */
export function customerRow(c: ChargebeeCustomer, deleted: boolean, stamp: SyncStamp): Row {
  return {
    id: c.id,
    email: c.email ?? null,
    first_name: c.first_name ?? null,
    last_name: c.last_name ?? null,
    company: c.company ?? null,
    chargebee_created_at: toDate(c.created_at),
    chargebee_updated_at: toDate(c.updated_at),
    resource_version: versionOf(c),
    deleted,
    synced_at: stamp.at,
    synced_by: stamp.by,
  };
}

export interface PlanLine {
  planId: string | null;
  quantity: number | null;
  amount: number | null;
}

/** PC 1.0 carries plan_id; PC 2.0 the subscription item whose item_type is `plan`. */
export function planLineOf(s: ChargebeeSubscription): PlanLine {
  if (typeof s.plan_id === 'string' && s.plan_id !== '') {
    const quantity = s.plan_quantity ?? null;
    const amount = s.plan_amount ?? (s.plan_unit_price != null && quantity != null ? s.plan_unit_price * quantity : null);
    return { planId: s.plan_id, quantity, amount };
  }
  const item = s.subscription_items?.find((i) => i.item_type === 'plan');
  if (item === undefined) return { planId: null, quantity: null, amount: null };
  const quantity = item.quantity ?? null;
  const amount = item.amount ?? (item.unit_price != null && quantity != null ? item.unit_price * quantity : null);
  return { planId: item.item_price_id, quantity, amount };
}

/** Subscription columns; plan_key is filled from plan_mapping inside the SQL statement. */
export function subscriptionRow(s: ChargebeeSubscription, deleted: boolean, stamp: SyncStamp): Row {
  const plan = planLineOf(s);
  return {
    id: s.id,
    customer_id: s.customer_id,
    chargebee_plan_id: plan.planId,
    status: s.status,
    currency: s.currency_code ?? null,
    plan_amount: plan.amount,
    mrr: s.mrr ?? null,
    quantity: plan.quantity,
    billing_period: s.billing_period ?? null,
    billing_period_unit: s.billing_period_unit ?? null,
    trial_start: toDate(s.trial_start),
    trial_end: toDate(s.trial_end),
    started_at: toDate(s.started_at),
    current_term_start: toDate(s.current_term_start),
    current_term_end: toDate(s.current_term_end),
    cancelled_at: toDate(s.cancelled_at),
    chargebee_created_at: toDate(s.created_at),
    chargebee_updated_at: toDate(s.updated_at),
    resource_version: versionOf(s),
    deleted,
    synced_at: stamp.at,
    synced_by: stamp.by,
  };
}

export function transactionRow(t: ChargebeeTransaction, deleted: boolean, stamp: SyncStamp): Row {
  const invoiceIds = (t.linked_invoices ?? []).map((l) => l.invoice_id);
  return {
    id: t.id,
    customer_id: t.customer_id ?? null,
    subscription_id: t.subscription_id ?? null,
    type: t.type,
    status: t.status,
    amount: t.amount,
    currency: t.currency_code,
    base_currency: t.base_currency_code ?? null,
    exchange_rate: t.exchange_rate ?? null,
    date: toDate(t.date),
    // JSON text: PostgreSQL's driver would otherwise send a JS array as a SQL array literal.
    invoice_ids: invoiceIds.length > 0 ? JSON.stringify(invoiceIds) : null,
    refunded_txn_id: t.refunded_txn_id ?? null,
    resource_version: versionOf(t),
    deleted,
    synced_at: stamp.at,
    synced_by: stamp.by,
  };
}
