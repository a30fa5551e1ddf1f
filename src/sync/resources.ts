import { z } from 'zod';
import { cleanJson } from './clean-json.js';
import {
  customerSchema, subscriptionSchema, transactionSchema,
  type ChargebeeCustomer, type ChargebeeSubscription, type ChargebeeTransaction, type EventEnvelope,
} from './chargebee-schema.js';

/** A resource we cannot interpret: a lasting problem, so the event is stored as failed for a later replay. */
export class UnprocessableResourceError extends Error {
  override name = 'UnprocessableResourceError';
}

export interface Tombstonable<T> {
  data: T;
  /** Chargebee deleted it: the row is kept with deleted = true. */
  deleted: boolean;
  /** The event that carried it, when it came in one (for the attribution history). */
  eventId?: string;
}

/** The resources one event (or one API list page) hands to the apply path, in apply order. */
export interface ResourceSet {
  customers: Tombstonable<ChargebeeCustomer>[];
  subscriptions: Tombstonable<ChargebeeSubscription>[];
  transactions: Tombstonable<ChargebeeTransaction>[];
}

export function emptyResourceSet(): ResourceSet {
  return { customers: [], subscriptions: [], transactions: [] };
}

/** Concatenates sets; the entries keep their identity, so callers can tell which of theirs took effect. */
export function mergeResourceSets(sets: readonly ResourceSet[]): ResourceSet {
  return {
    customers: sets.flatMap((s) => s.customers),
    subscriptions: sets.flatMap((s) => s.subscriptions),
    transactions: sets.flatMap((s) => s.transactions),
  };
}

export function entriesOf(set: ResourceSet): Tombstonable<unknown>[] {
  return [...set.customers, ...set.subscriptions, ...set.transactions];
}

export function resourceCount(set: ResourceSet): number {
  return set.customers.length + set.subscriptions.length + set.transactions.length;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string, clean = false): T {
  // API pages reach here without passing through the inbox: clean them the same way (see clean-json.ts).
  const result = schema.safeParse(clean ? value : cleanJson(value));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  throw new UnprocessableResourceError(`${path}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Picks the resources we keep out of an event's `content` (`clean`: the event went through cleanJson
 * already). Event types need no code of their own:
 * the resources carry their state. Only deletions are told by the event type (or `deleted: true`).
 */
export function resourcesOfEvent(event: EventEnvelope, options: { clean?: boolean } = {}): ResourceSet {
  const clean = options.clean === true;
  const { content, event_type: type } = event;
  const set = emptyResourceSet();
  if (content.customer !== undefined && content.customer !== null) {
    const data = parse(customerSchema, content.customer, 'content.customer', clean);
    set.customers.push({ data, deleted: type === 'customer_deleted' || data.deleted === true, eventId: event.id });
  }
  if (content.subscription !== undefined && content.subscription !== null) {
    const data = parse(subscriptionSchema, content.subscription, 'content.subscription', clean);
    set.subscriptions.push({ data, deleted: type === 'subscription_deleted' || data.deleted === true, eventId: event.id });
  }
  if (content.subscriptions !== undefined && content.subscriptions !== null) {
    // customer_deleted lists the customer's subscriptions, which go with it.
    const list = parse(z.array(z.unknown()), content.subscriptions, 'content.subscriptions', clean);
    list.forEach((item, i) => {
      const data = parse(subscriptionSchema, item, `content.subscriptions.${i}`, clean);
      set.subscriptions.push({ data, deleted: type === 'customer_deleted' || data.deleted === true, eventId: event.id });
    });
  }
  if (content.transaction !== undefined && content.transaction !== null) {
    const data = parse(transactionSchema, content.transaction, 'content.transaction', clean);
    set.transactions.push({ data, deleted: type === 'transaction_deleted' || data.deleted === true, eventId: event.id });
  }
  return set;
}

/** Resource kinds as the API names them, for callers holding plain API objects (the reconciler). */
export function parseCustomer(value: unknown): ChargebeeCustomer {
  return parse(customerSchema, value, 'customer');
}
export function parseSubscription(value: unknown): ChargebeeSubscription {
  return parse(subscriptionSchema, value, 'subscription');
}
export function parseTransaction(value: unknown): ChargebeeTransaction {
  return parse(transactionSchema, value, 'transaction');
}
