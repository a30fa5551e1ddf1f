import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { buildHistory } from './support/history.js';
import { sendAll, statusCounts } from './support/sender.js';
import { ServiceProcess } from './support/service-process.js';
import { checkInbox, stateDifferences } from './support/state.js';

/** Events in the stream (plus 10% duplicate deliveries); FAULT_CRASH_EVENTS overrides. */
const eventCount = Number(process.env.FAULT_CRASH_EVENTS ?? 10_000);

describe.each(testDialects())('crash: the service is SIGKILLed twice mid-stream (%s)', (dialect) => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    service = await ServiceProcess.create({ databaseUrl: db.url });
    await service.start();
  });
  afterAll(async () => {
    await service?.kill();
    await db?.destroy();
  });

  it(`loses nothing and duplicates nothing across two crashes (${eventCount} events)`, async () => {
    const history = buildHistory({ events: eventCount, seed: 42, prefix: `crash_${dialect}` });
    const killAt = [Math.floor(history.deliveries.length / 3), Math.floor((2 * history.deliveries.length) / 3)];
    const pids: (number | undefined)[] = [service.pid];
    let crashes = 0;
    let restarting: Promise<void> = Promise.resolve();
    const onAck = (acked: number) => {
      const threshold = killAt[crashes];
      if (threshold === undefined || acked < threshold) return;
      crashes++;
      restarting = restarting.then(async () => {
        await service.kill();
        expect(service.exitInfo?.signal).toBe('SIGKILL');
        await service.start();
        pids.push(service.pid);
      });
    };

    const report = await sendAll(history.deliveries, { targets: [service.url], concurrency: 16, retryDelayMs: 25, onAck });
    await restarting;

    const statuses = statusCounts(report);
    console.info(`crash/${dialect}: ${history.deliveries.length} deliveries of ${history.eventIds.length} events in ${report.seconds.toFixed(1)} s, `
      + `${report.attempts} attempts, statuses ${JSON.stringify(statuses)}, pids ${pids.join(' → ')}`);
    expect(crashes).toBe(2);
    expect(new Set(pids).size).toBe(3);
    expect(service.alive).toBe(true);
    expect(Object.keys(statuses).filter((s) => Number(s) >= 500 && Number(s) !== 503)).toEqual([]);
    expect(report.ackedEventIds.size).toBe(history.eventIds.length);

    const inbox = await checkInbox(db.sync.knex, history);
    expect(inbox.missing).toEqual([]);
    expect(inbox.unexpected).toEqual([]);
    expect(inbox.rows).toBe(history.eventIds.length);
    expect(inbox.byStatus.failed ?? 0).toBe(0);
    expect(await stateDifferences(db.sync.knex, history.expected)).toEqual([]);
  });
});
