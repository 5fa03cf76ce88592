/**
 * Online backups of `warden.db` with SQLite's backup API: a consistent copy taken while the
 * server keeps running. It copies a few hundred pages per event-loop turn, so requests keep
 * being answered; writes made meanwhile through the same connection are carried into the copy.
 * Each backup is written under a temporary name, checked, made a standalone file (rollback
 * journal, no WAL beside it), then renamed into `DATA_DIR/backups/`; only the newest `keep` stay.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toIso, type Clock } from '../common/clock.js';
import { BACKUP_DIR } from '../common/data-dir.js';
import { DIR_MODE, FILE_MODE } from '../common/file-modes.js';
import type { Db } from './connection.js';
import { listBackups } from './file-check.js';

export const BACKUPS_KEPT = 7;
export const BACKUP_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Pages copied per event-loop turn. */
const PAGES_PER_STEP = 256;

export interface BackupInfo {
  file: string;
  size_bytes: number;
  created_at: string;
}

/** `warden-2026-01-05T12-00-00-000Z.db`: names sort by time. */
export function backupName(ms: number): string {
  return `warden-${toIso(ms).replace(/[:.]/g, '-')}.db`;
}

class BackupAborted extends Error {}

/**
 * Copies the database open on `db` into `dir` as a finished backup file. `shouldStop` is asked
 * between steps: when it says yes the copy is abandoned and its partial file removed.
 */
export async function backupTo(db: Db, dir: string, ms: number, options: { nativeBinding?: string; shouldStop?: () => boolean } = {}): Promise<BackupInfo> {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // Two backups in one millisecond: the later one takes the next free name, so names keep sorting.
  let stamp = ms;
  while (existsSync(join(dir, backupName(stamp)))) stamp++;
  const final = join(dir, backupName(stamp));
  const partial = `${final}.partial`;
  // Created 0600 first: SQLite would create it with the umask's mode.
  closeSync(openSync(partial, 'w', FILE_MODE));
  try {
    await db.backup(partial, {
      progress: () => {
        if (options.shouldStop?.()) throw new BackupAborted('the backup was stopped');
        return PAGES_PER_STEP;
      },
    });
    const copy = new Database(partial, { fileMustExist: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
    try {
      // A standalone file: no WAL to carry along when it is copied or restored.
      copy.pragma('journal_mode = DELETE');
      const version = copy.pragma('user_version', { simple: true }) as number;
      if (!(version >= 1)) throw new Error(`the backup ${partial} has no Warden schema (user_version ${version})`);
    } finally {
      copy.close();
    }
    renameSync(partial, final);
  } catch (err) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    throw err;
  }
  return { file: final, size_bytes: statSync(final).size, created_at: toIso(ms) };
}

/** Removes all but the newest `keep` backups of the folder. */
export function pruneBackups(dataDir: string, keep = BACKUPS_KEPT): void {
  const all = listBackups(dataDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { force: true });
}

export interface BackupSchedulerOptions {
  keep?: number;
  intervalMs?: number;
  nativeBinding?: string;
  /** Told when a scheduled backup fails (the server keeps running). */
  onError?: (err: Error) => void;
}

/** The running server's backups: one at a time, at start, daily, and on request. */
export class BackupScheduler {
  private running: Promise<BackupInfo> | null = null;
  private cancelTimer: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly options: BackupSchedulerOptions = {},
  ) {}

  /** Takes a backup now; a caller arriving while one runs gets that one. */
  run(): Promise<BackupInfo> {
    if (this.stopped) return Promise.reject(new Error('the server is stopping'));
    this.running ??= backupTo(this.db, join(this.dataDir, BACKUP_DIR), this.clock.now(), {
      nativeBinding: this.options.nativeBinding,
      shouldStop: () => this.stopped,
    })
      .then((info) => {
        pruneBackups(this.dataDir, this.options.keep ?? BACKUPS_KEPT);
        return info;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** A backup right away (off the startup path: the caller is already listening), then one per interval. */
  start(): void {
    const tick = () => {
      this.cancelTimer = null;
      if (this.stopped) return;
      this.run().then(
        () => this.arm(tick),
        (err: unknown) => {
          if (!(err instanceof BackupAborted) && !this.stopped) this.options.onError?.(err as Error);
          this.arm(tick);
        },
      );
    };
    this.cancelTimer = this.clock.setTimer(0, tick);
  }

  private arm(tick: () => void): void {
    if (!this.stopped) this.cancelTimer = this.clock.setTimer(this.options.intervalMs ?? BACKUP_INTERVAL_MS, tick);
  }

  /** Cancels the schedule and abandons a backup in progress; resolves once it has let go of the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.running?.catch(() => undefined);
  }
}
