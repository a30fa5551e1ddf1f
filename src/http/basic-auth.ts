import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Constant-time string equality: hashing first makes the comparison independent of length too. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
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
  const given = parseBasicAuth(header);
  if (given === null) return false;
  const userOk = safeEqual(given.username, expected.username);
  const passwordOk = safeEqual(given.password, expected.password);
  return userOk && passwordOk;
}
