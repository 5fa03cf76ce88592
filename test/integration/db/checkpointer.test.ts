/**
 * WAL checkpoints run in a worker thread on their own connection: the main connection's
 * automatic threshold is raised while the worker runs and restored the moment it fails or
 * stops, so checkpoints never stop happening; and what was committed survives either way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
  type Checkpointer,
} from '../../../electron/db/checkpointer.js';
import { openDatabase, type Db } from '../../../electron/db/connection.js';
import { until } from '../../support/actions-harness.js';

let dir = '';
let db: Db | undefined;
let checkpointer: Checkpointer | undefined;
afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = undefined;
  db?.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(): { db: Db; file: string } {
  dir = mkdtempSync(join(tmpdir(), 'warden-ckpt-'));
  const file = join(dir, 'warden.db');
  db = openDatabase(file);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, file };
}

const autocheckpoint = (d: Db) => d.pragma('wal_autocheckpoint', { simple: true }) as number;
/** Frames in the WAL and how many of them are already copied into the database file. */
const walState = (d: Db) => (d.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]!;
const write = (d: Db, rows: number) => {
  const insert = d.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let i = 0; i < rows; i++) d.transaction(() => insert.run('x'.repeat(2000))).immediate();
};

describe('the checkpoint worker', () => {
  it('raises the main threshold while it runs and copies the WAL into the database itself', async () => {
    const { db: d, file } = open();
    let moved = 0;
    checkpointer = startCheckpointer(d, file, { intervalMs: 20, onCheckpoint: (n) => (moved += n) });
    await until(() => autocheckpoint(d) === BACKSTOP_AUTOCHECKPOINT_PAGES);
    // ~3,000 pages: well past SQLite's default threshold, well under the backstop, so only the
    // worker can have checkpointed them.
    write(d, 1500);
    await until(() => moved >= 1500, 10_000);
    const wal = walState(d);
    expect(wal.checkpointed).toBe(wal.log);
    // The worker's copy is the database: a fresh connection reading the file alone sees it all.
    await checkpointer.stop();
    checkpointer = undefined;
    expect(autocheckpoint(d)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    d.close();
    db = undefined;
    const reread = new Database(file, { readonly: true });
    expect((reread.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n).toBe(1500);
    reread.close();
  });

  it('falls back to in-line checkpoints when the worker cannot start', async () => {
    const { db: d, file } = open();
    const errors: Error[] = [];
    checkpointer = startCheckpointer(d, file, { intervalMs: 20, sqliteModule: join(dir, 'no-such-module.js'), onError: (e) => errors.push(e) });
    await until(() => errors.length > 0, 10_000);
    expect(autocheckpoint(d)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    expect(errors[0]!.message).toMatch(/no-such-module/);
  });

  it('falls back when the worker cannot open the database', async () => {
    const { db: d } = open();
    const errors: Error[] = [];
    checkpointer = startCheckpointer(d, join(dir, 'missing.db'), { intervalMs: 20, onError: (e) => errors.push(e) });
    await until(() => errors.length > 0, 10_000);
    expect(errors[0]!.message).toMatch(/checkpoint worker failed/);
    expect(autocheckpoint(d)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
  });
});
