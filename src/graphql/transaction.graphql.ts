import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { Customer, connectionComplexity, customerColumns, loadCustomerFor, parseFilter } from './customer.graphql.js';
import { Subscription, loadSubscription } from './subscription.graphql.js';
import { defineLoader, groupBy, load } from './loader.js';
import { countRows, keysetPage, maxPageSize } from './pagination.js';
import { MoneyRef, type Money } from './scalars.js';
import { col, jsonRowsSql, netAmountSql, parseJsonValue, revenueFilterSql } from './sql.js';
import { embeddedValue, notEmbedded } from './columns.js';
import { rowsOf } from '../sync/db-helpers.js';
import { badUserInput } from './errors.js';

export interface TransactionRecord {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  type: string;
  status: string;
  amount: number;
  currency: string;
  baseCurrency: string | null;
  exchangeRate: number | null;
  date: Date | null;
  invoiceIds: string[];
  refundedTxnId: string | null;
  deleted: boolean;
  syncedAt: Date;
}

function mapTransaction(r: Record<string, unknown>): TransactionRecord {
  const invoices = col.json(r.invoice_ids);
  return {
    id: col.str(r.id), customerId: col.strOrNull(r.customer_id), subscriptionId: col.strOrNull(r.subscription_id),
    type: col.str(r.type), status: col.str(r.status), amount: col.num(r.amount), currency: col.str(r.currency),
    baseCurrency: col.strOrNull(r.base_currency), exchangeRate: col.numOrNull(r.exchange_rate), date: col.dateOrNull(r.date),
    invoiceIds: Array.isArray(invoices) ? invoices.map(String) : [], refundedTxnId: col.strOrNull(r.refunded_txn_id),
    deleted: col.bool(r.deleted), syncedAt: col.date(r.synced_at),
  };
}

const transactionById = defineLoader<string, TransactionRecord | null>({
  name: 'transactionById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('billing_transaction').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.id), mapTransaction(r)]));
  },
});

/** Keyed by `customerId|limit`: the latest `limit` transactions of each customer, in one window-function query. */
const recentTransactionsByCustomer = defineLoader<string, TransactionRecord[]>({
  name: 'recentTransactionsByCustomer',
  missing: () => [],
  batch: async (keys, ctx) => {
    const result = new Map<string, TransactionRecord[]>();
    // Aliases may ask for different sizes in one request: one query per distinct size.
    const byLimit = groupBy(keys, (k) => Number(k.split('|')[1]));
    for (const [limit, group] of byLimit) {
      const ranked = ctx.db('billing_transaction').select('*')
        .select(ctx.db.raw('row_number() over (partition by customer_id order by (date is null), date desc, id desc) as rank_in_customer'))
        .whereIn('customer_id', group.map((k) => k.split('|')[0] ?? '')).where('deleted', false);
      const rows = await ctx.db.select('*').from(ranked.as('r')).where('rank_in_customer', '<=', limit)
        .orderBy([{ column: 'customer_id' }, { column: 'rank_in_customer' }]) as Record<string, unknown>[];
      for (const [key, list] of groupBy(rows.map(mapTransaction), (t) => `${t.customerId ?? ''}|${limit}`)) result.set(key, list);
    }
    return result;
  },
});

/** Net revenue per currency for each customer: successful payments minus successful refunds. */
const netRevenueByCustomer = defineLoader<string, Money[]>({
  name: 'netRevenueByCustomer',
  missing: () => [],
  batch: async (customerIds, ctx) => {
    const placeholders = customerIds.map(() => '?').join(', ');
    const rows = rowsOf<Record<string, unknown>>(await ctx.db.raw(
      `select t.customer_id, t.currency, ${netAmountSql} as amount from billing_transaction t`
        + ` where t.customer_id in (${placeholders}) and ${revenueFilterSql} group by t.customer_id, t.currency order by t.currency`,
      [...customerIds],
    ));
    const grouped = groupBy(rows, (r) => col.str(r.customer_id));
    return new Map([...grouped].map(([id, list]) => [id, list.map((r) => ({ amount: col.num(r.amount), currency: col.str(r.currency) }))]));
  },
});

export const Transaction = builder.objectRef<TransactionRecord>('Transaction');

builder.node(Transaction, {
  id: { resolve: (tx) => tx.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, transactionById, id))),
  fields: (t) => ({
    chargebeeId: t.exposeString('id'),
    customer: t.field({
      type: Customer,
      nullable: true,
      resolve: (tx, _args, ctx, info) => (tx.customerId === null ? null : loadCustomerFor(ctx, tx.customerId, info)),
    }),
    subscription: t.field({
      type: Subscription,
      nullable: true,
      resolve: (tx, _args, ctx) => (tx.subscriptionId === null ? null : loadSubscription(ctx, tx.subscriptionId)),
    }),
    type: t.exposeString('type', { description: 'payment, refund, authorization or payment_reversal' }),
    status: t.exposeString('status', { description: 'success, failure, voided, in_progress, timeout or needs_attention' }),
    amount: t.field({ type: MoneyRef, resolve: (tx) => ({ amount: tx.amount, currency: tx.currency }) }),
    baseCurrency: t.exposeString('baseCurrency', { nullable: true }),
    exchangeRate: t.exposeFloat('exchangeRate', { nullable: true }),
    date: t.expose('date', { type: 'DateTime', nullable: true }),
    invoiceIds: t.exposeStringList('invoiceIds'),
    refundedTransactionId: t.exposeString('refundedTxnId', { nullable: true, description: 'For refunds: the payment refunded' }),
    deleted: t.exposeBoolean('deleted'),
    syncedAt: t.expose('syncedAt', { type: 'DateTime' }),
  }),
});

