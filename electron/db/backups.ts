/**
 * Online backups of `warden.db` with SQLite's backup API, in a worker thread with its own
 * connection: the copy (and the fsync of a file as large as the database) never holds the event
 * loop. The copy is taken in one step, inside one read transaction, so it is one consistent
 * snapshot; in WAL mode that reader never blocks the server's writes. Each backup is written
 * under a temporary name, checked, made a standalone file (rollback journal, no WAL beside it),
 * then renamed into `DATA_DIR/backups/`; only the newest `keep` stay.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { toIso, type Clock } from '../common/clock.js';
import { BACKUP_DIR, DB_FILE } from '../common/data-dir.js';
import { DIR_MODE, FILE_MODE } from '../common/file-modes.js';
import { listBackups } from './file-check.js';

export const BACKUPS_KEPT = 7;
export const BACKUP_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface BackupInfo {
  file: string;
  size_bytes: number;
  created_at: string;
}

/** `warden-2026-01-05T12-00-00-000Z.db`: names sort by time. */
export function backupName(ms: number): string {
  return `warden-${toIso(ms).replace(/[:.]/g, '-')}.db`;
}

// CommonJS evaluated from a string, like the checkpoint worker (see checkpointer.ts). The first
// transfer of better-sqlite3's backup copies no page; the progress callback then asks for every
// remaining page in one step, so the copy is one read transaction.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const binding = workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {};
(async () => {
  let db;
  try {
    db = new Database(workerData.source, { fileMustExist: true, ...binding });
    db.pragma('busy_timeout = 5000');
    await db.backup(workerData.partial, { progress: () => 0x7fffffff });
    db.close();
    db = undefined;
    const copy = new Database(workerData.partial, { fileMustExist: true, ...binding });
    try {
      copy.pragma('journal_mode = DELETE');
      parentPort.postMessage({ version: copy.pragma('user_version', { simple: true }) });
    } finally {
      copy.close();
    }
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  } finally {
    if (db) db.close();
  }
})();
`;

export interface BackupOptions {
  /** better-sqlite3's `nativeBinding`, when the app opens the database with one. */
  nativeBinding?: string;
  /** Aborts the copy: its worker is stopped and the partial file removed. */
  signal?: AbortSignal;
}

/** Copies the folder's database into its `backups/` as a finished backup file. */
export async function backupTo(dataDir: string, ms: number, options: BackupOptions = {}): Promise<BackupInfo> {
  const dir = join(dataDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // Two backups in one millisecond: the later one takes the next free name, so names keep sorting.
  let stamp = ms;
  while (existsSync(join(dir, backupName(stamp)))) stamp++;
  const final = join(dir, backupName(stamp));
  const partial = `${final}.partial`;
  // Created 0600 first: SQLite would create it with the umask's mode.
  closeSync(openSync(partial, 'w', FILE_MODE));
  try {
    const version = await runWorker(join(dataDir, DB_FILE), partial, options);
    if (!(version >= 1)) throw new Error(`the backup has no Warden schema (user_version ${version})`);
    renameSync(partial, final);
  } catch (err) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    throw err;
  }
  return { file: final, size_bytes: statSync(final).size, created_at: toIso(ms) };
}

function runWorker(source: string, partial: string, options: BackupOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new BackupAborted());
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The source is CommonJS: a parent started with `--input-type=module` must not pass that on.
      execArgv: [],
      workerData: { source, partial, sqliteModule: createRequire(import.meta.url).resolve('better-sqlite3'), nativeBinding: options.nativeBinding },
    });
    let settled = false;
    const onAbort = () => {
      settled = true;
      void worker.terminate().then(() => reject(new BackupAborted()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (fn: () => void) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      fn();
    };
    worker.once('message', (m: { version?: number; error?: string }) =>
      done(() => (m.error !== undefined ? reject(new Error(`the backup failed: ${m.error}`)) : resolve(m.version ?? 0))),
    );
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) => done(() => reject(new Error(`the backup worker exited with code ${code}`))));
  });
}

export class BackupAborted extends Error {
  constructor() {
    super('the backup was stopped');
    this.name = 'BackupAborted';
  }
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
  private readonly abort = new AbortController();

  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly options: BackupSchedulerOptions = {},
  ) {}

  /** Takes a backup now; a caller arriving while one runs gets that one. */
  run(): Promise<BackupInfo> {
    if (this.stopped) return Promise.reject(new Error('the server is stopping'));
    this.running ??= backupTo(this.dataDir, this.clock.now(), { nativeBinding: this.options.nativeBinding, signal: this.abort.signal })
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

  /** Cancels the schedule and abandons a backup in progress (its partial file is removed). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }
}
