import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { Customer, CustomerFilterInput, connectionComplexity, customerColumns, customerConnection, parseCustomerFilter } from './customer.graphql.js';
import { defineLoader, groupBy, load } from './loader.js';
import { keysetPage } from './pagination.js';
import { MoneyRef, type Money } from './scalars.js';
import { activeSubscriptionStatuses, col, netAmountSql, revenueFilterSql } from './sql.js';
import { rowsOf } from '../sync/db-helpers.js';

/** A partner is not a table of its own: it is a partner key found on customers. */
export interface PartnerRecord {
  partnerKey: string;
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

function countsByKey(rows: Record<string, unknown>[]): Map<string, number> {
  return new Map(rows.map((r) => [col.str(r.partner_key), col.num(r.n)]));
}

const partnerExists = defineLoader<string, PartnerRecord | null>({
  name: 'partnerExists',
  missing: () => null,
  batch: async (keys, ctx) => {
    const rows = await ctx.db('customer').distinct('partner_key').whereIn('partner_key', [...keys]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.partner_key), { partnerKey: col.str(r.partner_key) }]));
  },
});

const customerCountByPartner = defineLoader<string, number>({
  name: 'customerCountByPartner',
  missing: () => 0,
  batch: async (keys, ctx) => countsByKey(await ctx.db('customer').select('partner_key').count({ n: '*' })
    .whereIn('partner_key', [...keys]).where('deleted', false).groupBy('partner_key') as Record<string, unknown>[]),
});

const activeSubscriptionCountByPartner = defineLoader<string, number>({
  name: 'activeSubscriptionCountByPartner',
  missing: () => 0,
  batch: async (keys, ctx) => countsByKey(rowsOf<Record<string, unknown>>(await ctx.db.raw(
    `select c.partner_key, count(*) as n from subscription s join customer c on c.id = s.customer_id`
      + ` where c.partner_key in (${placeholders(keys)}) and not c.deleted and not s.deleted`
      + ` and s.status in (${placeholders(activeSubscriptionStatuses)}) group by c.partner_key`,
    [...keys, ...activeSubscriptionStatuses],
  ))),
});

const netRevenueByPartner = defineLoader<string, Money[]>({
  name: 'netRevenueByPartner',
  missing: () => [],
  batch: async (keys, ctx) => {
    // Revenue stays with the partner even if the customer was later deleted in Chargebee: the money moved.
    const rows = rowsOf<Record<string, unknown>>(await ctx.db.raw(
      `select c.partner_key, t.currency, ${netAmountSql} as amount from billing_transaction t join customer c on c.id = t.customer_id`
        + ` where c.partner_key in (${placeholders(keys)}) and ${revenueFilterSql} group by c.partner_key, t.currency order by t.currency`,
      [...keys],
    ));
    const grouped = groupBy(rows, (r) => col.str(r.partner_key));
    return new Map([...grouped].map(([key, list]) => [key, list.map((r) => ({ amount: col.num(r.amount), currency: col.str(r.currency) }))]));
  },
});

export const Partner = builder.objectRef<PartnerRecord>('Partner');

builder.node(Partner, {
  description: 'A referral partner: every partner key attributed to at least one customer',
  id: { resolve: (p) => p.partnerKey },
  loadMany: (keys, ctx) => Promise.all(keys.map((key) => load(ctx, partnerExists, key))),
  fields: (t) => ({
    partnerKey: t.exposeString('partnerKey'),
    customerCount: t.int({
      description: 'Customers attributed to the partner (not deleted)',
      resolve: (p, _args, ctx) => load(ctx, customerCountByPartner, p.partnerKey),
    }),
    activeSubscriptionCount: t.int({
      description: `Subscriptions (not deleted) of the partner's customers whose status is ${activeSubscriptionStatuses.join(', ')}: the ones that bill or are about to`,
      resolve: (p, _args, ctx) => load(ctx, activeSubscriptionCountByPartner, p.partnerKey),
    }),
    netRevenue: t.field({
      type: [MoneyRef],
      description: 'Successful payments minus successful refunds of the partner\'s customers, per currency',
      resolve: (p, _args, ctx) => load(ctx, netRevenueByPartner, p.partnerKey),
    }),
    customers: t.connection({
      type: Customer,
      args: { filter: t.arg({ type: CustomerFilterInput, description: 'partnerKey is fixed to this partner' }) },
      complexity: connectionComplexity,
      resolve: (p, args, ctx, info) => customerConnection(ctx, args, { ...parseCustomerFilter(args.filter), partnerKey: p.partnerKey }, info),
    }),
  }),
});

customerColumns.field('partner', ['partnerKey']);
builder.objectField(Customer, 'partner', (t) => t.field({
  type: Partner,
  nullable: true,
  resolve: (c) => (c.partnerKey === null ? null : { partnerKey: c.partnerKey }),
}));

function partnerKeys(ctx: GraphQLContext) {
  return ctx.db('customer').whereNotNull('partner_key').where('deleted', false);
}

builder.queryFields((t) => ({
  partners: t.connection({
    type: Partner,
    description: 'Partner keys of non-deleted customers, ordered by key',
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => keysetPage(args, {
      base: () => partnerKeys(ctx).distinct('partner_key'),
      map: (r) => ({ partnerKey: col.str(r.partner_key) }),
      key: 'partner_key',
      keyOf: (p) => p.partnerKey,
      keyKind: 'string',
      order: 'asc',
      count: async () => {
        const rows = await partnerKeys(ctx).countDistinct({ n: 'partner_key' }) as { n: number | string }[];
        return Number(rows[0]?.n ?? 0);
      },
    }),
  }),
  partner: t.field({
    type: Partner,
    nullable: true,
    args: { partnerKey: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => load(ctx, partnerExists, args.partnerKey),
  }),
}));
