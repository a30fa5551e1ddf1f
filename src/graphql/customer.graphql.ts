import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { connectionPaths, ownPaths, perSelection, RecordColumns, selectList, type Selection } from './columns.js';
import { badUserInput } from './errors.js';
import type { GraphQLResolveInfo } from './graphql-js.js';
import { defineLoader, load } from './loader.js';
import { countRows, keysetPage, type PageArgs } from './pagination.js';
import { col, whereContains } from './sql.js';

export interface CustomerRecord {
  id: string;
  customerKey: string | null;
  customerKeySource: string | null;
  partnerKey: string | null;
  partnerKeySource: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  resourceVersion: number;
  deleted: boolean;
  syncedAt: Date;
  syncedBy: string;
}

/** The column and reader of each property of a customer record (columns.ts: reading only selected columns). */
export const customerColumns = new RecordColumns<CustomerRecord>('Customer', {
  id: ['id', col.str], customerKey: ['customer_key', col.strOrNull], customerKeySource: ['customer_key_source', col.strOrNull],
  partnerKey: ['partner_key', col.strOrNull], partnerKeySource: ['partner_key_source', col.strOrNull],
  email: ['email', col.strOrNull], firstName: ['first_name', col.strOrNull], lastName: ['last_name', col.strOrNull],
  company: ['company', col.strOrNull], createdAt: ['chargebee_created_at', col.dateOrNull], updatedAt: ['chargebee_updated_at', col.dateOrNull],
  resourceVersion: ['resource_version', col.num], deleted: ['deleted', col.bool], syncedAt: ['synced_at', col.date], syncedBy: ['synced_by', col.str],
}, ['id']);

export function mapCustomer(r: Record<string, unknown>): CustomerRecord {
  return customerColumns.map(r);
}

export const customerById = defineLoader<string, CustomerRecord | null>({
  name: 'customerById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('customer').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.id), mapCustomer(r)]));
  },
});

const customerByIdSelecting = perSelection((selection: Selection<CustomerRecord>) => defineLoader<string, CustomerRecord | null>({
  name: `customerById:${selection.key}`,
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('customer').select(selection.columns).whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.id), selection.map(r)]));
  },
}));

const customerFieldSelection = customerColumns.selector(ownPaths);
/** The customer with this Chargebee id, reading only the columns the field's selection (`info`) needs. */
export function loadCustomerFor(ctx: GraphQLContext, id: string, info: GraphQLResolveInfo): Promise<CustomerRecord | null> {
  const selection = customerFieldSelection(info);
  return selection === null ? load(ctx, customerById, id) : load(ctx, customerByIdSelecting(selection), id);
}

export const Customer = builder.objectRef<CustomerRecord>('Customer');

builder.node(Customer, {
  description: 'A Chargebee customer as last synced, with the attribution this service resolved for it',
  id: { resolve: (c) => c.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, customerById, id))),
  fields: (t) => ({
    chargebeeId: t.exposeString('id', { description: 'The Chargebee customer id' }),
    customerKey: t.exposeString('customerKey', { nullable: true, description: 'The platform\'s own id for this customer' }),
    customerKeySource: t.exposeString('customerKeySource', { nullable: true }),
    partnerKey: t.exposeString('partnerKey', { nullable: true }),
    partnerKeySource: t.exposeString('partnerKeySource', { nullable: true, description: 'cf_partner_key, meta_data.partner_key or signup' }),
    email: t.exposeString('email', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    company: t.exposeString('company', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'created_at in Chargebee' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'updated_at in Chargebee' }),
    deleted: t.exposeBoolean('deleted'),
    syncedAt: t.expose('syncedAt', { type: 'DateTime' }),
    syncedBy: t.exposeString('syncedBy', { description: 'webhook, reconcile or replay' }),
  }),
});

// The Node id's resolver; exposed fields need no declaration (columns.ts).
customerColumns.field('id', ['id']);

const filterSchema = z.object({
  partnerKey: z.string().trim().min(1).max(200).nullish(),
  customerKey: z.string().trim().min(1).max(200).nullish(),
  email: z.string().trim().min(1).max(320).nullish(),
  search: z.string().trim().min(1).max(200).nullish(),
  includeDeleted: z.boolean().nullish(),
  updatedSince: z.date().nullish(),
}).strict();
export type CustomerFilter = z.infer<typeof filterSchema>;

