import type { Trx } from '../sync/db-helpers.js';
import type { GraphQLContext } from './context/context.js';

export interface AuditRecord {
  action: string;
  /** What was acted on, e.g. plan_mapping:basic-monthly. */
  target: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Writes the audit entry of a mutation. Callers pass their open transaction so the entry commits
 * (or rolls back) with the change it describes.
 */
export async function writeAudit(trx: Trx, ctx: GraphQLContext, entry: AuditRecord): Promise<void> {
  await trx('audit_entry').insert({
    actor: ctx.viewer.name,
    action: entry.action,
    target: entry.target,
    // JSON text: PostgreSQL's driver would otherwise send a JS array as an SQL array literal.
    before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
    after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
    request_id: ctx.requestId,
    created_at: new Date(),
  });
}
