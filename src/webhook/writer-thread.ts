import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventOrigin } from '../db/entities/index.js';
import type { Dialect } from '../db/orm.js';
import { prepareEvent, type IngestItem, type IngestResult, type PreparedEvent } from '../sync/ingest.js';

/** What the writer thread starts with. */
export interface WriterData {
  dialect: Dialect;
  /** The SQLite file, or the PostgreSQL URL. */
  location: string;
  /** better-sqlite3, resolved from here (SQLite). */
  driver: string;
  /** Connections of the thread's own pool (PostgreSQL): the most transactions the queue puts in flight. */
  poolMax: number;
  fallbackToCustomerId: boolean;
}

export type WriterRequest =
  | { type: 'batch'; id: number; origin: EventOrigin; events: PreparedEvent[] }
  | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | { type: 'results'; id: number; results: IngestResult[] }
  | { type: 'failed'; id: number; error: { name: string; message: string; code?: string } };

/** The writer thread is gone (it crashed or could not start); the batches it held were not answered. */
export class WriterStoppedError extends Error {
  override name = 'WriterStoppedError';
}

/** An error of the writer thread, rebuilt on this side with its class name and code (for logs and retries). */
class WriterError extends Error {
  constructor(original: { name: string; message: string; code?: string }) {
    super(original.message);
    this.name = original.name;
    if (original.code !== undefined) (this as { code?: string }).code = original.code;
  }
}

export interface WriterThreadOptions {
  dialect: Dialect;
  /** The SQLite file (not `:memory:`: a thread can not share one), or the PostgreSQL URL. */
  location: string;
  /** PostgreSQL: connections of the thread's pool (WEBHOOK_CONCURRENCY). */
  poolMax: number;
  fallbackToCustomerId: boolean;
  /** Called when the thread stops unexpectedly; the next batch starts another. */
  onStopped?: (reason: string) => void;
}

interface Pending {
  resolve: (results: IngestResult[]) => void;
  reject: (error: unknown) => void;
}

const here = import.meta.url;
const runsAsTypeScript = here.endsWith('.ts');

// Under tsx (npm start, tests) the thread loads TypeScript: it registers tsx itself, as a worker's
// execArgv `--import` does not apply to its entry on Node 20. Compiled (dist/), it is plain JavaScript.
const tsBootstrap = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ register }) => { register(); return import(workerData.entry); });
`;

function tsxApiUrl(): string {
  const resolved = createRequire(here).resolve('tsx/esm/api');
  const esm = resolved.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(esm) ? esm : resolved).href;
}

/**
 * Webhook batches are written on a thread of their own, with its own connections.
 * - SQLite: better-sqlite3 runs every statement synchronously, so a batch written on the main thread
 *   held up HTTP parsing, auth, JSON validation and every GraphQL read while SQLite worked.
 * - PostgreSQL: each batch is several round trips, and each answer from the server waited its turn
 *   on a main event loop busy with HTTP requests, which made every transaction longer.
 * The main thread parses and validates each event (prepareEvent), hands the thread what to write
 * (the inbox row and the resources), and answers each sender when its batch is committed. Group
 * commit is unchanged: the queue in front still batches what arrives while transactions are in flight.
 */
export class WriterThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopping: Promise<void> | null = null;

  /** Settles once the first thread has opened the database (or failed to start). */
  readonly ready: Promise<void>;

  private constructor(private readonly options: WriterThreadOptions) {
    this.ready = this.spawn();
    // Awaited by whoever launched it; a failure must not also surface as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /**
   * Starts the thread without waiting for it: batches handed over meanwhile wait in its queue, so the
   * service can build the rest of itself while the thread loads (await `ready` before serving).
   */
  static launch(options: WriterThreadOptions): WriterThread {
    return new WriterThread(options);
  }

  /** Starts the thread; resolves once it has opened the database. */
  static async start(options: WriterThreadOptions): Promise<WriterThread> {
    const writer = WriterThread.launch(options);
    await writer.ready;
    return writer;
  }

  /** Writes one batch (one transaction, as ingestEvents does); resolves once it is committed. */
  readonly ingest = (items: IngestItem[], origin: EventOrigin): Promise<IngestResult[]> => {
    if (this.stopping) return Promise.reject(new WriterStoppedError('the webhook writer thread is shutting down'));
    if (items.length === 0) return Promise.resolve([]);
    if (this.worker === null) {
      try {
        void this.spawn().catch(() => undefined); // a thread that fails to start rejects what it holds (below)
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const worker = this.worker as unknown as Worker;
    const id = this.nextId++;
    return new Promise<IngestResult[]>((resolve, reject) => {
      // Parsing, cleaning and validating stay here: the thread gets what it writes (copied by postMessage).
      const events = items.map(prepareEvent);
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'batch', id, origin, events } satisfies WriterRequest);
    });
  };

  /** Lets the thread finish what it holds, closes its connection and waits for it to exit. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const worker = this.worker;
      if (worker === null) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
      const timeout = setTimeout(() => void worker.terminate(), 10_000);
      await exited;
      clearTimeout(timeout);
    })();
    return this.stopping;
  }

  private spawn(): Promise<void> {
    const { dialect, location, poolMax, fallbackToCustomerId } = this.options;
    const workerData: WriterData & { tsxApi?: string; entry?: string } = {
      dialect, location, poolMax, fallbackToCustomerId,
      driver: dialect === 'sqlite' ? createRequire(here).resolve('better-sqlite3') : '',
    };
    let worker: Worker;
    if (runsAsTypeScript) {
      workerData.tsxApi = tsxApiUrl();
      workerData.entry = new URL('./writer-thread.worker.ts', here).href;
      worker = new Worker(tsBootstrap, { eval: true, workerData });
    } else {
      worker = new Worker(new URL('./writer-thread.worker.js', here), { workerData });
    }
    this.worker = worker;
    // A server's HTTP listener keeps the process alive; the thread alone must not.
    worker.unref();
    let lastError: Error | null = null;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: WriterReply) => {
        if (reply.type === 'ready') {
          ready = true;
          resolve();
          return;
        }
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        if (reply.type === 'results') waiting.resolve(reply.results);
        else waiting.reject(new WriterError(reply.error));
      });
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        const reason = lastError ? `${lastError.name}: ${lastError.message}` : `exited with code ${code}`;
        const gone = new WriterStoppedError(`the webhook writer thread stopped (${reason})`);
        for (const waiting of this.pending.values()) waiting.reject(gone);
        this.pending.clear();
        if (!ready) reject(gone);
        else if (!this.stopping) this.options.onStopped?.(reason);
      });
    });
  }
}
