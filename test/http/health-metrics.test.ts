import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { basicHeader, postWebhook, startTestApp } from '../support/app.js';
import { sample } from '../support/events.js';
import type { App } from '../../src/app.js';

describe.each(testDialects())('health and metrics on %s', (dialect) => {
  let db: TestDatabase;
  let app: App;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startTestApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('reports liveness and readiness as JSON', async () => {
    const live = await fetch(`${app.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'up', pendingMigrations: [] });
  });

  it('counts webhook outcomes and refusals in Prometheus text format, without secrets', async () => {
    await postWebhook(app, sample('customer_created'));
    await postWebhook(app, sample('customer_created'));
    await postWebhook(app, sample('customer_created'), basicHeader('chargebee', 'wrong'));
    const res = await fetch(`${app.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/chargebee_sync_webhook_events_total\{event_type="customer_created",outcome="applied"\} 1/);
    expect(text).toMatch(/chargebee_sync_webhook_events_total\{event_type="customer_created",outcome="duplicate"\} 1/);
    expect(text).toMatch(/chargebee_sync_webhook_rejected_total\{status="401"\} 1/);
    expect(text).toMatch(/chargebee_sync_webhook_apply_seconds_count 2/);
    expect(text).toMatch(/chargebee_sync_db_pool_connections\{state="used"\}/);
    expect(text).toMatch(/chargebee_sync_process_resident_memory_bytes/);
    expect(text).not.toContain('hook-secret-123');
  });

  it('times GraphQL operations by operation name', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query SyncHealth { syncStatus { unmappedPlanCount } }' }),
    });
    expect(res.status).toBe(200);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/chargebee_sync_graphql_operation_seconds_count\{operation="SyncHealth"\} 1/);
  });
});
