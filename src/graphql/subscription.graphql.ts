import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { connectionPaths, embeddedValue, notEmbedded, ownPaths, perSelection, RecordColumns, selectList, type Selection } from './columns.js';
import { Customer, connectionComplexity, customerColumns, loadCustomerFor, parseFilter, type CustomerRecord } from './customer.graphql.js';
import { defineLoader, groupBy, load } from './loader.js';
import { countRows, keysetPage } from './pagination.js';
import { MoneyRef, moneyOf } from './scalars.js';
import { col, jsonRowSql, jsonRowsSql, parseJsonValue } from './sql.js';

export interface SubscriptionRecord {
  id: string;
  customerId: string;
  chargebeePlanId: string | null;
  planKey: string | null;
  status: string;
  currency: string | null;
  planAmount: number | null;
  mrr: number | null;
  quantity: number | null;
  billingPeriod: number | null;
  billingPeriodUnit: string | null;
  trialStart: Date | null;
  trialEnd: Date | null;
  startedAt: Date | null;
  currentTermStart: Date | null;
  currentTermEnd: Date | null;
  cancelledAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  deleted: boolean;
  syncedAt: Date;
}

/** The column and reader of each property of a subscription record (columns.ts: reading only selected columns). */
export const subscriptionColumns = new RecordColumns<SubscriptionRecord>('Subscription', {
  id: ['id', col.str], customerId: ['customer_id', col.str], chargebeePlanId: ['chargebee_plan_id', col.strOrNull],
  planKey: ['plan_key', col.strOrNull], status: ['status', col.str], currency: ['currency', col.strOrNull],
  planAmount: ['plan_amount', col.numOrNull], mrr: ['mrr', col.numOrNull], quantity: ['quantity', col.numOrNull],
  billingPeriod: ['billing_period', col.numOrNull], billingPeriodUnit: ['billing_period_unit', col.strOrNull],
  trialStart: ['trial_start', col.dateOrNull], trialEnd: ['trial_end', col.dateOrNull], startedAt: ['started_at', col.dateOrNull],
  currentTermStart: ['current_term_start', col.dateOrNull], currentTermEnd: ['current_term_end', col.dateOrNull],
  cancelledAt: ['cancelled_at', col.dateOrNull], createdAt: ['chargebee_created_at', col.dateOrNull],
  updatedAt: ['chargebee_updated_at', col.dateOrNull], deleted: ['deleted', col.bool], syncedAt: ['synced_at', col.date],
}, ['id']);

export function mapSubscription(r: Record<string, unknown>): SubscriptionRecord {
  return subscriptionColumns.map(r);
}

const subscriptionById = defineLoader<string, SubscriptionRecord | null>({
  name: 'subscriptionById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('subscription').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.id), mapSubscription(r)]));
  },
});

const subscriptionsByCustomer = defineLoader<string, SubscriptionRecord[]>({
  name: 'subscriptionsByCustomer',
  missing: () => [],
  batch: async (customerIds, ctx) => {
    const rows = await ctx.db('subscription').select('*').whereIn('customer_id', [...customerIds])
      .where('deleted', false).orderBy('id') as Record<string, unknown>[];
    return groupBy(rows.map(mapSubscription), (s) => s.customerId);
  },
});

const subscriptionsByCustomerSelecting = perSelection((selection: Selection<SubscriptionRecord>) => defineLoader<string, SubscriptionRecord[]>({
  name: `subscriptionsByCustomer:${selection.key}`,
  missing: () => [],
  batch: async (customerIds, ctx) => {
    const rows = await ctx.db('subscription').select(selection.columns).whereIn('customer_id', [...customerIds])
      .where('deleted', false).orderBy('id') as Record<string, unknown>[];
    return groupBy(rows.map(selection.map), (s) => s.customerId);
  },
}));

export function loadSubscription(ctx: GraphQLContext, id: string): Promise<SubscriptionRecord | null> {
  return load(ctx, subscriptionById, id);
}

