/**
 * One Warden per data folder. A running Warden owns `warden.db` and keeps state for its folder
 * in memory (the quota counters, the approval waiters and their TTL timers), so a second server
 * on the same folder refuses to start and says why.
 *
 * The lock is held by the kernel, so it can never be stale: an exclusive SQLite lock on a small
 * file, `warden.lock.db`, taken with `PRAGMA locking_mode=EXCLUSIVE` and a write transaction and
 * kept for the process's life. The operating system drops it the moment the process ends,
 * however it ends (`kill -9`, a crash, a reboot); nothing has to be cleaned up by hand.
 *
 * `warden.lock` beside it only tells a refused process whom to name: the owner writes its pid
 * there after it holds the lock. Its content never decides anything (a Warden of an older
 * version, which used that file as its lock, still sees a live pid there and refuses too).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_DB_FILE = 'warden.lock.db';
/** The owner's pid, for the refusal message only. */
export const LOCK_FILE = 'warden.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | null,
  ) {
    super(
      `another Warden (${pid === null ? 'pid unknown' : `pid ${pid}`}) is using ${dataDir}: quit it first, ` +
        'or give this one another folder (--data-dir or WARDEN_DATA_DIR)',
    );
    this.name = 'DataDirInUseError';
  }
}

export interface LockOptions {
  /** better-sqlite3's `nativeBinding`, when the app opens SQLite with one. */
  nativeBinding?: string;
}

/** The pid the owner wrote, or null when there is none to read. */
export function lockOwnerPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const isBusy = (err: unknown) => {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
};

function openLockDb(file: string, options: LockOptions): Database.Database {
  // Created 0600 before SQLite sees it: SQLite would create it with the umask's mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('busy_timeout = 0');
    // No journal file beside it: its content does not matter, only the lock does.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    // The write takes SQLite's EXCLUSIVE lock; in exclusive locking mode it is kept after COMMIT.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner;');
    db.prepare('INSERT INTO owner (pid) VALUES (?)').run(process.pid);
    db.exec('COMMIT');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Takes the folder's lock; returns its release. Throws DataDirInUseError while another process
 * (or another app in this process) holds it.
 */
export function lockDataDir(dataDir: string, options: LockOptions = {}): () => void {
  const file = join(dataDir, LOCK_DB_FILE);
  let db: Database.Database;
  try {
    db = openLockDb(file, options);
  } catch (err) {
    if (isBusy(err)) throw new DataDirInUseError(dataDir, lockOwnerPid(dataDir));
    if ((err as { code?: string }).code !== 'SQLITE_NOTADB') throw err;
    // Not a database (overwritten by hand): its content never mattered, start it again. Nobody
    // holds it, since a holder keeps it a valid database.
    rmSync(file, { force: true });
    db = openLockDb(file, options);
  }
  const pidFile = join(dataDir, LOCK_FILE);
  const fd = openSync(pidFile, 'w', 0o600);
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (lockOwnerPid(dataDir) === process.pid) rmSync(pidFile, { force: true });
    db.close();
  };
}

/**
 * Whether a Warden holds the folder right now, and its pid when it wrote one. Takes and gives
 * back the lock when it is free, so it answers for this instant only.
 */
export function dataDirHolder(dataDir: string, options: LockOptions = {}): { held: false } | { held: true; pid: number | null } {
  try {
    const release = lockDataDir(dataDir, options);
    release();
    return { held: false };
  } catch (err) {
    if (err instanceof DataDirInUseError) return { held: true, pid: err.pid };
    throw err;
  }
}
