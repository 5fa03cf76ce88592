/**
 * The data folder holds secrets (the operator token, key hashes, every action's arguments): the
 * folder is 0700 and its database files and backups 0600. A folder or file found wider (made by
 * an older Warden, a copy, a restore by hand) is tightened at start, and the caller says so.
 * Windows has no such modes; there the per-user app-data folder's ACLs apply.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_DIR, DB_FILE, TOKEN_FILE } from './data-dir.js';
import { LOCK_DB_FILE, LOCK_FILE } from './data-dir-lock.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The database, its WAL and shared-memory files, and the folder's other files of Warden's own. */
export const PRIVATE_FILES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, TOKEN_FILE, LOCK_DB_FILE, LOCK_FILE] as const;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Sets `path` to `mode` when its permissions allow more; returns a note of the change, or null. */
function tighten(path: string, mode: number, label: string): string | null {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return null; // not there (yet): whoever creates it sets its mode
  }
  if ((current & ~mode) === 0) return null;
  chmodSync(path, mode);
  return `${label} ${octal(current)} → ${octal(mode)}`;
}

/** Creates the data folder 0700, or tightens an existing one; returns what was tightened. */
export function secureDataDir(dataDir: string, platform = process.platform): string[] {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  if (platform === 'win32') return [];
  return [tighten(dataDir, DIR_MODE, dataDir)].filter((n): n is string => n !== null);
}

/** Tightens Warden's files in the folder and its backups; returns what was tightened. */
export function secureDataFiles(dataDir: string, platform = process.platform): string[] {
  if (platform === 'win32') return [];
  const notes = PRIVATE_FILES.map((f) => tighten(join(dataDir, f), FILE_MODE, f));
  const backups = join(dataDir, BACKUP_DIR);
  notes.push(tighten(backups, DIR_MODE, `${BACKUP_DIR}/`));
  let names: string[] = [];
  try {
    names = readdirSync(backups);
  } catch {
    // no backups yet
  }
  for (const name of names) notes.push(tighten(join(backups, name), FILE_MODE, `${BACKUP_DIR}/${name}`));
  return notes.filter((n): n is string => n !== null);
}

/** The one-line notice for what was tightened, or null when nothing was. */
export function tightenedNotice(notes: readonly string[]): string | null {
  return notes.length ? `warden: tightened permissions that allowed other users in: ${notes.join(', ')}` : null;
}
