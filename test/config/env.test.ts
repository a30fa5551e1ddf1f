import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { parseDatabaseUrl } from '../../src/db/orm.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(4000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(parseDatabaseUrl(env.DATABASE_URL)).toEqual({ dialect: 'sqlite', location: './data/chargebee-sync.sqlite' });
  });

  it('stops on a bad value with one line naming the variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT: /);
    expect(() => loadEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: expected postgres/);
    expect(() => loadEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadEnv({ PORT: 'eighty' })).not.toThrow(/\n/);
  });

  it('requires webhook credentials in production, and both halves together', () => {
    expect(() => loadEnv({ NODE_ENV: 'production', API_TOKENS: 'ops:admin:s3cret-token-value' })).toThrow(/CHARGEBEE_WEBHOOK_USERNAME/);
    expect(() => loadEnv({ CHARGEBEE_WEBHOOK_USERNAME: 'u' })).toThrow(/must be set together/);
  });

  it('never echoes a secret in a configuration error', () => {
    try {
      loadEnv({ CHARGEBEE_WEBHOOK_PASSWORD: 'super-secret-pw' });
    } catch (error) {
      expect((error as Error).message).not.toContain('super-secret-pw');
    }
  });

  it('reads the database target from DATABASE_URL', () => {
    expect(parseDatabaseUrl('postgres://u@h:5432/db')).toEqual({ dialect: 'postgresql', location: 'postgres://u@h:5432/db' });
    expect(parseDatabaseUrl('sqlite:/tmp/x.sqlite')).toEqual({ dialect: 'sqlite', location: '/tmp/x.sqlite' });
  });
});
