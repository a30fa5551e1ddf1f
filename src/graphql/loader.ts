import type { GraphQLContext } from './context/context.js';

type BatchFn<K, V> = (keys: readonly K[], ctx: GraphQLContext) => Promise<Map<K, V>>;

interface Pending<V> {
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

/**
 * A minimal per-request batch loader: every `load` made while a query level resolves is collected,
 * then answered by one set-based query. This is what keeps a page of N items at a fixed number of
 * SQL statements.
 */
class BatchLoader<K, V> {
  private readonly cache = new Map<K, Promise<V>>();
  private queue = new Map<K, Pending<V>[]>();
  private scheduled = false;

  constructor(private readonly ctx: GraphQLContext, private readonly batch: BatchFn<K, V>, private readonly missing: () => V) {}

  load(key: K): Promise<V> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      const waiting = this.queue.get(key) ?? [];
      waiting.push({ resolve, reject });
      this.queue.set(key, waiting);
    });
    this.cache.set(key, promise);
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate runs after all pending promise callbacks, so siblings resolved in the same pass join the batch.
      setImmediate(() => void this.dispatch());
    }
    return promise;
  }

  private async dispatch(): Promise<void> {
    const queue = this.queue;
    this.queue = new Map();
    this.scheduled = false;
    try {
      const results = await this.batch([...queue.keys()], this.ctx);
      for (const [key, waiting] of queue) {
        const value = results.has(key) ? (results.get(key) as V) : this.missing();
        for (const w of waiting) w.resolve(value);
      }
    } catch (error) {
      for (const [key, waiting] of queue) {
        this.cache.delete(key);
        for (const w of waiting) w.reject(error);
      }
    }
  }
}

export interface LoaderSpec<K, V> {
  name: string;
  batch: BatchFn<K, V>;
  /** The value for a key the batch did not return (null, an empty list, zero). */
  missing: () => V;
}

export function defineLoader<K, V>(spec: LoaderSpec<K, V>): LoaderSpec<K, V> {
  return spec;
}

/** Loads one key through the request's loader for `spec`, creating the loader on first use. */
export function load<K, V>(ctx: GraphQLContext, spec: LoaderSpec<K, V>, key: K): Promise<V> {
  let loader = ctx.loaders.get(spec.name) as BatchLoader<K, V> | undefined;
  if (loader === undefined) {
    loader = new BatchLoader(ctx, spec.batch, spec.missing);
    ctx.loaders.set(spec.name, loader);
  }
  return loader.load(key);
}

/** Groups rows into a map of lists by a key (one-to-many loaders). */
export function groupBy<K, R>(rows: readonly R[], keyOf: (row: R) => K): Map<K, R[]> {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return map;
}
