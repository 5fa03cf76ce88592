/**
 * One Warden per data folder. The database is shared safely between processes, but a running
 * Warden keeps state for its folder in memory: the quota counters, the approval waiters and
 * their TTL timers. A second server on the same folder (`warden serve` while the desktop app
 * runs, which would fall back to a free port) would split those: an agent waiting on one would
 * never hear a decision taken in the other. So the second one refuses to start and says why.
 *
 * The lock is a file holding the owner's pid, created exclusively. A lock whose process is gone
 * (a crash, `kill -9`) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'warden.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another Warden (pid ${pid}) is using ${dataDir}: quit it first, or give this one another folder ` +
        `(--data-dir or WARDEN_DATA_DIR); if no Warden is running, delete ${join(dataDir, LOCK_FILE)}`,
    );
    this.name = 'DataDirInUseError';
  }
}

function ownerOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock; returns its release. Throws DataDirInUseError when it is held. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = ownerOf(file);
      if (owner !== null && owner !== process.pid && isRunning(owner)) throw new DataDirInUseError(dataDir, owner);
      // Left by a process that is gone (or unreadable, half-written): take it over.
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (ownerOf(file) === process.pid) rmSync(file, { force: true });
    };
  }
  throw new Error(`could not take the lock ${file}: it keeps reappearing`);
}
