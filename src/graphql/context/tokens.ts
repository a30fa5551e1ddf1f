import { createHash, timingSafeEqual } from 'node:crypto';

export const roles = ['reader', 'ingest', 'admin'] as const;
export type Role = (typeof roles)[number];

/** An authenticated caller: the token's name (recorded in the audit log) and its role. */
export interface Viewer {
  name: string;
  role: Role;
}

export interface ApiToken extends Viewer {
  secret: string;
}

export class ApiTokenConfigError extends Error {
  override name = 'ApiTokenConfigError';
}

/**
 * Parses API_TOKENS (`name:role:secret`, comma-separated). The secret may itself contain colons.
 * Names must be unique so that audit entries identify one token.
 */
export function parseApiTokens(value: string | undefined): ApiToken[] {
  if (value === undefined || value.trim() === '') return [];
  const tokens = value.split(',').map((entry, index) => {
    const [name, role, ...rest] = entry.trim().split(':');
    const secret = rest.join(':');
    if (!name || !role || !secret) throw new ApiTokenConfigError(`API_TOKENS entry ${index + 1}: expected name:role:secret`);
    if (!(roles as readonly string[]).includes(role)) {
      throw new ApiTokenConfigError(`API_TOKENS entry ${index + 1} (${name}): role must be one of ${roles.join(', ')}`);
    }
    if (secret.length < 16) throw new ApiTokenConfigError(`API_TOKENS entry ${index + 1} (${name}): secret must be at least 16 characters`);
    return { name, role: role as Role, secret };
  });
  const names = new Set(tokens.map((t) => t.name));
  if (names.size !== tokens.length) throw new ApiTokenConfigError('API_TOKENS: token names must be unique');
  return tokens;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Each configured secret's digest, computed once per token rather than per request. */
const secretDigests = new WeakMap<ApiToken, Buffer>();

/**
 * Finds the token a `Bearer` header carries. Every configured secret is compared (in constant time,
 * as digests, so the length does not matter either) so the time taken does not reveal which one,
 * or how many, matched.
 */
export function viewerForAuthorization(header: string | null, tokens: readonly ApiToken[]): Viewer | null {
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1];
  if (given === undefined) return null;
  const givenDigest = digest(given);
  let found: Viewer | null = null;
  for (const token of tokens) {
    let expected = secretDigests.get(token);
    if (expected === undefined) secretDigests.set(token, (expected = digest(token.secret)));
    if (timingSafeEqual(givenDigest, expected) && found === null) found = { name: token.name, role: token.role };
  }
  return found;
}

/** The open-access viewer used outside production when no tokens are configured (loopback callers only). */
export const loopbackViewer: Viewer = { name: 'loopback', role: 'admin' };

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
