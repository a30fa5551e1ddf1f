/**
 * Generates the next migration for both engines from the entity definitions:
 *   npm run migration:create
 * It needs a PostgreSQL server (MIGRATION_PG_URL, default the local test database) to diff against.
 */
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initOrm, migrate, type Dialect } from '../src/db/orm.js';

const pgUrl = process.env.MIGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function generate(dialect: Dialect, location: string): Promise<void> {
  const dir = join('src/db/migrations', dialect);
  const orm = await initOrm({ target: { dialect, location } });
  try {
    await migrate(orm);
    const diff = await orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false, safe: false });
    if (diff.up.trim() === '') {
      console.log(`${dialect}: schema is up to date`);
      return;
    }
    const existing = readdirSync(dir).filter((f) => /^m\d+/.test(f));
    // The first migration's inverse is dropping the schema. Later ones: MikroORM's SQLite diff gives
    // no "down", so it must be written by hand (the migration test rolls every migration back).
    const down = diff.down.trim() !== '' ? diff.down
      : existing.length === 0 ? await orm.getSchemaGenerator().getDropSchemaSQL({ wrap: false, dropMigrationsTable: false })
      : '';
    if (down === '') console.warn(`${dialect}: no "down" generated; write it by hand`);
    const name = `m${String(existing.length + 1).padStart(3, '0')}_${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    const statements = (sql: string) =>
      sql.split(/;\s*(?:\n|(?=pragma\b))/).map((s) => s.trim()).filter(Boolean)
        .map((s) => `    this.addSql(${JSON.stringify(s.replace(/;$/, ''))});`).join('\n');
    writeFileSync(join(dir, `${name}.ts`), `import { Migration } from '@mikro-orm/migrations';

export class ${name} extends Migration {
  override async up(): Promise<void> {
${statements(diff.up)}
  }

  override async down(): Promise<void> {
${statements(down)}
  }
}
`);
    const index = join(dir, 'index.ts');
    const names = [...existing.map((f) => f.replace(/\.ts$/, '')), name];
    const listName = readFileSync(index, 'utf8').match(/export const (\w+)/)?.[1];
    writeFileSync(index, `import type { MigrationObject } from '@mikro-orm/core';
${names.map((n) => `import { ${n} } from './${n}.js';`).join('\n')}

export const ${listName}: MigrationObject[] = [
${names.map((n) => `  { name: '${n}', class: ${n} },`).join('\n')}
];
`);
    console.log(`${dialect}: wrote ${name}`);
  } finally {
    await orm.close(true);
  }
}

const sqlitePath = `/tmp/chargebee-sync-migration-${process.pid}.sqlite`;
await generate('sqlite', sqlitePath);
await generate('postgresql', pgUrl);
