import { pino } from 'pino';
import { loadEnv } from '../../src/config/env.js';
import { startApp, type App } from '../../src/app.js';
import type { TestDatabase } from './databases.js';

export const webhookAuth = { username: 'chargebee', password: 'hook-secret-123' };

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Starts the real service on a random port against a test database. */
export async function startTestApp(db: TestDatabase, env: Record<string, string> = {}): Promise<App> {
  return startApp({
    env: loadEnv({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      CHARGEBEE_WEBHOOK_USERNAME: webhookAuth.username,
      CHARGEBEE_WEBHOOK_PASSWORD: webhookAuth.password,
      LOG_LEVEL: 'silent',
      ...env,
    }),
    logger: pino({ level: 'silent' }),
  });
}

export async function postWebhook(app: App, body: unknown, auth: string | null = basicHeader(webhookAuth.username, webhookAuth.password)) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${app.url}/webhooks/chargebee`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}
