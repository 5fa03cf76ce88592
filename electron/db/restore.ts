/**
 * `warden restore FILE` and `warden backup` without a running server. Both hold the folder's
 * lock while they work, so no server starts on a half-replaced database; restore refuses while a
 * server runs. A restore checks the file is a sound Warden database this version understands
 * before anything in the folder changes, and keeps the database it replaces aside.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { toIso } from '../common/clock.js';
import { DB_FILE } from '../common/data-dir.js';
import { DataDirInUseError, lockDataDir } from '../common/data-dir-lock.js';
import { DIR_MODE, FILE_MODE, secureDataDir } from '../common/file-modes.js';
import { BACKUPS_KEPT, backupTo, pruneBackups, type BackupInfo } from './backups.js';
import { checkDatabaseFile, DatabaseUnusableError, readHeader } from './file-check.js';
import { MIGRATIONS } from './migrations/index.js';

/** Where replaced databases are kept. */
export const REPLACED_DIR = 'replaced';
/** Tables every Warden database has had since its first version. */
const CORE_TABLES = ['agents', 'audit', 'operators'];

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

function takeLock(dataDir: string, doing: string, nativeBinding?: string): () => void {
  try {
    return lockDataDir(dataDir, { nativeBinding });
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      throw new RestoreError(`a Warden (${err.pid === null ? 'pid unknown' : `pid ${err.pid}`}) is running on ${dataDir}: quit it before you ${doing}`);
    }
    throw err;
  }
}

/** Throws RestoreError unless `file` (already copied into place under a temporary name) is a sound Warden database. */
function checkCandidate(file: string, source: string, nativeBinding?: string): void {
  const header = readHeader(file);
  if (header.kind !== 'ok') throw new RestoreError(`${source} is not a SQLite database`);
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (err) {
    throw new RestoreError(`${source} cannot be opened: ${(err as Error).message}`);
  }
  try {
    let check: string;
    try {
      check = db.pragma('quick_check', { simple: true }) as string;
    } catch (err) {
      throw new RestoreError(`${source} is damaged: ${(err as Error).message}`);
    }
    if (check !== 'ok') throw new RestoreError(`${source} is damaged: SQLite's check says ${check}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    const missing = CORE_TABLES.filter((t) => !tables.has(t));
    if (version < 1 || missing.length) {
      throw new RestoreError(`${source} is not a Warden database (schema version ${version}${missing.length ? `, no ${missing.join(', ')} table` : ''})`);
    }
    if (version > MIGRATIONS.length) {
      throw new RestoreError(`${source} is at schema version ${version} but this Warden understands up to ${MIGRATIONS.length}: restore it with a newer Warden`);
    }
    // The restored file is what the server opens next: in WAL mode, as the server keeps it.
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  restored: string;
  /** Where the replaced database was moved, or null when the folder had none. */
  replaced: string | null;
}

/**
 * Replaces the folder's database with `source`. Refuses while a server runs on the folder and
 * when `source` is not a sound Warden database of a supported schema version.
 */
export function restoreDatabase(dataDir: string, source: string, options: { now?: number; nativeBinding?: string } = {}): RestoreResult {
  const from = resolve(source);
  if (!existsSync(from)) throw new RestoreError(`${source} does not exist`);
  secureDataDir(dataDir);
  const release = takeLock(dataDir, 'restore', options.nativeBinding);
  const target = join(dataDir, DB_FILE);
  const incoming = join(dataDir, `${DB_FILE}.restoring`);
  try {
    for (const f of [incoming, `${incoming}-wal`, `${incoming}-shm`]) rmSync(f, { force: true });
    copyFileSync(from, incoming);
    chmodSync(incoming, FILE_MODE);
    // A copy of a live database may have its WAL beside it: it holds committed rows too.
    if (existsSync(`${from}-wal`)) {
      copyFileSync(`${from}-wal`, `${incoming}-wal`);
      chmodSync(`${incoming}-wal`, FILE_MODE);
    }
    checkCandidate(incoming, source, options.nativeBinding);
    let replaced: string | null = null;
    const present = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`].filter((f) => existsSync(join(dataDir, f)));
    if (present.length) {
      const aside = join(dataDir, REPLACED_DIR);
      mkdirSync(aside, { recursive: true, mode: DIR_MODE });
      const stamp = toIso(options.now ?? Date.now()).replace(/[:.]/g, '-');
      replaced = join(aside, `warden-${stamp}.db`);
      // INVARIANT: the WAL and shared-memory files leave with their database; a stale WAL
      // beside the restored file would be replayed into it.
      for (const f of present) renameSync(join(dataDir, f), join(aside, f.replace(DB_FILE, `warden-${stamp}.db`)));
    }
    renameSync(incoming, target);
    rmSync(`${incoming}-shm`, { force: true });
    return { restored: target, replaced };
  } catch (err) {
    for (const f of [incoming, `${incoming}-wal`, `${incoming}-shm`]) rmSync(f, { force: true });
    throw err;
  } finally {
    release();
  }
}

/** `warden backup` when no server runs: a backup of the folder's database, taken under its lock. */
export async function backupOffline(dataDir: string, options: { now?: number; nativeBinding?: string } = {}): Promise<BackupInfo> {
  const release = takeLock(dataDir, 'back up the database file directly', options.nativeBinding);
  try {
    const state = checkDatabaseFile(dataDir);
    if (state.kind === 'fresh') throw new DatabaseUnusableError(`${join(dataDir, DB_FILE)} does not exist: there is nothing to back up`);
    const info = await backupTo(dataDir, options.now ?? Date.now(), { nativeBinding: options.nativeBinding });
    pruneBackups(dataDir, BACKUPS_KEPT);
    return info;
  } finally {
    release();
  }
}