export const Subscription = builder.objectRef<SubscriptionRecord>('Subscription');

builder.node(Subscription, {
  id: { resolve: (s) => s.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, subscriptionById, id))),
  fields: (t) => ({
    chargebeeId: t.exposeString('id'),
    customer: t.field({
      type: Customer,
      nullable: true,
      description: 'Null when the subscription arrived before its customer',
      resolve: (s, _args, ctx, info) => {
        const embedded = embeddedValue(s, info);
        return embedded === notEmbedded ? loadCustomerFor(ctx, s.customerId, info) : embedded as CustomerRecord | null;
      },
    }),
    chargebeeCustomerId: t.exposeString('customerId'),
    chargebeePlanId: t.exposeString('chargebeePlanId', { nullable: true, description: 'PC 1.0 plan_id or PC 2.0 plan item_price_id' }),
    planKey: t.exposeString('planKey', { nullable: true, description: 'The platform plan from the plan mappings; null when unmapped' }),
    status: t.exposeString('status'),
    planAmount: t.field({ type: MoneyRef, nullable: true, resolve: (s) => moneyOf(s.planAmount, s.currency) }),
    mrr: t.field({ type: MoneyRef, nullable: true, resolve: (s) => moneyOf(s.mrr, s.currency) }),
    quantity: t.exposeInt('quantity', { nullable: true }),
    billingPeriod: t.exposeInt('billingPeriod', { nullable: true }),
    billingPeriodUnit: t.exposeString('billingPeriodUnit', { nullable: true }),
    trialStart: t.expose('trialStart', { type: 'DateTime', nullable: true }),
    trialEnd: t.expose('trialEnd', { type: 'DateTime', nullable: true }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    currentTermStart: t.expose('currentTermStart', { type: 'DateTime', nullable: true }),
    currentTermEnd: t.expose('currentTermEnd', { type: 'DateTime', nullable: true }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true }),
    deleted: t.exposeBoolean('deleted'),
    syncedAt: t.expose('syncedAt', { type: 'DateTime' }),
  }),
});

// Fields with resolvers of their own; exposed fields need no declaration (columns.ts).
subscriptionColumns.field('id', ['id']).field('customer', ['customerId']).field('planAmount', ['planAmount', 'currency']).field('mrr', ['mrr', 'currency']);

// A page of subscriptions reads each one's customer in the same statement (columns.ts, `embed`).
subscriptionColumns.embed('customer', (lookahead) => {
  const selection = customerColumns.selectionIn(lookahead);
  if (selection === null) return null;
  return {
    key: `customer(${selection.key})`,
    sql: (dialect, parent) => jsonRowSql(dialect, selection.columns.map((c) => customerColumns.jsonColumn(c, 'embedded_c', dialect)),
      `from customer embedded_c where embedded_c.id = ${parent}.customer_id`),
    decode: (raw) => {
      const values = parseJsonValue(raw) as unknown[] | null;
      return values === null ? null : selection.mapValues(values);
    },
  };
});

customerColumns.field('subscriptions', ['id']);
// A page of customers reads each one's subscriptions in the same statement, as the loader would.
customerColumns.embed('subscriptions', (lookahead) => {
  const selection = subscriptionColumns.selectionIn(lookahead);
  if (selection === null) return null;
  return {
    key: `subscriptions(${selection.key})`,
    sql: (dialect, parent) => jsonRowsSql(dialect, selection.columns.map((c) => subscriptionColumns.jsonColumn(c, 'embedded_s', dialect)),
      `from subscription embedded_s where embedded_s.customer_id = ${parent}.id and not embedded_s.deleted`, 'embedded_s.id'),
    decode: (raw) => (parseJsonValue(raw) as unknown[][]).map(selection.mapValues),
  };
});
// customerId: the loader groups the rows by it.
const customerSubscriptionsSelection = subscriptionColumns.selector(ownPaths, ['customerId']);
builder.objectField(Customer, 'subscriptions', (t) => t.field({
  type: [Subscription],
  description: 'The customer\'s subscriptions (not deleted), ordered by id',
  resolve: (c, _args, ctx, info) => {
    const embedded = embeddedValue(c, info);
    if (embedded !== notEmbedded) return embedded as SubscriptionRecord[];
    const selection = customerSubscriptionsSelection(info);
    return selection === null ? load(ctx, subscriptionsByCustomer, c.id) : load(ctx, subscriptionsByCustomerSelecting(selection), c.id);
  },
}));