customerColumns.field('transactions', ['id']).field('netRevenue', ['id']);
// A page of customers reads each one's net revenue in the same statement, as the loader would.
customerColumns.embed('netRevenue', () => ({
  key: 'netRevenue',
  sql: (dialect, parent) => jsonRowsSql(dialect, ['r.currency', 'r.amount'],
    `from (select t.currency, ${netAmountSql} as amount from billing_transaction t where t.customer_id = ${parent}.id and ${revenueFilterSql} group by t.currency) r`,
    'r.currency'),
  decode: (raw) => (parseJsonValue(raw) as unknown[][]).map(([currency, amount]): Money => ({ amount: col.num(amount), currency: col.str(currency) })),
}));
builder.objectFields(Customer, (t) => ({
  transactions: t.field({
    type: [Transaction],
    description: 'The customer\'s latest transactions, newest first; page through all of them with Query.transactions(filter: { customerId })',
    args: { last: t.arg.int({ defaultValue: 20 }) },
    complexity: (args) => ({ field: 2, multiplier: args.last ?? 20 }),
    resolve: (c, args, ctx) => {
      const limit = args.last ?? 20;
      if (limit < 0 || limit > maxPageSize) throw badUserInput(`"last" must be between 0 and ${maxPageSize}`, { argument: 'last', max: maxPageSize });
      return load(ctx, recentTransactionsByCustomer, `${c.id}|${limit}`);
    },
  }),
  netRevenue: t.field({
    type: [MoneyRef],
    description: 'Successful payments minus successful refunds, per currency (deleted transactions excluded)',
    resolve: (c, _args, ctx, info) => {
      const embedded = embeddedValue(c, info);
      return embedded === notEmbedded ? load(ctx, netRevenueByCustomer, c.id) : embedded as Money[];
    },
  }),
}));

const filterSchema = z.object({
  type: z.array(z.string().trim().min(1).max(50)).max(10).nullish(),
  status: z.array(z.string().trim().min(1).max(50)).max(10).nullish(),
  customerId: z.string().min(1).nullish(),
  partnerKey: z.string().trim().min(1).max(200).nullish(),
  from: z.date().nullish(),
  to: z.date().nullish(),
  includeDeleted: z.boolean().nullish(),
}).strict().refine((f) => !f.from || !f.to || f.from <= f.to, { message: '"from" must not be after "to"', path: ['to'] });
type TransactionFilter = z.infer<typeof filterSchema>;

const TransactionFilterInput = builder.inputType('TransactionFilter', {
  fields: (t) => ({
    type: t.stringList({ description: 'Any of these types (payment, refund, …)' }),
    status: t.stringList({ description: 'Any of these statuses (success, failure, …)' }),
    customerId: t.globalID({ for: [Customer] }),
    partnerKey: t.string({ description: 'Transactions of customers attributed to this partner' }),
    from: t.field({ type: 'DateTime', description: 'Transaction date at or after' }),
    to: t.field({ type: 'DateTime', description: 'Transaction date before' }),
    includeDeleted: t.boolean({ description: 'Include deleted transactions (default false)' }),
  }),
});

function filteredTransactions(ctx: GraphQLContext, filter: TransactionFilter) {
  const query = ctx.db('billing_transaction as t');
  if (!filter.includeDeleted) void query.where('t.deleted', false);
  if (filter.type) void query.whereIn('t.type', filter.type);
  if (filter.status) void query.whereIn('t.status', filter.status);
  if (filter.customerId) void query.where('t.customer_id', filter.customerId);
  if (filter.partnerKey) {
    const partnerKey = filter.partnerKey;
    void query.whereIn('t.customer_id', (q) => void q.select('id').from('customer').where('partner_key', partnerKey));
  }
  if (filter.from) void query.where('t.date', '>=', filter.from);
  if (filter.to) void query.where('t.date', '<', filter.to);
  return query;
}

builder.queryFields((t) => ({
  transactions: t.connection({
    type: Transaction,
    description: 'Transactions ordered by Chargebee id',
    args: { filter: t.arg({ type: TransactionFilterInput }) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => {
      const { customerId, ...rest } = args.filter ?? {};
      const filter = parseFilter(filterSchema, { ...rest, customerId: customerId?.id });
      return keysetPage(args, {
        base: () => filteredTransactions(ctx, filter).select('t.*'),
        map: mapTransaction,
        key: 't.id',
        keyOf: (tx) => tx.id,
        keyKind: 'string',
        order: 'asc',
        count: () => countRows(filteredTransactions(ctx, filter)),
      });
    },
  }),
  transaction: t.field({
    type: Transaction,
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: [Transaction] }) },
    resolve: (_root, args, ctx) => load(ctx, transactionById, args.id.id),
  }),
}));
