import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { rows } from '../support/rows.js';
import { customer, envelope, pc1Subscription, pc2Subscription, transaction } from '../support/events.js';
import { ingestEvents, parseEnvelope, type IngestItem } from '../../src/sync/ingest.js';
import { recordSignup } from '../../src/sync/signups.js';

type Json = Record<string, unknown>;
type Operation = { kind: 'event'; event: Json } | { kind: 'signup'; customerKey: string; partnerKey: string };

const versionSteps = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 4 }).map((v) => v.sort((a, b) => a - b));

/** One customer's history: a fixed customer key present in some states, partner keys varying. */
const customerHistory = (id: string, key: string) => fc.record({
  versions: versionSteps,
  keyPresent: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  partner: fc.array(fc.constantFrom(null, 'p_1', 'p_2'), { minLength: 4, maxLength: 4 }),
  email: fc.array(fc.constantFrom('a@x.io', 'b@x.io', 'c@x.io'), { minLength: 4, maxLength: 4 }),
  deletedAtEnd: fc.boolean(),
}).map((h): Json[] => h.versions.map((v, i) => {
  const last = i === h.versions.length - 1;
  const extra: Json = { email: h.email[i] };
  if (h.keyPresent[i]) extra.meta_data = { customer_key: key };
  if (h.partner[i]) extra.cf_partner_key = h.partner[i];
  const type = last && h.deletedAtEnd ? 'customer_deleted' : i === 0 ? 'customer_created' : 'customer_changed';
  return envelope(type, { customer: customer(id, 1_700_000_000_000 + v * 1000, extra) });
}));

const subscriptionHistory = (id: string, customerId: string) => fc.record({
  versions: versionSteps,
  status: fc.array(fc.constantFrom('active', 'in_trial', 'cancelled', 'non_renewing'), { minLength: 4, maxLength: 4 }),
  pc2: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  deletedAtEnd: fc.boolean(),
}).map((h): Json[] => h.versions.map((v, i) => {
  const last = i === h.versions.length - 1;
  const version = 1_700_000_000_000 + v * 1000;
  const sub = h.pc2[i] ? pc2Subscription(id, customerId, version, { status: h.status[i] }) : pc1Subscription(id, customerId, version, { status: h.status[i] });
  return envelope(last && h.deletedAtEnd ? 'subscription_deleted' : 'subscription_changed', { subscription: sub });
}));

const transactionHistory = (id: string, customerId: string) => fc.record({
  versions: versionSteps,
  status: fc.array(fc.constantFrom('in_progress', 'success', 'failure'), { minLength: 4, maxLength: 4 }),
}).map((h): Json[] => h.versions.map((v, i) => envelope(i === 0 ? 'payment_initiated' : 'payment_succeeded', {
  transaction: transaction(id, customerId, 1_700_000_000_000 + v * 1000, { status: h.status[i] }),
})));

const scenario = fc.tuple(
  customerHistory('cust_a', 'ck_a'), customerHistory('cust_b', 'ck_b'),
  subscriptionHistory('sub_a', 'cust_a'), subscriptionHistory('sub_b', 'cust_b'), transactionHistory('txn_a', 'cust_a'),
  fc.constantFrom(null, 'ck_a', 'ck_b'),
).chain(([ca, cb, sa, sb, ta, signupKey]) => {
  const inOrder: Operation[] = [...ca, ...cb, ...sa, ...sb, ...ta].map((event) => ({ kind: 'event', event }));
  if (signupKey) inOrder.push({ kind: 'signup', customerKey: signupKey, partnerKey: 'p_signup' });
  return fc.tuple(
    fc.constant(inOrder),
    fc.shuffledSubarray(inOrder, { minLength: inOrder.length, maxLength: inOrder.length }),
    fc.array(fc.nat({ max: inOrder.length - 1 }), { maxLength: 6 }),
    // Where a group-committed batch ends: consecutive events between breaks share one transaction.
    fc.array(fc.boolean(), { minLength: inOrder.length + 6, maxLength: inOrder.length + 6 }),
  );
});

const stateColumns = (row: Record<string, unknown>) => {
  const { synced_at: _at, synced_by: _by, ...rest } = row;
  return rest;
};

describe.each(testDialects())('order independence on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.destroy());

  async function run(operations: Operation[], batchBreaks: boolean[] = []) {
    await db.reset();
    let batch: IngestItem[] = [];
    const flush = async () => {
      await ingestEvents(db.sync, batch, 'webhook');
      batch = [];
    };
    for (const [i, op] of operations.entries()) {
      if (op.kind === 'event') {
        batch.push({ event: parseEnvelope(op.event), payload: op.event });
        if (batchBreaks[i] !== false) await flush();
      } else {
        await flush();
        await recordSignup(db.sync.knex, dialect, { customerKey: op.customerKey, partnerKey: op.partnerKey });
      }
    }
    await flush();
    const snapshot: Record<string, unknown[]> = {};
    for (const table of ['customer', 'subscription', 'billing_transaction']) snapshot[table] = (await rows(db, table)).map(stateColumns);
    snapshot.events = (await rows(db, 'webhook_event')).map((e) => e.event_id).sort();
    return snapshot;
  }

  it('any permutation of a history, with duplicates, in any grouping into batches, ends in the rows in-order delivery gives', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([inOrder, shuffled, duplicateIndexes, batchBreaks]) => {
        const expected = await run(inOrder);
        const withDuplicates = [...shuffled];
        for (const index of duplicateIndexes) {
          const op = shuffled[index];
          if (op) withDuplicates.splice(index, 0, op);
        }
        expect(await run(withDuplicates, batchBreaks)).toEqual(expected);
      }),
      { numRuns: dialect === 'sqlite' ? 60 : 25 },
    );
  }, 120_000);
});
