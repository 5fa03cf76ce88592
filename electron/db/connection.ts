/** Opens the SQLite database in the data dir and brings its schema up to date. */
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * `normal` (default): WAL with synchronous=NORMAL — a committed transaction survives a crash
   * or `kill -9` of the process. `full`: also fsyncs every commit, surviving power loss.
   */
  durability?: 'normal' | 'full';
  /**
   * A better-sqlite3 addon built for this runtime's ABI. `npm start` builds one for Electron
   * beside the Node one that `npm test` and `warden serve` use; packaged apps need none.
   */
  nativeBinding?: string;
  /** Runs on the open connection before anything is set or written (a check that may throw to refuse the file). */
  beforeMigrate?: (db: Database.Database) => void;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // Before any pragma: a check that refuses the file must leave it exactly as it was.
    options.beforeMigrate?.(db);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db.close();
    throw err;
  }
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Savepoints (one per request in a group commit) keep the originals of the pages they change
  // in a statement journal, which past 64 KiB spills into a temp file opened, written and
  // unlinked per batch. In memory it costs a few MB at most and never needs to survive a crash.
  db.pragma('temp_store = MEMORY');
  try {
    migrate(db, MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

interface Controller {
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
  savepoint: Database.Statement;
  release: Database.Statement;
  rollbackTo: Database.Statement;
  /** One frame per open transaction or savepoint: what to undo in memory if it rolls back. */
  frames: (() => void)[][];
  /** Parallel to `frames`: what to run once the outermost transaction has committed. */
  commitFrames: (() => void)[][];
  /** Told when a whole transaction rolled back (memory mirrors may resync from the file). */
  onAbort: (() => void)[];
  /** The abort of the current transaction was already told to `onAbort`. */
  abortTold: boolean;
}

const controllers = new WeakMap<Db, Controller>();

function controllerOf(db: Db): Controller {
  let c = controllers.get(db);
  if (!c) {
    c = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT warden'),
      release: db.prepare('RELEASE warden'),
      rollbackTo: db.prepare('ROLLBACK TO warden'),
      frames: [],
      commitFrames: [],
      onAbort: [],
      abortTold: false,
    };
    controllers.set(db, c);
  }
  return c;
}

/** Runs a frame's undos, newest first, once: the frame is left empty. */
function undo(frame: (() => void)[]): void {
  const fns = frame.splice(0);
  for (let i = fns.length - 1; i >= 0; i--) fns[i]!();
}

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so two
 * processes never deadlock upgrading a read lock). Nested calls become savepoints: a nested
 * call that throws undoes only its own writes.
 *
 * The same semantics as better-sqlite3's `db.transaction(fn).immediate()`, with two additions:
 * it allocates nothing per call (it runs on every decision), and in-memory state that mirrors
 * rows (the quota counters) can register an undo with `onRollback`, run if the writes it
 * mirrors roll back.
 */
export function immediate<T>(db: Db, fn: () => T): T {
  const c = controllerOf(db);
  const nested = db.inTransaction;
  const frame: (() => void)[] = [];
  const commitFrame: (() => void)[] = [];
  (nested ? c.savepoint : c.begin).run();
  c.frames.push(frame);
  c.commitFrames.push(commitFrame);
  let result: T;
  try {
    result = fn();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      throw new TypeError('a transaction function cannot return a promise');
    }
    c.frames.pop();
    c.commitFrames.pop();
    if (nested) {
      c.release.run();
      // Released into the enclosing transaction: undone only if that one rolls back, announced
      // only once that one commits.
      c.frames[c.frames.length - 1]?.push(...frame);
      c.commitFrames[c.commitFrames.length - 1]?.push(...commitFrame);
    } else {
      c.commit.run();
      runCommitted(commitFrame);
    }
    return result;
  } catch (err) {
    if (c.frames[c.frames.length - 1] === frame) c.frames.pop();
    if (c.commitFrames[c.commitFrames.length - 1] === commitFrame) c.commitFrames.pop();
    if (db.inTransaction) {
      if (nested) {
        c.rollbackTo.run();
        c.release.run();
      } else {
        c.rollback.run();
      }
      undo(frame);
    } else {
      // SQLite rolled the whole transaction back on its own (a full disk, an I/O error) or the
      // commit failed: every enclosing frame is void too. Told once, by the innermost call.
      undo(frame);
      while (c.frames.length) undo(c.frames.pop()!);
      c.commitFrames.length = 0;
      if (!c.abortTold) for (const listener of c.onAbort) listener();
      c.abortTold = true;
    }
    throw err;
  } finally {
    if (!nested) c.abortTold = false;
  }
}

/**
 * Registers `fn` to run if the current transaction (or savepoint) rolls back. Outside a
 * transaction a write is already final, so nothing is registered.
 */
export function onRollback(db: Db, fn: () => void): void {
  const frames = controllerOf(db).frames;
  frames[frames.length - 1]?.push(fn);
}

/**
 * Registers `fn` to run once the outermost transaction commits: the one place where side
 * effects that announce a write (bus events, notifications, waiter wake-ups, caches that mirror
 * committed rows) are started. A savepoint that rolls back drops what it registered; so does a
 * transaction that rolls back or fails to commit. Outside a transaction the write is already
 * final, so `fn` runs at once.
 *
 * INVARIANT: nothing registered here runs before its writes are durable, and an effect that
 * throws never undoes or hides the committed write (it is reported, the others still run).
 */
export function onCommit(db: Db, fn: () => void): void {
  const frames = controllerOf(db).commitFrames;
  const frame = frames[frames.length - 1];
  if (frame) frame.push(fn);
  else if (db.inTransaction) throw new Error('onCommit inside a transaction not opened by immediate()');
  else runCommitted([fn]);
}

function runCommitted(effects: (() => void)[]): void {
  for (const effect of effects) {
    try {
      effect();
    } catch (err) {
      console.error('warden: an after-commit effect failed:', err);
    }
  }
}

/**
 * `fn` runs whenever a whole transaction was lost (SQLite aborted it or its commit failed),
 * after the undos: state mirroring rows can drop what it holds and reload it from the file.
 */
export function onTransactionAbort(db: Db, fn: () => void): void {
  controllerOf(db).onAbort.push(fn);
}
