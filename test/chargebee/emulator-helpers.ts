// Shared setup for emulator tests: a real chargebee SDK client pointed at the emulator.
import Chargebee from 'chargebee';
import type { Emulator } from '../../src/chargebee/emulator/index.js';

export const API_KEY = 'test_emulator_key';

export function sdkFor(emu: Emulator, extra: { apiKey?: string; timeout?: number; retry?: boolean } = {}): Chargebee {
  return new Chargebee({
    ...emu.sdkConfig(),
    apiKey: extra.apiKey ?? API_KEY,
    ...(extra.timeout !== undefined ? { timeout: extra.timeout } : {}),
    // Off by default so tests see raw 429/5xx answers rather than the SDK's own retries.
    retryConfig: { enabled: extra.retry ?? false },
  });
}

/** The SDK rejects with a plain error object; pull out the fields tests assert on. */
export interface SdkError {
  http_status_code?: number;
  api_error_code?: string;
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

export async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

/** Pages through a list call with limit/next_offset and returns every page. */
export async function allPages<T>(
  fetchPage: (offset: string | undefined) => Promise<{ list: T[]; next_offset?: string }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let offset: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const res = await fetchPage(offset);
    pages.push(res.list);
    if (res.next_offset === undefined) return pages;
    offset = res.next_offset;
  }
  throw new Error('paging did not terminate');
}
