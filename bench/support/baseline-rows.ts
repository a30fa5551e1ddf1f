/**
 * The rows a webhook event becomes, written as plainly as possible for the raw-SQL baseline: the
 * same tables and columns the service writes (inbox, customer, subscription, transaction).
 */
type Json = Record<string, unknown>;
export type Value = string | number | boolean | Date | null;

export const inboxColumns = ['event_id', 'event_type', 'occurred_at', 'received_at', 'origin', 'status', 'attempts', 'last_error', 'payload'];
export const customerColumns = [
  'id', 'customer_key', 'customer_key_source', 'customer_key_version', 'partner_key', 'partner_key_source', 'partner_key_version',
  'email', 'first_name', 'last_name', 'company', 'chargebee_created_at', 'chargebee_updated_at', 'resource_version', 'deleted', 'synced_at', 'synced_by',
];
export const subscriptionColumns = [
  'id', 'customer_id', 'chargebee_plan_id', 'status', 'currency', 'plan_amount', 'mrr', 'quantity', 'billing_period', 'billing_period_unit',
  'trial_start', 'trial_end', 'started_at', 'current_term_start', 'current_term_end', 'cancelled_at', 'chargebee_created_at',
  'chargebee_updated_at', 'resource_version', 'deleted', 'synced_at', 'synced_by',
];
export const transactionColumns = [
  'id', 'customer_id', 'subscription_id', 'type', 'status', 'amount', 'currency', 'base_currency', 'exchange_rate', 'date', 'invoice_ids',
  'refunded_txn_id', 'resource_version', 'deleted', 'synced_at', 'synced_by',
];

const date = (unix: unknown): Date | null => (typeof unix === 'number' ? new Date(unix * 1000) : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const scalar = (v: unknown): Value => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null);

export interface EventRows {
  inbox: Value[];
  customer: Value[] | null;
  subscription: Value[] | null;
  transaction: Value[] | null;
}

export function rowsOfEvent(body: string): EventRows {
  const event = JSON.parse(body) as Json;
  const content = event.content as Json;
  const now = new Date();
  const c = content.customer as Json | undefined;
  const s = content.subscription as Json | undefined;
  const t = content.transaction as Json | undefined;
  const planItem = ((s?.subscription_items as Json[] | undefined) ?? []).find((i) => i.item_type === 'plan');
  return {
    inbox: [scalar(event.id), scalar(event.event_type), date(event.occurred_at), now, 'webhook', 'applied', 1, null, body],
    customer: c ? [
      scalar(c.id), text(c.cf_customer_id), c.cf_customer_id ? 'custom_field' : null, c.cf_customer_id ? int(c.resource_version) : null,
      text(c.cf_partner_key), c.cf_partner_key ? 'custom_field' : null, c.cf_partner_key ? int(c.resource_version) : null,
      text(c.email), text(c.first_name), text(c.last_name), text(c.company), date(c.created_at), date(c.updated_at),
      int(c.resource_version) ?? 0, c.deleted === true, now, 'webhook',
    ] : null,
    subscription: s ? [
      scalar(s.id), scalar(s.customer_id), text(s.plan_id) ?? text(planItem?.item_price_id), scalar(s.status), text(s.currency_code),
      int(s.plan_amount) ?? int(planItem?.amount), int(s.mrr), int(s.plan_quantity) ?? int(planItem?.quantity),
      int(s.billing_period), text(s.billing_period_unit), date(s.trial_start), date(s.trial_end), date(s.started_at),
      date(s.current_term_start), date(s.current_term_end), date(s.cancelled_at), date(s.created_at), date(s.updated_at),
      int(s.resource_version) ?? 0, s.deleted === true, now, 'webhook',
    ] : null,
    transaction: t ? [
      scalar(t.id), text(t.customer_id), text(t.subscription_id), scalar(t.type), scalar(t.status), scalar(t.amount), scalar(t.currency_code), text(t.base_currency_code),
      int(t.exchange_rate), date(t.date), JSON.stringify(((t.linked_invoices as Json[] | undefined) ?? []).map((l) => l.invoice_id)),
      text(t.refunded_txn_id), int(t.resource_version) ?? 0, t.deleted === true, now, 'webhook',
    ] : null,
  };
}

/** `insert ... on conflict (id) do update ... where <stored version is older>`, with $n or ? placeholders. */
export function guardedUpsertSql(table: string, columns: string[], placeholder: (i: number) => string, extra: { column: string; sql: string } | null = null): string {
  const all = extra ? [...columns, extra.column] : columns;
  const values = [...columns.map((_, i) => placeholder(i)), ...(extra ? [extra.sql] : [])];
  const updates = all.filter((c) => c !== 'id').map((c) => `"${c}" = excluded."${c}"`).join(', ');
  return `insert into "${table}" (${all.map((c) => `"${c}"`).join(', ')}) values (${values.join(', ')})`
    + ` on conflict ("id") do update set ${updates} where "${table}".resource_version < excluded.resource_version`;
}
