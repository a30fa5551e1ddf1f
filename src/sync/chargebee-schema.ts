import { z } from 'zod';

/**
 * Boundary schemas for what Chargebee sends. Only the fields we keep are typed. The event envelope
 * passes everything else through; a resource keeps only its typed fields (the raw payload is stored
 * in the inbox anyway): copying the rest cost more than validating what is kept, and every resource
 * of a webhook is copied once more to the writer thread.
 */
// Up to the year 9999: a larger number is not a Chargebee time and would not fit a timestamp column.
const unix = z.number().int().nonnegative().max(253_402_300_799);
const optionalUnix = unix.nullish();
const optionalString = z.string().nullish();
const optionalInt = z.number().int().nullish();
const metaData = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .nullish()
  .transform((value): Record<string, unknown> | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') return value;
    // Some integrations store meta_data as JSON text; a non-JSON string carries no keys.
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  });

export const eventEnvelopeSchema = z
  .object({
    // Chargebee's event ids are short ASCII tokens (ev_…); anything else cannot be de-duplicated reliably.
    id: z.string().min(1, 'event id is empty').max(200).regex(/^[\x21-\x7e]+$/, 'event id must be printable ASCII without spaces'),
    event_type: z.string().min(1, 'event_type is empty').max(100),
    occurred_at: unix,
    api_version: z.string().optional(),
    object: z.literal('event').optional(),
    content: z.record(z.string(), z.unknown()),
  })
  .passthrough();
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

/** Chargebee ids are at most 50 characters; the columns allow 100. */
const resourceId = z.string().min(1).max(100);

export const customerSchema = z
  .object({
    id: resourceId,
    email: optionalString,
    first_name: optionalString,
    last_name: optionalString,
    company: optionalString,
    created_at: optionalUnix,
    updated_at: optionalUnix,
    resource_version: optionalInt,
    deleted: z.boolean().nullish(),
    meta_data: metaData,
    // Custom fields of the integration guide; any type (a key is taken only from a non-empty string).
    cf_customer_id: z.unknown().optional(),
    cf_partner_key: z.unknown().optional(),
  });
export type ChargebeeCustomer = z.infer<typeof customerSchema>;

export const subscriptionItemSchema = z
  .object({
    item_price_id: z.string(),
    item_type: z.string(),
    quantity: optionalInt,
    unit_price: optionalInt,
    amount: optionalInt,
  });

export const subscriptionSchema = z
  .object({
    id: resourceId,
    customer_id: resourceId,
    status: z.string().min(1),
    plan_id: optionalString,
    plan_quantity: optionalInt,
    plan_unit_price: optionalInt,
    plan_amount: optionalInt,
    subscription_items: z.array(subscriptionItemSchema).nullish(),
    currency_code: optionalString,
    mrr: optionalInt,
    billing_period: optionalInt,
    billing_period_unit: optionalString,
    trial_start: optionalUnix,
    trial_end: optionalUnix,
    started_at: optionalUnix,
    current_term_start: optionalUnix,
    current_term_end: optionalUnix,
    cancelled_at: optionalUnix,
    created_at: optionalUnix,
    updated_at: optionalUnix,
    resource_version: optionalInt,
    deleted: z.boolean().nullish(),
  });
export type ChargebeeSubscription = z.infer<typeof subscriptionSchema>;

export const transactionSchema = z
  .object({
    id: resourceId,
    customer_id: optionalString,
    subscription_id: optionalString,
    type: z.string().min(1),
    status: z.string().min(1),
    amount: z.number().int(),
    currency_code: z.string().min(1),
    base_currency_code: optionalString,
    exchange_rate: z.number().nullish(),
    date: optionalUnix,
    updated_at: optionalUnix,
    resource_version: optionalInt,
    deleted: z.boolean().nullish(),
    refunded_txn_id: optionalString,
    linked_invoices: z.array(z.object({ invoice_id: z.string() })).nullish(),
  });
export type ChargebeeTransaction = z.infer<typeof transactionSchema>;
