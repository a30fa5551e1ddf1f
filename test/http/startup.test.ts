import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { startTestApp } from '../support/app.js';

describe.each(testDialects())('start-up on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.destroy());

  it('fails with the listen error when the port is taken, and a later start on a free port works', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startTestApp(db, { PORT: String(port) })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    const app = await startTestApp(db);
    try {
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
