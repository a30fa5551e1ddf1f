import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startSqliteCheckpointer } from '../../src/db/sqlite-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'cbs-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  // Only the worker may checkpoint: the writer's own automatic checkpoint is off here.
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, body text not null)');
  return { db, path };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('SQLite checkpointer', () => {
  it('copies committed WAL frames into the database file from its worker, and stops cleanly', async () => {
    const { db, path } = walDatabase();
    const insert = db.prepare('insert into t (body) values (?)');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(500));
    })();
    const before = statSync(path).size;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(500_000);

    const errors: string[] = [];
    const checkpointer = startSqliteCheckpointer(path, { intervalMs: 10, onError: (m) => errors.push(m) });
    // The rows reach the main file without this connection ever checkpointing.
    await until(() => statSync(path).size > before + 500_000);
    await checkpointer.stop();
    await checkpointer.stop();
    expect(errors).toEqual([]);

    // Nothing is left to copy: a checkpoint from here finds every frame already backfilled.
    const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(state?.checkpointed).toBe(state?.log);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 2_000 });
    db.close();
  });

  it('reports a database it cannot open instead of failing silently', async () => {
    const errors: string[] = [];
    const checkpointer = startSqliteCheckpointer(join(tmpdir(), 'cbs-no-such-dir', 'missing.sqlite'), { intervalMs: 10, onError: (m) => errors.push(m) });
    await until(() => errors.length > 0);
    await checkpointer.stop();
    expect(errors[0]).toMatch(/unable to open|directory does not exist|no such/i);
  });
});
