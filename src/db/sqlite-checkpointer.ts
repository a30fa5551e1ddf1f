import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite WAL from a worker thread. A checkpoint copies the WAL back into the database
 * file and fsyncs both; run by SQLite itself it happens inside the commit that crosses
 * `wal_autocheckpoint` pages, on the event loop, so every webhook waiting on that commit waits for
 * the disk too (seconds on a slow disk with a large WAL). Here a second connection in a worker runs
 * PASSIVE checkpoints every `intervalMs`: they never block the writer, and the writer's own
 * automatic checkpoint (db/sqlite-connection.ts) is left with little or nothing to copy. It stays as
 * the backstop that keeps the WAL bounded should this thread fall behind.
 */
export interface SqliteCheckpointer {
  /** Stops the worker after its current checkpoint; resolves once its connection is closed. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** Called when a checkpoint fails (it is retried at the next interval). */
  onError?: (message: string) => void;
}

// CommonJS, evaluated as the worker's script: no file to resolve under tsx or from dist/.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let timer = null;
let stopped = false;
const tick = () => {
  if (stopped) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  stopped = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.close();
});
timer = setTimeout(tick, workerData.intervalMs);
`;

export function startSqliteCheckpointer(path: string, options: CheckpointerOptions = {}): SqliteCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { path, driver, intervalMs: options.intervalMs ?? 200 } });
  worker.on('message', (message: { error?: string }) => {
    if (message.error) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The process may exit without stopping it (the CLI's last line): it must not keep the process alive.
  worker.unref();
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        worker.postMessage('stop');
        const timeout = setTimeout(() => void worker.terminate(), 5_000);
        await exited;
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}
