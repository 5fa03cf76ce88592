/**
 * Group commit on a real SQLite file: requests of one turn share a commit, each resolves only
 * once its writes are committed (a second connection sees them), a failing request undoes only
 * its own writes, a failing commit fails the whole batch, and effects wait for the commit.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { onCommit, openDatabase, type Db } from '../../../electron/db/connection.js';
import { GroupCommit } from '../../../electron/db/group-commit.js';

let dir = '';
let db: Db | undefined;
let reader: Database.Database | undefined;
afterEach(() => {
  reader?.close();
  db?.close();
  reader = db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  dir = mkdtempSync(join(tmpdir(), 'warden-group-'));
  const file = join(dir, 'warden.db');
  db = openDatabase(file);
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
           CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
             parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
  db.prepare('INSERT INTO parent (id) VALUES (1)').run();
  reader = new Database(file, { readonly: true });
  const insert = db.prepare('INSERT INTO item (name, parent_id) VALUES (?, ?)');
  const committed = () => (reader!.prepare('SELECT name FROM item ORDER BY id').all() as { name: string }[]).map((r) => r.name);
  return { db, commits: new GroupCommit(db), insert, committed };
}

const walFrames = (d: Db) => (d.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;

describe('GroupCommit', () => {
  it('requests of one turn share one commit and resolve once it is visible to another connection', async () => {
    const { db: d, commits, insert, committed } = setup();
    d.pragma('wal_checkpoint(TRUNCATE)');
    const seenAtResolve: number[] = [];
    const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
    await Promise.all(
      names.map((n) =>
        commits.run(() => insert.run(n, 1)).then(() => {
          seenAtResolve.push(committed().length);
        }),
      ),
    );
    // Every caller was answered after the commit that holds all 50 rows.
    expect(seenAtResolve).toEqual(names.map(() => 50));
    expect(committed()).toEqual(names);
    // One commit: a few pages, not a commit (and its pages) per row.
    const shared = walFrames(d);
    for (const n of ['solo1', 'solo2', 'solo3', 'solo4', 'solo5']) await commits.run(() => insert.run(n, 1));
    const perCommit = (walFrames(d) - shared) / 5;
    expect(shared).toBeLessThan(perCommit * 5);
  });

  it('a failing request undoes only its own writes and fails alone', async () => {
    const { commits, insert, committed } = setup();
    const results = await Promise.allSettled([
      commits.run(() => insert.run('a', 1)),
      commits.run(() => {
        insert.run('b', 1);
        insert.run('a', 1); // UNIQUE violation: this request's 'b' goes too
      }),
      commits.run(() => insert.run('c', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['a', 'c']);
  });

  it('a commit that fails fails every request of the batch, and none of their effects run', async () => {
    const { commits, insert, committed } = setup();
    const effects: string[] = [];
    const results = await Promise.allSettled([
      commits.run(() => {
        insert.run('x', 1);
        onCommit(db!, () => effects.push('x'));
      }),
      // A deferred foreign key is checked at COMMIT: this orphan makes the whole commit fail.
      commits.run(() => insert.run('orphan', 99)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(committed()).toEqual([]);
    expect(effects).toEqual([]);
    // The next batch is unaffected.
    await commits.run(() => insert.run('y', 1));
    expect(committed()).toEqual(['y']);
  });

  it('effects run after the commit, only for requests that succeeded; outside a batch at once', async () => {
    const { commits, insert, committed } = setup();
    const seen: string[][] = [];
    await Promise.allSettled([
      commits.run(() => {
        insert.run('p', 1);
        onCommit(db!, () => seen.push(committed()));
      }),
      commits.run(() => {
        onCommit(db!, () => seen.push(['never']));
        throw new Error('refused');
      }),
    ]);
    expect(seen).toEqual([['p']]);
    let ran = false;
    onCommit(db!, () => (ran = true));
    expect(ran).toBe(true);
  });
  // Each request's savepoint keeps the original of every page it changes in SQLite's statement
  // journal. Past 64 KiB that journal spills into a temp file (open, writes, unlink per batch)
  // unless temp_store is MEMORY, a cost on every batch of POST /v1/actions.
  it.runIf(process.platform === 'linux')('keeps the savepoints of a large batch in memory: no temp file is opened', async () => {
    const { db: d, commits } = setup();
    d.exec('CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const fill = d.prepare('INSERT INTO wide (body) VALUES (?)');
    d.transaction(() => {
      for (let i = 0; i < 200; i++) fill.run('a'.repeat(2000));
    })();
    const rewrite = d.prepare('UPDATE wide SET body = ?');
    const tempFiles = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => /etilqs_/.test(target));
    const seen: string[][] = [];
    // Two requests of one batch, each rewriting ~100 pages (400 KiB) inside its savepoint.
    await Promise.all(
      ['b', 'c'].map((ch) =>
        commits.run(() => {
          rewrite.run(ch.repeat(2000));
          seen.push(tempFiles());
        }),
      ),
    );
    expect(seen).toEqual([[], []]);
    expect(d.pragma('temp_store', { simple: true })).toBe(2);
  });
});
