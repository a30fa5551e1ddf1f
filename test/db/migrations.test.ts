import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { migrate, pendingMigrations } from '../../src/db/orm.js';

describe.each(testDialects())('migrations on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, { migrate: false });
  });
  afterAll(() => db.destroy());

  it('bring an empty database to exactly the schema the entities describe', async () => {
    expect((await pendingMigrations(db.orm)).length).toBeGreaterThan(0);
    await migrate(db.orm);
    expect(await pendingMigrations(db.orm)).toEqual([]);
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
  });

  it('are idempotent, and roll back and forward again', async () => {
    expect(await migrate(db.orm)).toEqual([]);
    await db.orm.getMigrator().down({ to: 0 });
    expect((await pendingMigrations(db.orm)).length).toBeGreaterThan(0);
    await migrate(db.orm);
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
  });
});
