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
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db, MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so two
 * processes never deadlock upgrading a read lock). Nested calls become savepoints.
 */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
