import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { initOrm, migrate, pendingMigrations } from '../../src/db/orm.js';
import { postgresMigrations } from '../../src/db/migrations/postgresql/index.js';

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

  it('are idempotent, and roll back one at a time and forward again', async () => {
    expect(await migrate(db.orm)).toEqual([]);
    const all = (await db.orm.getMigrator().getExecutedMigrations()).length;
    for (let i = all - 1; i >= 1; i--) {
      await db.orm.getMigrator().down();
      // Rolling back a later migration leaves the tables of the first in place.
      expect(await db.sync.knex.schema.hasTable('customer')).toBe(true);
    }
    await db.orm.getMigrator().down({ to: 0 });
    expect((await pendingMigrations(db.orm)).length).toBeGreaterThan(0);
    await migrate(db.orm);
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
  });
});

describe.skipIf(!testDialects().includes('postgresql'))('migrations with several replicas', () => {
  it('let replicas starting together on an empty database all come up', async () => {
    const empty = await createEmptyDatabase('postgresql');
    const orms = await Promise.all([0, 1, 2].map(() => initOrm({ target: { dialect: 'postgresql', location: empty.url } })));
    try {
      const applied = await Promise.all(orms.map((orm) => migrate(orm)));
      // One replica applied every migration; the others waited, then found nothing to do.
      expect(applied.map((names) => names.length).sort()).toEqual([0, 0, postgresMigrations.length]);
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
      await empty.drop();
    }
  });
});
