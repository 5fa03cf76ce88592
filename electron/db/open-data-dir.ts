/**
 * Opens the data folder's `warden.db` for the server: the file checks of file-check.ts first,
 * then SQLite. A database SQLite cannot read, or one with no Warden schema in a folder that held
 * Warden data, refuses to start with the same restore advice.
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE } from '../common/data-dir.js';
import { FILE_MODE } from '../common/file-modes.js';
import { openDatabase, type Db, type OpenOptions } from './connection.js';
import { checkDatabaseFile, DatabaseUnusableError, restoreAdvice } from './file-check.js';
import { schemaVersion } from './migrate.js';

const UNREADABLE = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_CANTOPEN']);

export function openDataDirDatabase(dataDir: string, options: Omit<OpenOptions, 'beforeMigrate'> = {}): Db {
  const file = join(dataDir, DB_FILE);
  const state = checkDatabaseFile(dataDir);
  // A new database is created 0600 here; SQLite would use the umask's mode (its WAL and
  // shared-memory files copy the database's mode).
  if (state.kind === 'fresh') closeSync(openSync(file, 'a', FILE_MODE));
  const unusable = (what: string) =>
    new DatabaseUnusableError(`${file} ${what}: Warden will not start over it. Stop and ${restoreAdvice(dataDir)}`);
  try {
    return openDatabase(file, {
      ...options,
      beforeMigrate(db) {
        if (state.kind !== 'present') return;
        if (state.shorterThanHeader) {
          const check = db.pragma('quick_check', { simple: true }) as string;
          if (check !== 'ok') throw unusable(`is damaged (SQLite's check says: ${check})`);
        }
        // Every Warden database has a schema from its first start on; a blank one in a folder
        // that held data is a replaced file, not a new install.
        if (state.heldData && schemaVersion(db) === 0) throw unusable('holds no Warden data (schema version 0) though this folder did');
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (UNREADABLE.has(code) || code.startsWith('SQLITE_IOERR')) throw unusable(`cannot be read by SQLite (${(err as Error).message})`);
    throw err;
  }
}
