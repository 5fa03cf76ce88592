/**
 * `immediate()` on a real SQLite file: nested calls are savepoints, and the undos registered
 * with `onRollback` run exactly when the writes they mirror are rolled back, never after a commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { immediate, onCommit, onRollback, onTransactionAbort, openDatabase, type Db } from '../../../electron/db/connection.js';

let dir = '';
let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A table and an in-memory mirror of its rows, kept with onRollback like QuotaCounters does. */
function setup() {
  dir = mkdtempSync(join(tmpdir(), 'warden-tx-'));
  db = openDatabase(join(dir, 'warden.db'));
  db.exec('CREATE TABLE item (name TEXT PRIMARY KEY)');
  const d = db;
  const mirror = new Set<string>();
  const insert = d.prepare('INSERT INTO item (name) VALUES (?)');
  const add = (name: string) => {
    const had = mirror.has(name);
    mirror.add(name);
    onRollback(d, () => {
      if (!had) mirror.delete(name);
    });
    insert.run(name);
  };
  const rows = () => (d.prepare('SELECT name FROM item ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  return { d, mirror, add, rows, sorted: () => [...mirror].sort() };
}

describe('immediate() and onRollback', () => {
  it('commits and keeps the mirror when nothing fails', () => {
    const { d, add, rows, sorted } = setup();
    immediate(d, () => {
      add('a');
      immediate(d, () => add('b'));
    });
    expect(rows()).toEqual(['a', 'b']);
    expect(sorted()).toEqual(['a', 'b']);
    expect(d.inTransaction).toBe(false);
  });

  it('a failing savepoint undoes its own writes and mirror entries only', () => {
    const { d, add, rows, sorted } = setup();
    immediate(d, () => {
      add('a');
      expect(() =>
        immediate(d, () => {
          add('b');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      add('c');
    });
    expect(rows()).toEqual(['a', 'c']);
    expect(sorted()).toEqual(['a', 'c']);
  });

  it('a savepoint released into a transaction that then fails is undone with it', () => {
    const { d, add, rows, sorted } = setup();
    add('kept'); // outside a transaction: final at once, nothing registered
    expect(() =>
      immediate(d, () => {
        immediate(d, () => add('inner'));
        add('outer');
        throw new Error('late');
      }),
    ).toThrow('late');
    expect(rows()).toEqual(['kept']);
    expect(sorted()).toEqual(['kept']);
  });

  it('a write SQLite refuses rolls back the request, and the mirror follows', () => {
    const { d, add, rows, sorted } = setup();
    immediate(d, () => add('a'));
    expect(() =>
      immediate(d, () => {
        add('b');
        add('a'); // PRIMARY KEY violation
      }),
    ).toThrow(/UNIQUE/);
    expect(rows()).toEqual(['a']);
    expect(sorted()).toEqual(['a']);
  });

  it('undos run newest first', () => {
    const { d } = setup();
    const order: string[] = [];
    expect(() =>
      immediate(d, () => {
        onRollback(d, () => order.push('first'));
        immediate(d, () => onRollback(d, () => order.push('second')));
        onRollback(d, () => order.push('third'));
        throw new Error('x');
      }),
    ).toThrow('x');
    expect(order).toEqual(['third', 'second', 'first']);
  });

  it('a failed COMMIT undoes the whole transaction and tells the abort listeners', () => {
    const { d, add, rows, sorted } = setup();
    d.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    // A deferred foreign key is checked at COMMIT: the commit itself fails.
    expect(() =>
      immediate(d, () => {
        add('a');
        d.prepare('INSERT INTO child (parent_id) VALUES (42)').run();
      }),
    ).toThrow(/FOREIGN KEY/);
    expect(d.inTransaction).toBe(false);
    expect(rows()).toEqual([]);
    expect(sorted()).toEqual([]);
    // The next transaction starts clean.
    immediate(d, () => add('b'));
    expect(sorted()).toEqual(['b']);
  });

  it('when SQLite aborts the whole transaction inside a savepoint, every frame is undone and the abort listeners run', () => {
    const { d, add, rows, sorted } = setup();
    d.exec('CREATE TABLE big (v TEXT)');
    let aborted = 0;
    onTransactionAbort(d, () => aborted++);
    // A full disk: SQLite rolls the whole transaction back, not only the statement.
    d.pragma(`max_page_count = ${(d.pragma('page_count', { simple: true }) as number) + 3}`);
    const big = d.prepare('INSERT INTO big (v) VALUES (?)');
    expect(() =>
      immediate(d, () => {
        add('outer');
        immediate(d, () => {
          add('inner');
          for (let i = 0; i < 100; i++) big.run('x'.repeat(3000));
        });
      }),
    ).toThrow(/full/i);
    expect(d.inTransaction).toBe(false);
    expect(aborted).toBe(1);
    expect(rows()).toEqual([]);
    expect(sorted()).toEqual([]);
  });

  it('refuses a function returning a promise, and rolls it back', () => {
    const { d, add, rows } = setup();
    expect(() =>
      immediate(d, () => {
        add('a');
        return Promise.resolve(1);
      }),
    ).toThrow(/promise/);
    expect(rows()).toEqual([]);
  });
});

describe('onCommit', () => {
  it('runs after the outermost commit, when the rows are visible, in registration order', () => {
    const { d, add, rows } = setup();
    const seen: string[][] = [];
    immediate(d, () => {
      add('a');
      onCommit(d, () => seen.push(['first', ...rows()]));
      immediate(d, () => {
        add('b');
        onCommit(d, () => seen.push(['nested', ...rows()]));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([
      ['first', 'a', 'b'],
      ['nested', 'a', 'b'],
    ]);
  });

  it('drops what a rolled-back savepoint registered and keeps the rest', () => {
    const { d, add } = setup();
    const seen: string[] = [];
    immediate(d, () => {
      onCommit(d, () => seen.push('kept'));
      expect(() =>
        immediate(d, () => {
          add('x');
          onCommit(d, () => seen.push('dropped'));
          throw new Error('boom');
        }),
      ).toThrow('boom');
    });
    expect(seen).toEqual(['kept']);
  });

  it('runs nothing when the whole transaction rolls back, or when SQLite aborts it', () => {
    const { d, add } = setup();
    const seen: string[] = [];
    expect(() =>
      immediate(d, () => {
        add('a');
        onCommit(d, () => seen.push('never'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    d.exec('CREATE TABLE big (v TEXT)');
    d.pragma(`max_page_count = ${(d.pragma('page_count', { simple: true }) as number) + 3}`);
    const big = d.prepare('INSERT INTO big (v) VALUES (?)');
    expect(() =>
      immediate(d, () => {
        onCommit(d, () => seen.push('never either'));
        immediate(d, () => {
          onCommit(d, () => seen.push('nor this'));
          for (let i = 0; i < 100; i++) big.run('x'.repeat(3000));
        });
      }),
    ).toThrow(/full/i);
    expect(seen).toEqual([]);
    // The next transaction starts clean: nothing left over from the aborted one.
    d.pragma('max_page_count = 1073741823');
    immediate(d, () => onCommit(d, () => seen.push('next')));
    expect(seen).toEqual(['next']);
  });

  it('runs at once outside a transaction; an effect that throws does not stop the others', () => {
    const { d } = setup();
    const seen: string[] = [];
    onCommit(d, () => seen.push('now'));
    expect(seen).toEqual(['now']);
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      immediate(d, () => {
        onCommit(d, () => {
          throw new Error('announce failed');
        });
        onCommit(d, () => seen.push('still'));
      });
      expect(report).toHaveBeenCalledTimes(1);
    } finally {
      report.mockRestore();
    }
    expect(seen).toEqual(['now', 'still']);
  });

  it('refuses a transaction it cannot see the end of', () => {
    const { d } = setup();
    d.exec('BEGIN');
    try {
      expect(() => onCommit(d, () => undefined)).toThrow(/immediate/);
    } finally {
      d.exec('ROLLBACK');
    }
  });
});
