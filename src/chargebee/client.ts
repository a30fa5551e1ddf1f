import Chargebee, { type Config } from 'chargebee';
import type { Logger } from '../logger.js';
import { NodeHttpClient } from './http-client.js';
import { RateLimiter } from './rate-limiter.js';
import { classifyFailure, defaultRetryPolicy, retryDelay, type FailureKind, type RetryPolicy } from './retry.js';

/** The list endpoints the reconciler reads, by the key each list entry carries its object under. */
export type ListResource = 'customer' | 'subscription' | 'transaction' | 'event' | 'plan' | 'item_price';

/** Query parameters as the SDK takes them: flat keys (`'updated_at[after]'`) or filter objects. */
export type ListParams = Record<string, string | number | boolean | Record<string, unknown>>;

export interface ListPage {
  items: Record<string, unknown>[];
  nextOffset: string | undefined;
}

/** Per-run accounting of what the API cost. */
export interface CallCounter {
  calls: number;
  rateLimited: number;
  retries: number;
}

export const newCallCounter = (): CallCounter => ({ calls: 0, rateLimited: 0, retries: 0 });

/** What the reconciler needs from Chargebee; tests and the emulator use the real implementation. */
export interface ChargebeeApi {
  list(resource: ListResource, params: ListParams, counter?: CallCounter): Promise<ListPage>;
}

/** A call that failed for good (after the retries the policy allows). */
export class ChargebeeApiError extends Error {
  override name = 'ChargebeeApiError';
  constructor(message: string, readonly kind: FailureKind, readonly status: number | null, readonly code: string | null) {
    super(message);
  }
}

export interface ClientOptions {
  site: string;
  apiKey: string;
  /** Overrides the base URL, e.g. http://127.0.0.1:8787 for the emulator. */
  apiUrl?: string;
  /** Requests allowed per window (CHARGEBEE_RATE_LIMIT_PER_MIN with the default one-minute window). */
  ratePerWindow: number;
  windowMs?: number;
  concurrency?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** SDK connection options for a site, or for CHARGEBEE_API_URL when it overrides the base URL. */
export function sdkConnection(site: string, apiUrl?: string): Pick<Config, 'site' | 'protocol' | 'hostSuffix' | 'port' | 'apiPath'> {
  if (apiUrl === undefined) return { site };
  const url = new URL(apiUrl);
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`CHARGEBEE_API_URL must be http(s): ${apiUrl}`);
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/api/v2') throw new Error(`CHARGEBEE_API_URL path must be empty or /api/v2: ${apiUrl}`);
  return {
    // The SDK builds `${protocol}://${site}${hostSuffix}:${port}${apiPath}`; the whole host goes into `site`.
    site: url.hostname,
    hostSuffix: '',
    protocol,
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    apiPath: '/api/v2',
  };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The official SDK behind the project's own rate and retry policy. The SDK's retries are off: it would
 * retry outside the budget, and it gives up on a 429 without Retry-After.
 */
export class ChargebeeClient implements ChargebeeApi {
  private readonly sdk: Chargebee;
  private readonly http: NodeHttpClient;
  private readonly limiter: RateLimiter;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Process-wide totals (all runs). */
  readonly totals: CallCounter = newCallCounter();

  constructor(private readonly options: ClientOptions) {
    const concurrency = options.concurrency ?? 2;
    this.http = new NodeHttpClient({ maxSockets: concurrency });
    this.sdk = new Chargebee({
      apiKey: options.apiKey,
      ...sdkConnection(options.site, options.apiUrl),
      timeout: options.timeoutMs ?? 30_000,
      retryConfig: { enabled: false },
      sdkTelemetryEnabled: false,
      httpClient: this.http,
    });
    this.limiter = new RateLimiter({ limit: options.ratePerWindow, windowMs: options.windowMs ?? 60_000, concurrency });
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = options.sleep ?? sleepFor;
  }

  async list(resource: ListResource, params: ListParams, counter: CallCounter = newCallCounter()): Promise<ListPage> {
    for (let attempt = 1; ; attempt++) {
      counter.calls += 1;
      this.totals.calls += 1;
      try {
        const response = await this.limiter.run(() => this.send(resource, params));
        return {
          items: response.list.map((entry) => (entry as Record<string, unknown>)[resource] as Record<string, unknown>),
          nextOffset: response.next_offset ?? undefined,
        };
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind === 'rate_limited') {
          counter.rateLimited += 1;
          this.totals.rateLimited += 1;
        }
        const delay = retryDelay(failure, attempt, this.policy);
        this.options.logger?.warn({ resource, attempt, kind: failure.kind, status: failure.status, code: failure.code, retryInMs: delay }, 'chargebee call failed');
        if (delay === null) {
          throw new ChargebeeApiError(`chargebee ${resource} list failed: ${failure.message}`, failure.kind, failure.status, failure.code);
        }
        counter.retries += 1;
        this.totals.retries += 1;
        await this.sleep(delay);
      }
    }
  }

  private send(resource: ListResource, params: ListParams): Promise<{ list: unknown[]; next_offset?: string }> {
    // The SDK's typed filters cannot express flat keys such as 'updated_at[after]'; the wire format is the same.
    type P<T extends (...args: never[]) => unknown> = Parameters<T>[0];
    switch (resource) {
      case 'customer': return this.sdk.customer.list(params as P<Chargebee['customer']['list']>);
      case 'subscription': return this.sdk.subscription.list(params as P<Chargebee['subscription']['list']>);
      case 'transaction': return this.sdk.transaction.list(params as P<Chargebee['transaction']['list']>);
      case 'event': return this.sdk.event.list(params as P<Chargebee['event']['list']>);
      case 'plan': return this.sdk.plan.list(params as P<Chargebee['plan']['list']>);
      case 'item_price': return this.sdk.itemPrice.list(params as P<Chargebee['itemPrice']['list']>);
    }
  }
}