export const CustomerFilterInput = builder.inputType('CustomerFilter', {
  fields: (t) => ({
    partnerKey: t.string(),
    customerKey: t.string(),
    email: t.string({ description: 'Exact match, ignoring case' }),
    search: t.string({ description: 'Substring of id, email, name, company or customer key, ignoring case' }),
    includeDeleted: t.boolean({ description: 'Include customers deleted in Chargebee (default false)' }),
    updatedSince: t.field({ type: 'DateTime', description: 'Chargebee updated_at at or after this instant' }),
  }),
});

/** Zod-checks a query filter; a bad value is a client error naming the field. */
export function parseFilter<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = ['filter', ...(issue?.path ?? []).map(String)];
  throw badUserInput(`${path.join('.')}: ${issue?.message ?? 'invalid'}`, { argument: path.join('.') });
}

export const parseCustomerFilter = (value: unknown): CustomerFilter => parseFilter(filterSchema, value);

function filteredCustomers(ctx: GraphQLContext, filter: CustomerFilter) {
  const query = ctx.db('customer as c');
  if (!filter.includeDeleted) void query.where('c.deleted', false);
  if (filter.partnerKey) void query.where('c.partner_key', filter.partnerKey);
  if (filter.customerKey) void query.where('c.customer_key', filter.customerKey);
  if (filter.email) void query.whereRaw('lower(c.email) = ?', [filter.email.toLowerCase()]);
  if (filter.search) whereContains(query, ['c.id', 'c.email', 'c.first_name', 'c.last_name', 'c.company', 'c.customer_key'], filter.search);
  if (filter.updatedSince) void query.where('c.chargebee_updated_at', '>=', filter.updatedSince);
  return query;
}

const customerPageSelection = customerColumns.selector(connectionPaths, [], { embed: true });
/**
 * The customers connection, ordered by Chargebee id; also used for a partner's customers. With
 * `info`, reads only the columns the page's selection needs.
 */
export function customerConnection(ctx: GraphQLContext, args: PageArgs, filter: CustomerFilter, info?: GraphQLResolveInfo) {
  const selection = info ? customerPageSelection(info) : null;
  return keysetPage(args, {
    base: () => filteredCustomers(ctx, filter).select(selection ? selectList(ctx.db, selection, 'c', ctx.deps.sync.dialect) : 'c.*'),
    map: selection ? selection.map : mapCustomer,
    key: 'c.id',
    keyOf: (c) => c.id,
    keyKind: 'string',
    order: 'asc',
    count: () => countRows(filteredCustomers(ctx, filter)),
  });
}

/** Complexity of a connection field: its page size times its selection. */
export const connectionComplexity = (args: PageArgs) => ({ field: 2, multiplier: args.first ?? args.last ?? 20 });

builder.queryFields((t) => ({
  customers: t.connection({
    type: Customer,
    description: 'Customers ordered by Chargebee id (a stable order: new customers never shift existing pages)',
    args: { filter: t.arg({ type: CustomerFilterInput }) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx, info) => customerConnection(ctx, args, parseCustomerFilter(args.filter), info),
  }),
  customer: t.field({
    type: Customer,
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: [Customer] }) },
    resolve: (_root, args, ctx) => load(ctx, customerById, args.id.id),
  }),
  customerByChargebeeId: t.field({
    type: Customer,
    nullable: true,
    args: { chargebeeId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => load(ctx, customerById, args.chargebeeId),
  }),
  customerByKey: t.field({
    type: Customer,
    nullable: true,
    description: 'The customer with this customer key; when several Chargebee customers share it, the non-deleted, most recently updated one',
    args: { customerKey: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const row = await ctx.db('customer').select('*').where('customer_key', args.customerKey)
        .orderBy([{ column: 'deleted', order: 'asc' }, { column: 'resource_version', order: 'desc' }, { column: 'id', order: 'asc' }])
        .first() as Record<string, unknown> | undefined;
      return row ? mapCustomer(row) : null;
    },
  }),
}));
