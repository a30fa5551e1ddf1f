import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../src/config/env.js';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  volumes?: string[];
  ports?: string[];
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const accepted = new Set(Object.keys(envSchema.shape));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL with a health check and a volume', () => {
    const pg = compose.services.postgres;
    expect(pg?.image).toMatch(/^postgres:/);
    expect(pg?.healthcheck?.test).toBeDefined();
    expect(pg?.volumes?.[0]).toMatch(/^pgdata:/);
    expect(compose.volumes).toHaveProperty('pgdata');
  });

  it('builds the service from the Dockerfile and waits for a healthy database', () => {
    for (const name of ['app', 'jobs']) {
      const service = compose.services[name];
      expect(service?.build, name).toBe('.');
      expect(service?.depends_on?.postgres?.condition, name).toBe('service_healthy');
      expect(service?.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    }
    expect(compose.services.app?.ports?.[0]).toMatch(/:4000$/);
    expect(compose.services.jobs?.command).toEqual(['node', 'dist/jobs/scheduler.js']);
  });

  it('sets only environment variables the configuration schema accepts', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'postgres') continue;
      for (const key of Object.keys(service.environment ?? {})) expect(accepted.has(key), `${name}: ${key}`).toBe(true);
    }
  });

  it('runs production services with the settings production requires', () => {
    for (const name of ['app', 'jobs']) {
      const env = compose.services[name]?.environment ?? {};
      expect(env.NODE_ENV).toBe('production');
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['CHARGEBEE_WEBHOOK_USERNAME', 'CHARGEBEE_WEBHOOK_PASSWORD', 'API_TOKENS']));
    }
  });
});

describe('Dockerfile', () => {
  it('is multi-stage, runs as a non-root user, prunes dev dependencies and has a health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toMatch(/dist\/src\/main\.js/);
  });
});