const filterSchema = z.object({
  status: z.array(z.string().trim().min(1).max(50)).max(20).nullish(),
  planKey: z.string().trim().min(1).max(200).nullish(),
  chargebeePlanId: z.string().trim().min(1).max(200).nullish(),
  unmapped: z.boolean().nullish(),
  customerId: z.string().min(1).nullish(),
  partnerKey: z.string().trim().min(1).max(200).nullish(),
  includeDeleted: z.boolean().nullish(),
}).strict();
type SubscriptionFilter = z.infer<typeof filterSchema>;

const SubscriptionFilterInput = builder.inputType('SubscriptionFilter', {
  fields: (t) => ({
    status: t.stringList({ description: 'Any of these Chargebee statuses (active, in_trial, non_renewing, cancelled, …)' }),
    planKey: t.string(),
    chargebeePlanId: t.string(),
    unmapped: t.boolean({ description: 'true: only subscriptions whose plan has no mapping; false: only mapped ones' }),
    customerId: t.globalID({ for: [Customer] }),
    partnerKey: t.string({ description: 'Subscriptions of customers attributed to this partner' }),
    includeDeleted: t.boolean({ description: 'Include subscriptions deleted in Chargebee (default false)' }),
  }),
});

function filteredSubscriptions(ctx: GraphQLContext, filter: SubscriptionFilter) {
  const query = ctx.db('subscription as s');
  if (!filter.includeDeleted) void query.where('s.deleted', false);
  if (filter.status) void query.whereIn('s.status', filter.status);
  if (filter.planKey) void query.where('s.plan_key', filter.planKey);
  if (filter.chargebeePlanId) void query.where('s.chargebee_plan_id', filter.chargebeePlanId);
  if (filter.unmapped === true) void query.whereNull('s.plan_key');
  if (filter.unmapped === false) void query.whereNotNull('s.plan_key');
  if (filter.customerId) void query.where('s.customer_id', filter.customerId);
  if (filter.partnerKey) {
    const partnerKey = filter.partnerKey;
    void query.whereIn('s.customer_id', (q) => void q.select('id').from('customer').where('partner_key', partnerKey));
  }
  return query;
}

const subscriptionPageSelection = subscriptionColumns.selector(connectionPaths, [], { embed: true });
builder.queryField('subscriptions', (t) => t.connection({
  type: Subscription,
  description: 'Subscriptions ordered by Chargebee id',
  args: { filter: t.arg({ type: SubscriptionFilterInput }) },
  complexity: connectionComplexity,
  resolve: (_root, args, ctx, info) => {
    const { customerId, ...rest } = args.filter ?? {};
    const filter = parseFilter(filterSchema, { ...rest, customerId: customerId?.id });
    const selection = subscriptionPageSelection(info);
    return keysetPage(args, {
      base: () => filteredSubscriptions(ctx, filter).select(selection ? selectList(ctx.db, selection, 's', ctx.deps.sync.dialect) : 's.*'),
      map: selection ? selection.map : mapSubscription,
      key: 's.id',
      keyOf: (s) => s.id,
      keyKind: 'string',
      order: 'asc',
      count: () => countRows(filteredSubscriptions(ctx, filter)),
    });
  },
}));

builder.queryField('subscription', (t) => t.field({
  type: Subscription,
  nullable: true,
  args: { id: t.arg.globalID({ required: true, for: [Subscription] }) },
  resolve: (_root, args, ctx) => load(ctx, subscriptionById, args.id.id),
}));
