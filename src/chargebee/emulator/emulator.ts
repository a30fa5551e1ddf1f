// startEmulator(): wires store, faults, stats and delivery behind one HTTP
// server and exposes the same control surface as a JS object.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from './clock.js';
import { handleControl } from './control.js';
import { deliver, type DeliverOptions, type DeliveryReport } from './delivery.js';
import { Faults, type RateLimitOptions } from './faults.js';
import { API_PREFIX, CONTROL_PREFIX, handleApi, sendJson } from './http.js';
import { seed, type SeedOptions, type SeedResult } from './seed.js';
import { Stats, type WindowFilter } from './stats.js';
import { Store } from './store.js';
import type { ChargebeeEvent, CreateInput, EventContent, Kind, MutationOptions, ResourceByKind, Subscription, Transaction, UpdatePatch } from './types.js';

export interface EmulatorOptions {
  /** Requests must authenticate with HTTP Basic `apiKey:` (empty password). */
  apiKey: string;
  site?: string;
  /** Default 0: a random free port. */
  port?: number;
  rateLimit?: RateLimitOptions;
  /** Start the emulator clock at this time (ms); frozen unless frozen: false. */
  clock?: { nowMs: number; frozen?: boolean };
}

export interface ResourceApi<K extends Kind> {
  create(input: CreateInput<K>, opts?: MutationOptions): ResourceByKind[K];
  update(id: string, patch: UpdatePatch<K>, opts?: MutationOptions): ResourceByKind[K];
  /** Soft delete, recorded as an event. */
  delete(id: string, opts?: MutationOptions): ResourceByKind[K];
  /** Hard delete, no event. */
  purge(id: string): boolean;
  get(id: string): ResourceByKind[K] | undefined;
  /** Every record including deleted ones (insertion order). */
  all(): ResourceByKind[K][];
  count(): number;
}

export interface BulkInput {
  plans?: CreateInput<'plan'>[];
  item_prices?: CreateInput<'item_price'>[];
  customers?: CreateInput<'customer'>[];
  subscriptions?: CreateInput<'subscription'>[];
  transactions?: CreateInput<'transaction'>[];
}

/** Options for `new Chargebee(...)` from the `chargebee` package pointing at this emulator. */
export interface SdkConfig {
  site: string;
  apiKey: string;
  hostSuffix: string;
  protocol: 'http';
  port: number;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly site: string;
  readonly apiKey: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly faults: Faults;
  readonly stats: Stats;
  readonly customers: ResourceApi<'customer'>;
  readonly subscriptions: ResourceApi<'subscription'> & {
    cancel(id: string, patch?: UpdatePatch<'subscription'>, opts?: MutationOptions): Subscription;
  };
  readonly transactions: ResourceApi<'transaction'> & { refund(id: string, opts?: MutationOptions & { amount?: number }): Transaction };
  readonly plans: ResourceApi<'plan'>;
  readonly itemPrices: ResourceApi<'item_price'>;
  readonly events: {
    /** Oldest first. */
    all(): ChargebeeEvent[];
    get(id: string): ChargebeeEvent | undefined;
    undelivered(): ChargebeeEvent[];
    emit(eventType: string, content: EventContent, opts?: MutationOptions): ChargebeeEvent;
  };
  sdkConfig(): SdkConfig;
  seed(opts: SeedOptions): SeedResult;
  /** Creates records through the normal path (validation; events unless silent). */
  bulkInsert(input: BulkInput, opts?: MutationOptions): Record<keyof BulkInput, number>;
  deliver(opts: DeliverOptions): Promise<DeliveryReport>;
  maxRequestsInAnyWindow(windowMs: number, filter?: WindowFilter): number;
  /** Clears data, events, stats and faults (the rate limit from the start options is kept). */
  reset(): void;
  close(): Promise<void>;
}

function resourceApi<K extends Kind>(store: Store, kind: K): ResourceApi<K> {
  return {
    create: (input, opts) => store.create(kind, input, opts),
    update: (id, patch, opts) => store.update(kind, id, patch, opts),
    delete: (id, opts) => store.delete(kind, id, opts),
    purge: (id) => store.purge(kind, id),
    get: (id) => store.get(kind, id),
    all: () => Array.from(store.collection(kind).values()),
    count: () => store.collection(kind).size,
  };
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  if (!options.apiKey) throw new Error('startEmulator: apiKey is required');
  const clock = new Clock();
  if (options.clock) clock.set(options.clock.nowMs, { frozen: options.clock.frozen });
  const store = new Store(clock);
  const faults = new Faults(options.rateLimit);
  const stats = new Stats();
  const hangTimers = new Set<NodeJS.Timeout>();
  const onHang = (req: IncomingMessage, hangMs: number | null): void => {
    if (hangMs === null) return; // held until the client gives up or close() drops it
    const t = setTimeout(() => {
      hangTimers.delete(t);
      req.socket.destroy();
    }, hangMs);
    hangTimers.add(t);
  };

  // Assigned below once the server is listening; the handler only runs after that.
  let emulator: Emulator | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(API_PREFIX)) void handleApi(req, res, url, { store, faults, stats, apiKey: options.apiKey, onHang });
    else if (url.pathname.startsWith(CONTROL_PREFIX) && emulator) void handleControl(req, res, url, emulator);
    else sendJson(res, 404, { message: `Not found: ${url.pathname}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const site = options.site ?? 'emulator';
  const startRateLimit = options.rateLimit;

  emulator = {
    url: `http://127.0.0.1:${port}`,
    port,
    site,
    apiKey: options.apiKey,
    store,
    clock,
    faults,
    stats,
    customers: resourceApi(store, 'customer'),
    subscriptions: { ...resourceApi(store, 'subscription'), cancel: (id, patch, opts) => store.cancelSubscription(id, patch, opts) },
    transactions: { ...resourceApi(store, 'transaction'), refund: (id, opts) => store.refund(id, opts) },
    plans: resourceApi(store, 'plan'),
    itemPrices: resourceApi(store, 'item_price'),
    events: {
      all: () => store.events.sorted('occurred_at').slice(),
      get: (id) => store.events.get(id),
      undelivered: () => store.events.sorted('occurred_at').filter((e) => store.undelivered.has(e.id)),
      emit: (type, content, opts) => store.emit(type, content, opts),
    },
    sdkConfig: () => ({ site: '127.0.0.1', apiKey: options.apiKey, hostSuffix: '', protocol: 'http', port }),
    seed: (opts) => seed(store, opts),
    bulkInsert: (input, opts = {}) => {
      const counts = { plans: 0, item_prices: 0, customers: 0, subscriptions: 0, transactions: 0 };
      const run = <K extends Kind>(kind: K, rows: CreateInput<K>[] | undefined, key: keyof BulkInput): void => {
        for (const row of rows ?? []) store.create(kind, row, opts);
        counts[key] = rows?.length ?? 0;
      };
      run('plan', input.plans, 'plans');
      run('item_price', input.item_prices, 'item_prices');
      run('customer', input.customers, 'customers');
      run('subscription', input.subscriptions, 'subscriptions');
      run('transaction', input.transactions, 'transactions');
      return counts;
    },
    deliver: (opts) => deliver(store, opts),
    maxRequestsInAnyWindow: (windowMs, filter) => stats.maxRequestsInAnyWindow(windowMs, filter),
    reset: () => {
      store.reset();
      stats.reset();
      faults.clear();
      if (startRateLimit) faults.set({ rateLimit: startRateLimit });
    },
    close: async () => {
      for (const t of hangTimers) clearTimeout(t);
      hangTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}
