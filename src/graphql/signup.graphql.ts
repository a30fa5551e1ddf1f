import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { Customer, connectionComplexity, mapCustomer, parseFilter, type CustomerRecord } from './customer.graphql.js';
import { ValidationError, validate } from './errors.js';
import { defineLoader, groupBy, load } from './loader.js';
import { countRows, keysetPage } from './pagination.js';
import { col } from './sql.js';
import { writeAudit } from './audit.js';
import { recordSignup } from '../sync/signups.js';
import type { Trx } from '../sync/db-helpers.js';

interface SignupRecord {
  id: number;
  customerKey: string;
  partnerKey: string;
  email: string | null;
  signedUpAt: Date;
}

function mapSignup(r: Record<string, unknown>): SignupRecord {
  return {
    id: col.num(r.id), customerKey: col.str(r.customer_key), partnerKey: col.str(r.partner_key),
    email: col.strOrNull(r.email), signedUpAt: col.date(r.signed_up_at),
  };
}

const signupById = defineLoader<number, SignupRecord | null>({
  name: 'signupById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('signup').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.num(r.id), mapSignup(r)]));
  },
});

const customersByKey = defineLoader<string, CustomerRecord[]>({
  name: 'customersByKey',
  missing: () => [],
  batch: async (keys, ctx) => {
    const rows = await ctx.db('customer').select('*').whereIn('customer_key', [...keys]).orderBy('id') as Record<string, unknown>[];
    return groupBy(rows.map(mapCustomer), (c) => c.customerKey ?? '');
  },
});

const Signup = builder.objectRef<SignupRecord>('Signup');

builder.node(Signup, {
  description: 'A referred signup recorded on the platform before (or after) Chargebee knew the customer',
  id: { resolve: (s) => s.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, signupById, Number(id)))),
  fields: (t) => ({
    customerKey: t.exposeString('customerKey'),
    partnerKey: t.exposeString('partnerKey'),
    email: t.exposeString('email', { nullable: true }),
    signedUpAt: t.expose('signedUpAt', { type: 'DateTime' }),
    customers: t.field({
      type: [Customer],
      description: 'Chargebee customers carrying this customer key',
      resolve: (s, _args, ctx) => load(ctx, customersByKey, s.customerKey),
    }),
  }),
});

const filterSchema = z.object({
  partnerKey: z.string().trim().min(1).max(200).nullish(),
  customerKey: z.string().trim().min(1).max(200).nullish(),
}).strict();
type SignupFilter = z.infer<typeof filterSchema>;

const SignupFilterInput = builder.inputType('SignupFilter', {
  fields: (t) => ({ partnerKey: t.string(), customerKey: t.string() }),
});

function filteredSignups(ctx: GraphQLContext, filter: SignupFilter) {
  const query = ctx.db('signup');
  if (filter.partnerKey) void query.where('partner_key', filter.partnerKey);
  if (filter.customerKey) void query.where('customer_key', filter.customerKey);
  return query;
}

builder.queryField('signups', (t) => t.connection({
  type: Signup,
  description: 'Signups, most recently recorded first',
  args: { filter: t.arg({ type: SignupFilterInput }) },
  complexity: connectionComplexity,
  resolve: (_root, args, ctx) => {
    const filter = parseFilter(filterSchema, args.filter);
    return keysetPage(args, {
      base: () => filteredSignups(ctx, filter).select('*'),
      map: mapSignup,
      key: 'id',
      keyOf: (s) => s.id,
      keyKind: 'integer',
      order: 'desc',
      count: () => countRows(filteredSignups(ctx, filter)),
    });
  },
}));

const signupInput = z.object({
  customerKey: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  partnerKey: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  email: z.email('not an email address').max(320).nullish(),
});

interface RecordSignupResult {
  signup: SignupRecord;
  attributedCustomers: CustomerRecord[];
}

const RecordSignupPayload = builder.objectRef<RecordSignupResult>('RecordSignupPayload').implement({
  fields: (t) => ({
    signup: t.field({ type: Signup, resolve: (p) => p.signup }),
    attributedCustomers: t.field({
      type: [Customer],
      description: 'Existing customers with this customer key whose partner this signup set or changed',
      resolve: (p) => p.attributedCustomers,
    }),
  }),
});

const RecordSignupInput = builder.inputType('RecordSignupInput', {
  fields: (t) => ({
    customerKey: t.string({ required: true }),
    partnerKey: t.string({ required: true }),
    email: t.string(),
  }),
});

async function findSignup(trx: Trx, customerKey: string): Promise<SignupRecord | null> {
  const row = await trx('signup').select('*').where('customer_key', customerKey).first() as Record<string, unknown> | undefined;
  return row ? mapSignup(row) : null;
}

builder.mutationField('recordSignup', (t) => t.field({
  type: RecordSignupPayload,
  description: 'Records a referred signup and attributes existing customers with that customer key (ingest or admin)',
  authScopes: { ingest: true },
  errors: { types: [ValidationError] },
  args: { input: t.arg({ type: RecordSignupInput, required: true }) },
  resolve: async (_root, args, ctx) => {
    const input = validate(signupInput, args.input);
    return ctx.db.transaction(async (trx) => {
      const before = await findSignup(trx, input.customerKey);
      const { attributedCustomerIds } = await recordSignup(trx, ctx.deps.sync.dialect, input);
      const signup = await findSignup(trx, input.customerKey);
      if (signup === null) throw new Error('recorded signup not found');
      const rows = await trx('customer').select('*').whereIn('id', attributedCustomerIds).orderBy('id') as Record<string, unknown>[];
      await writeAudit(trx, ctx, {
        action: 'signup.record', target: `signup:${input.customerKey}`, before, after: { ...signup, attributedCustomerIds },
      });
      return { signup, attributedCustomers: rows.map(mapCustomer) };
    });
  },
}));
