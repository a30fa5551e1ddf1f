import { describe, expect, it } from 'vitest';
import { basicAuthMatches, parseBasicAuth } from '../../src/http/basic-auth.js';

const expected = { username: 'chargebee', password: 'pa:ss wörd' };
const header = (user: string, password: string, scheme = 'Basic') => `${scheme} ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('HTTP Basic credentials', () => {
  it('accepts the header as senders write it, and other spellings of the same credentials', () => {
    expect(basicAuthMatches(header('chargebee', 'pa:ss wörd'), expected)).toBe(true);
    expect(basicAuthMatches(header('chargebee', 'pa:ss wörd', 'basic'), expected)).toBe(true);
    expect(basicAuthMatches(`${header('chargebee', 'pa:ss wörd', 'BASIC')}  `, expected)).toBe(true);
  });

  it('refuses a wrong password, a wrong user, a missing or malformed header', () => {
    expect(basicAuthMatches(header('chargebee', 'pa:ss word'), expected)).toBe(false);
    expect(basicAuthMatches(header('chargebee', 'pa:ss wörd '), expected)).toBe(false);
    expect(basicAuthMatches(header('chargebeE', 'pa:ss wörd'), expected)).toBe(false);
    expect(basicAuthMatches(undefined, expected)).toBe(false);
    expect(basicAuthMatches('', expected)).toBe(false);
    expect(basicAuthMatches('Bearer abc', expected)).toBe(false);
    expect(basicAuthMatches(`Basic ${Buffer.from('no colon').toString('base64')}`, expected)).toBe(false);
  });

  it('splits at the first colon: the password may hold colons', () => {
    expect(parseBasicAuth(header('u', 'a:b:c'))).toEqual({ username: 'u', password: 'a:b:c' });
    expect(parseBasicAuth('Digest x')).toBeNull();
  });
});
