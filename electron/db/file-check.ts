/**
 * Before Warden opens `warden.db`: a folder that held Warden data must never be silently started
 * afresh. Evidence that it did: the operator token, a WAL beside the database, or a backup. With
 * such evidence a missing, empty, truncated or foreign database refuses to start, naming what is
 * wrong and how to restore. Only cheap reads here (a stat and the 100-byte header): startup cost
 * does not grow with the database.
 */
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_DIR, DB_FILE, TOKEN_FILE } from '../common/data-dir.js';

export const SQLITE_MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;

export class DatabaseUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnusableError';
  }
}

/** What the 100-byte header says, or why it cannot be read. */
export type HeaderCheck =
  | { kind: 'ok'; pageSize: number; pages: number | null }
  | { kind: 'not_sqlite' }
  | { kind: 'short' };

export function readHeader(file: string): HeaderCheck {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(HEADER_BYTES);
  let n: number;
  try {
    n = readSync(fd, buf, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.toString('latin1', 0, Math.min(n, 16)) !== SQLITE_MAGIC.slice(0, Math.min(n, 16))) return { kind: 'not_sqlite' };
  if (n < HEADER_BYTES) return { kind: 'short' };
  const raw = buf.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  // The in-header page count is valid when the "version-valid-for" number matches the change counter.
  const pages = buf.readUInt32BE(92) === buf.readUInt32BE(24) ? buf.readUInt32BE(28) : null;
  return { kind: 'ok', pageSize, pages };
}

/** Backup files in `DATA_DIR/backups`, newest last (their names sort by time). */
export function listBackups(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, BACKUP_DIR))
      .filter((n) => /^warden-.*\.db$/.test(n))
      .sort()
      .map((n) => join(dataDir, BACKUP_DIR, n));
  } catch {
    return [];
  }
}

export type DatabaseFileState =
  /** No database and nothing says there was one: a fresh folder. */
  | { kind: 'fresh' }
  /**
   * A database whose header looks sound. `shorterThanHeader`: the file is shorter than its header
   * says and a WAL is there to complete it; the caller checks the pages once it is open.
   */
  | { kind: 'present'; shorterThanHeader: boolean; heldData: boolean };

function evidence(dataDir: string): string[] {
  const found: string[] = [];
  if (existsSync(join(dataDir, TOKEN_FILE))) found.push(TOKEN_FILE);
  if (existsSync(join(dataDir, `${DB_FILE}-wal`))) found.push(`${DB_FILE}-wal`);
  if (listBackups(dataDir).length) found.push(`${BACKUP_DIR}/`);
  return found;
}

/** The message's second half: how to get the data back. */
export function restoreAdvice(dataDir: string): string {
  const newest = listBackups(dataDir).at(-1);
  return newest
    ? `restore the newest backup with \`warden restore ${newest}\` (add --data-dir ${dataDir} if it is not the default folder)`
    : `no backup was found in ${join(dataDir, BACKUP_DIR)}: restore a copy you have with \`warden restore FILE\`, or move the folder aside to start afresh`;
}

/**
 * Looks at `warden.db` without opening it. Throws DatabaseUnusableError when the folder held
 * Warden data and the database is missing, empty, truncated or not a database.
 */
export function checkDatabaseFile(dataDir: string): DatabaseFileState {
  const file = join(dataDir, DB_FILE);
  const held = evidence(dataDir);
  const refuse = (what: string): never => {
    throw new DatabaseUnusableError(
      `${file} ${what}, but this folder held Warden data (${held.join(', ')}); Warden will not start an empty ` +
        `database over it. Stop and ${restoreAdvice(dataDir)}`,
    );
  };
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DatabaseUnusableError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code}): fix its permissions, or ${restoreAdvice(dataDir)}`);
    }
    if (held.length) refuse('is missing');
    return { kind: 'fresh' };
  }
  if (size === 0) {
    if (held.length) refuse('is empty (0 bytes)');
    return { kind: 'fresh' };
  }
  let header: HeaderCheck;
  try {
    header = readHeader(file);
  } catch (err) {
    throw new DatabaseUnusableError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): fix its permissions, or ${restoreAdvice(dataDir)}`);
  }
  // Whatever else is in the folder, a file that is not SQLite is not ours to overwrite.
  if (header.kind === 'not_sqlite') {
    throw new DatabaseUnusableError(`${file} is not a SQLite database (its header is wrong): Warden will not start over it. Move it aside, or ${restoreAdvice(dataDir)}`);
  }
  if (header.kind === 'short') refuseAlways(file, `is truncated (${size} bytes, shorter than a SQLite header)`, dataDir);
  if (header.kind === 'ok' && header.pages !== null && size < header.pages * header.pageSize) {
    // A crash in the middle of a checkpoint leaves the file short of what its header says; the
    // WAL still holds every page and SQLite completes the file from it. Without a WAL it is lost.
    if (!existsSync(join(dataDir, `${DB_FILE}-wal`))) {
      refuseAlways(file, `is truncated (${size} bytes, its header says ${header.pages * header.pageSize})`, dataDir);
    }
    return { kind: 'present', shorterThanHeader: true, heldData: held.length > 0 };
  }
  return { kind: 'present', shorterThanHeader: false, heldData: held.length > 0 };
}

function refuseAlways(file: string, what: string, dataDir: string): never {
  throw new DatabaseUnusableError(`${file} ${what}: Warden will not start over it. Stop and ${restoreAdvice(dataDir)}`);
}
