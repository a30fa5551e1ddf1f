import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Knex } from '@mikro-orm/knex';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestResult } from '../sync/ingest.js';

interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The service's Prometheus metrics; one instance per process, served at GET /metrics. */
export class Metrics {
  readonly registry = new Registry();

  readonly webhookEvents = new Counter({
    name: 'chargebee_sync_webhook_events_total',
    help: 'Webhook events accepted, by event type and outcome (applied, ignored, stale, failed, duplicate)',
    labelNames: ['event_type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookRejected = new Counter({
    name: 'chargebee_sync_webhook_rejected_total',
    help: 'Webhook requests refused, by HTTP status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly applySeconds = new Histogram({
    name: 'chargebee_sync_webhook_apply_seconds',
    help: 'Time from a webhook event passing validation to its commit (includes waiting for its group commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly graphqlSeconds = new Histogram({
    name: 'chargebee_sync_graphql_operation_seconds',
    help: 'GraphQL operation durations by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly reconcileRuns = new Counter({
    name: 'chargebee_sync_reconcile_runs_total',
    help: 'Reconcile runs finished, by mode and status',
    labelNames: ['mode', 'status'] as const,
    registers: [this.registry],
  });

  readonly reconcileRepairs = new Counter({
    name: 'chargebee_sync_reconcile_repairs_total',
    help: 'Rows repaired by the reconciler, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly chargebeeApiCalls = new Counter({
    name: 'chargebee_sync_chargebee_api_calls_total',
    help: 'Calls made to the Chargebee API by the reconciler',
    registers: [this.registry],
  });

  readonly chargebeeRateLimited = new Counter({
    name: 'chargebee_sync_chargebee_rate_limited_total',
    help: '429 answers received from the Chargebee API',
    registers: [this.registry],
  });

  constructor(options: { knex?: Knex; queueDepth?: () => number } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'chargebee_sync_' });
    const pool = (options.knex?.client as { pool?: PoolLike } | undefined)?.pool;
    new Gauge({
      name: 'chargebee_sync_db_pool_connections',
      help: 'Database pool connections by state (used, free, pending acquires)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = (options.knex?.client as { pool?: PoolLike } | undefined)?.pool ?? pool;
        if (!current) return;
        this.set({ state: 'used' }, current.numUsed());
        this.set({ state: 'free' }, current.numFree());
        this.set({ state: 'pending' }, current.numPendingAcquires());
      },
    });
    if (options.queueDepth) {
      const depth = options.queueDepth;
      new Gauge({
        name: 'chargebee_sync_webhook_queue_depth',
        help: 'Webhook events waiting for a group commit',
        registers: [this.registry],
        collect() {
          this.set(depth());
        },
      });
    }
  }

  recordIngest(eventType: string, result: IngestResult, seconds: number): void {
    this.webhookEvents.inc({ event_type: eventType, outcome: result.duplicate ? 'duplicate' : result.status });
    this.applySeconds.observe(seconds);
  }

  /** A finished reconcile run: its outcome, repairs, API calls and 429s (a resumed run counts its earlier attempts too). */
  recordReconcileRun(run: { mode: string; status: string; repairs: Partial<Record<string, number>>; apiCalls: number; rateLimited: number }): void {
    this.reconcileRuns.inc({ mode: run.mode, status: run.status });
    for (const [kind, n] of Object.entries(run.repairs)) if (n) this.reconcileRepairs.inc({ kind }, n);
    this.chargebeeApiCalls.inc(run.apiCalls);
    this.chargebeeRateLimited.inc(run.rateLimited);
  }

  async serve(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.registry.metrics();
    res.writeHead(200, { 'content-type': this.registry.contentType });
    res.end(body);
  }
}
