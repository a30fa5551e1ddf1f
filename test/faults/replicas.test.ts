import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { describePostgres } from './support/gate.js';
import { buildHistory } from './support/history.js';
import { sendAll, statusCounts } from './support/sender.js';
import { ServiceProcess } from './support/service-process.js';
import { checkInbox, stateDifferences } from './support/state.js';

const eventCount = Number(process.env.FAULT_REPLICA_EVENTS ?? 4_000);

describePostgres('two replicas on one database (postgresql)', () => {
  let db: TestDatabase;
  let replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    replicas = [await ServiceProcess.create({ databaseUrl: db.url }), await ServiceProcess.create({ databaseUrl: db.url })];
    await Promise.all(replicas.map((r) => r.start()));
  });
  afterAll(async () => {
    for (const r of replicas) await r.kill();
    await db?.destroy();
  });

  it(`converge to the expected state from one stream split between them (${eventCount} events)`, async () => {
    // Few customers: both replicas write the same rows at the same time, duplicates land on either.
    const history = buildHistory({ events: eventCount, customers: 60, seed: 23, prefix: 'replicas' });
    const perTarget = new Map<string, number>();
    const report = await sendAll(history.deliveries, {
      targets: replicas.map((r) => r.url), concurrency: 16, retryDelayMs: 25,
      onAttempt: ({ target }) => perTarget.set(target, (perTarget.get(target) ?? 0) + 1),
    });

    const statuses = statusCounts(report);
    console.info(`replicas: ${history.deliveries.length} deliveries in ${report.seconds.toFixed(1)} s, statuses ${JSON.stringify(statuses)}, `
      + `per replica ${JSON.stringify(Object.fromEntries(perTarget))}`);
    expect(replicas.every((r) => r.alive)).toBe(true);
    expect([...perTarget.values()].every((n) => n > history.deliveries.length / 3)).toBe(true);
    expect(Object.keys(statuses).filter((s) => s !== '200' && s !== '503')).toEqual([]);
    expect(report.ackedEventIds.size).toBe(history.eventIds.length);

    const inbox = await checkInbox(db.sync.knex, history);
    expect(inbox.missing).toEqual([]);
    expect(inbox.unexpected).toEqual([]);
    expect(inbox.rows).toBe(history.eventIds.length);
    expect(inbox.byStatus.failed ?? 0).toBe(0);
    expect(await stateDifferences(db.sync.knex, history.expected)).toEqual([]);
  });
});
