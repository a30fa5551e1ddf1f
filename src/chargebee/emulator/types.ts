// Chargebee-shaped resource types used by the emulator. The index signatures
// keep objects open for cf_* custom fields and extra keys tests may add, and
// let the list filter read any top-level field generically.

export type Kind = 'customer' | 'subscription' | 'transaction' | 'plan' | 'item_price';
export const KINDS: readonly Kind[] = ['customer', 'subscription', 'transaction', 'plan', 'item_price'];

/** Plural collection name used in URLs (`/customers`, `/item_prices`). */
export const PLURAL: Record<Kind, string> = {
  customer: 'customers',
  subscription: 'subscriptions',
  transaction: 'transactions',
  plan: 'plans',
  item_price: 'item_prices',
};

export interface BaseRecord {
  id: string;
  [key: string]: unknown;
}

export interface Customer extends BaseRecord {
  object: 'customer';
  first_name?: string;
  last_name?: string;
  email?: string;
  company?: string;
  created_at: number;
  updated_at: number;
  resource_version: number;
  deleted: boolean;
  preferred_currency_code?: string;
  meta_data?: Record<string, unknown>;
}

export interface SubscriptionItem {
  item_price_id: string;
  item_type: 'plan' | 'addon' | 'charge';
  quantity: number;
  unit_price: number;
  amount: number;
  free_quantity?: number;
  object?: 'subscription_item';
}

export type SubscriptionStatus = 'future' | 'in_trial' | 'active' | 'non_renewing' | 'paused' | 'cancelled';

interface SubscriptionCore {
  object: 'subscription';
  customer_id: string;
  status: SubscriptionStatus;
  currency_code: string;
  created_at: number;
  updated_at: number;
  resource_version: number;
  deleted: boolean;
  mrr?: number;
  plan_id?: string;
  plan_quantity?: number;
  plan_unit_price?: number;
  plan_amount?: number;
  subscription_items?: SubscriptionItem[];
  billing_period?: number;
  billing_period_unit?: PeriodUnit;
  trial_start?: number;
  trial_end?: number;
  current_term_start?: number;
  current_term_end?: number;
  cancelled_at?: number;
  cancel_reason?: string;
  started_at?: number;
  activated_at?: number;
  start_date?: number;
  next_billing_at?: number;
  meta_data?: Record<string, unknown>;
}
export interface Subscription extends SubscriptionCore, BaseRecord {}

/** Items may be given partially on input; quantity/unit_price/amount are derived (catalog price, q * unit). */
export type SubscriptionItemInput = Partial<SubscriptionItem> & { item_price_id: string };
export type SubscriptionInput = Partial<Omit<SubscriptionCore, 'subscription_items'>> & {
  id?: string;
  subscription_items?: SubscriptionItemInput[];
  [key: string]: unknown;
};

export interface LinkedInvoice {
  invoice_id: string;
  applied_amount: number;
  applied_at: number;
  invoice_date: number;
  invoice_total: number;
  invoice_status: string;
}

export interface Transaction extends BaseRecord {
  object: 'transaction';
  customer_id: string;
  subscription_id?: string;
  type: 'payment' | 'refund' | 'authorization' | 'payment_reversal';
  status: 'success' | 'failure' | 'voided' | 'in_progress' | 'timeout' | 'needs_attention';
  amount: number;
  currency_code: string;
  base_currency_code: string;
  exchange_rate: number;
  date: number;
  updated_at: number;
  resource_version: number;
  deleted: boolean;
  linked_invoices: LinkedInvoice[];
  refunded_txn_id?: string;
}

export type PeriodUnit = 'day' | 'week' | 'month' | 'year';

export interface Plan extends BaseRecord {
  object: 'plan';
  name: string;
  price: number;
  period: number;
  period_unit: PeriodUnit;
  currency_code: string;
  status: 'active' | 'archived' | 'deleted';
  created_at: number;
  updated_at: number;
  resource_version: number;
}

export interface ItemPrice extends BaseRecord {
  object: 'item_price';
  item_id: string;
  name: string;
  item_type: 'plan' | 'addon' | 'charge';
  price: number;
  period?: number;
  period_unit?: PeriodUnit;
  currency_code: string;
  status: 'active' | 'archived' | 'deleted';
  created_at: number;
  updated_at: number;
  resource_version: number;
}

export interface ResourceByKind {
  customer: Customer;
  subscription: Subscription;
  transaction: Transaction;
  plan: Plan;
  item_price: ItemPrice;
}

/** Event `content`: resource name -> full current state (plural keys for arrays, like real payloads). */
export type EventContent = Record<string, unknown>;

export interface ChargebeeEvent extends BaseRecord {
  object: 'event';
  occurred_at: number;
  source: string;
  user?: string;
  api_version: 'v2';
  event_type: string;
  webhook_status: string;
  content: EventContent;
}

/** Caller-provided options for any mutation made through the control API. */
export interface MutationOptions {
  /** Override the recorded event type (e.g. 'subscription_cancelled' for an update). */
  eventType?: string;
  /** Do not record an event at all (data changed "behind the webhook's back"). */
  silent?: boolean;
  source?: string;
  user?: string;
}

export interface InputByKind {
  customer: Partial<Customer>;
  subscription: SubscriptionInput;
  transaction: Partial<Transaction>;
  plan: Partial<Plan>;
  item_price: Partial<ItemPrice>;
}
/** Input accepted by create (and update patches): every field optional; defaults are realistic. */
export type CreateInput<K extends Kind> = InputByKind[K];
export type UpdatePatch<K extends Kind> = InputByKind[K];
