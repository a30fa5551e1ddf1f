import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time string equality: hashing first makes the comparison independent of length too. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The expected credentials' digests, computed once per credentials object rather than per request:
 * each part's, and the header's as senders write it (`Basic ` and the base64 of `user:password`).
 */
const expectedDigests = new WeakMap<BasicCredentials, { username: Buffer; password: Buffer; header: Buffer }>();

function digestsOf(expected: BasicCredentials): { username: Buffer; password: Buffer; header: Buffer } {
  let wanted = expectedDigests.get(expected);
  if (wanted === undefined) {
    const header = `Basic ${Buffer.from(`${expected.username}:${expected.password}`, 'utf8').toString('base64')}`;
    wanted = { username: digest(expected.username), password: digest(expected.password), header: digest(header) };
    expectedDigests.set(expected, wanted);
  }
  return wanted;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether the Authorization header carries exactly the expected credentials (both parts always compared). */
export function basicAuthMatches(header: string | undefined, expected: BasicCredentials): boolean {
  if (header === undefined) return false;
  const wanted = digestsOf(expected);
  // The usual header, compared whole: one digest per request instead of parsing and two. Other
  // spellings of the same credentials (scheme case, spaces) are then parsed and compared by part.
  if (timingSafeEqual(digest(header), wanted.header)) return true;
  const given = parseBasicAuth(header);
  if (given === null) return false;
  const userOk = timingSafeEqual(digest(given.username), wanted.username);
  const passwordOk = timingSafeEqual(digest(given.password), wanted.password);
  return userOk && passwordOk;
}
