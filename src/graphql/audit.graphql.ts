import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { connectionComplexity, parseFilter } from './customer.graphql.js';
import { defineLoader, load } from './loader.js';
import { countRows, keysetPage } from './pagination.js';
import { col } from './sql.js';

interface AuditEntryRecord {
  id: number;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: Date;
}

function mapAuditEntry(r: Record<string, unknown>): AuditEntryRecord {
  return {
    id: col.num(r.id), actor: col.str(r.actor), action: col.str(r.action), target: col.strOrNull(r.target),
    before: col.json(r.before), after: col.json(r.after), requestId: col.strOrNull(r.request_id), createdAt: col.date(r.created_at),
  };
}

const auditEntryById = defineLoader<number, AuditEntryRecord | null>({
  name: 'auditEntryById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('audit_entry').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.num(r.id), mapAuditEntry(r)]));
  },
});

const AuditEntry = builder.objectRef<AuditEntryRecord>('AuditEntry');

builder.node(AuditEntry, {
  description: 'One mutation: who (API token name) did what, with the state before and after. Admins only.',
  // On the type, so node(id) lookups are guarded as well as auditLog.
  authScopes: { admin: true },
  id: { resolve: (e) => e.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, auditEntryById, Number(id)))),
  fields: (t) => ({
    actor: t.exposeString('actor', { description: 'Name of the API token used' }),
    action: t.exposeString('action'),
    target: t.exposeString('target', { nullable: true }),
    before: t.expose('before', { type: 'JSON', nullable: true }),
    after: t.expose('after', { type: 'JSON', nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const filterSchema = z.object({
  actor: z.string().trim().min(1).max(200).nullish(),
  action: z.string().trim().min(1).max(200).nullish(),
  since: z.date().nullish(),
}).strict();
type AuditFilter = z.infer<typeof filterSchema>;

const AuditFilterInput = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    actor: t.string(),
    action: t.string(),
    since: t.field({ type: 'DateTime' }),
  }),
});

function filteredEntries(ctx: GraphQLContext, filter: AuditFilter) {
  const query = ctx.db('audit_entry');
  if (filter.actor) void query.where('actor', filter.actor);
  if (filter.action) void query.where('action', filter.action);
  if (filter.since) void query.where('created_at', '>=', filter.since);
  return query;
}

builder.queryField('auditLog', (t) => t.connection({
  type: AuditEntry,
  description: 'Audit entries, newest first. Admins only (null with a FORBIDDEN error for others).',
  nullable: true,
  authScopes: { admin: true },
  args: { filter: t.arg({ type: AuditFilterInput }) },
  complexity: connectionComplexity,
  resolve: (_root, args, ctx) => {
    const filter = parseFilter(filterSchema, args.filter);
    return keysetPage(args, {
      base: () => filteredEntries(ctx, filter).select('*'),
      map: mapAuditEntry,
      key: 'id',
      keyOf: (e) => e.id,
      keyKind: 'integer',
      order: 'desc',
      count: () => countRows(filteredEntries(ctx, filter)),
    });
  },
}));
