import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { describePostgres } from './support/gate.js';
import { buildHistory } from './support/history.js';
import { sendAll, statusCounts } from './support/sender.js';
import { ServiceProcess, sleep } from './support/service-process.js';
import { checkInbox, stateDifferences } from './support/state.js';

const eventCount = Number(process.env.FAULT_OUTAGE_EVENTS ?? 3_000);
const outageMs = 4_000;

/** Cuts one database off: no new connections, every existing one terminated. The server keeps running. */
async function setDatabaseAvailable(name: string, available: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`alter database ${name} allow_connections ${available ? 'true' : 'false'}`);
    if (!available) await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  } finally {
    await admin.end();
  }
}

describePostgres('database outage mid-stream (postgresql)', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  let databaseName: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    databaseName = new URL(db.url).pathname.slice(1);
    service = await ServiceProcess.create({ databaseUrl: db.url });
    await service.start();
  });
  afterAll(async () => {
    if (databaseName) await setDatabaseAvailable(databaseName, true);
    await service?.kill();
    await db?.destroy();
  });

  it(`answers 503 while the database is gone, recovers by itself, loses nothing (${eventCount} events)`, async () => {
    const history = buildHistory({ events: eventCount, seed: 11, prefix: 'outage' });
    const pid = service.pid;
    const window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
    let outage: Promise<void> | null = null;
    const duringOutage: number[] = [];
    const onAck = (acked: number) => {
      if (outage !== null || acked < history.deliveries.length * 0.3) return;
      outage = (async () => {
        await setDatabaseAvailable(databaseName, false);
        window.from = Date.now();
        await sleep(outageMs);
        window.to = Date.now();
        await setDatabaseAvailable(databaseName, true);
      })();
    };
    const onAttempt = ({ status, at }: { status: number; at: number }) => {
      // Answers well inside the window (a request committed just before the cut may still be answered 200).
      if (at > window.from + 500 && at < window.to) duringOutage.push(status);
    };

    const report = await sendAll(history.deliveries, { targets: [service.url], concurrency: 8, retryDelayMs: 50, onAck, onAttempt });
    await outage;

    const statuses = statusCounts(report);
    const outageStatuses: Record<string, number> = {};
    for (const s of duringOutage) outageStatuses[s] = (outageStatuses[s] ?? 0) + 1;
    console.info(`outage: ${history.deliveries.length} deliveries in ${report.seconds.toFixed(1)} s, ${report.attempts} attempts, `
      + `statuses ${JSON.stringify(statuses)}, during the outage ${JSON.stringify(outageStatuses)}`);

    expect(outage).not.toBeNull();
    expect(service.alive).toBe(true);
    expect(service.pid).toBe(pid);
    expect(outageStatuses['503'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(outageStatuses).filter((s) => s !== '503' && s !== '200')).toEqual([]);
    expect(Object.keys(statuses).filter((s) => s !== '503' && s !== '200')).toEqual([]);
    expect(report.ackedEventIds.size).toBe(history.eventIds.length);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);

    const inbox = await checkInbox(db.sync.knex, history);
    expect(inbox.missing).toEqual([]);
    expect(inbox.unexpected).toEqual([]);
    expect(inbox.rows).toBe(history.eventIds.length);
    expect(inbox.byStatus.failed ?? 0).toBe(0);
    expect(await stateDifferences(db.sync.knex, history.expected)).toEqual([]);
  });
});
