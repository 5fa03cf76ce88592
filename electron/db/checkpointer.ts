/**
 * Moves WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit
 * that crosses the threshold, so every ~1,000 pages one unlucky request copies the WAL into the
 * database file and fsyncs it while every other request waits.
 * A worker thread with its own connection runs PASSIVE checkpoints instead, which never
 * block writers; the main connection keeps a much larger automatic threshold as a backstop, and
 * falls back to SQLite's default the moment the worker fails.
 *
 * Durability is unchanged: a commit is durable when it is in the WAL; checkpoints only move
 * already-durable pages.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './connection.js';

/** SQLite's default wal_autocheckpoint, restored whenever the worker is not running. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The main connection's threshold while the worker checkpoints (~40 MB of 4 KiB pages). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

export interface CheckpointerOptions {
  /** How often the worker checkpoints. Default 200 ms. */
  intervalMs?: number;
  /** The better-sqlite3 entry the worker loads. Default: the one this app uses. */
  sqliteModule?: string;
  /** better-sqlite3's `nativeBinding`, when the app opens the database with one. */
  nativeBinding?: string;
  /** Told after each checkpoint that moved frames (tests, diagnostics). */
  onCheckpoint?: (frames: number) => void;
  /** Told when the worker fails; checkpoints are back on the main connection by then. */
  onError?: (err: Error) => void;
}

export interface Checkpointer {
  /** Stops the worker and closes its connection; the main connection checkpoints again. */
  stop(): Promise<void>;
}

// The worker is a few lines of CommonJS evaluated from a string, so it runs the same under
// Node, Electron (no file to find inside app.asar) and the test runner (no compiled .js beside
// the .ts source). Messages: { checkpointed } after progress, { error } on failure.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) });
  db.pragma('busy_timeout = 1000');
} catch (err) {
  parentPort.postMessage({ error: String((err && err.message) || err) });
  process.exit(1);
}
let backfilled = 0;
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // The WAL restarts from its beginning after a full checkpoint; count what moved.
    if (r.checkpointed < backfilled) backfilled = 0;
    if (r.checkpointed > backfilled) parentPort.postMessage({ checkpointed: r.checkpointed - backfilled });
    backfilled = r.checkpointed;
  } catch (err) {
    clearInterval(timer);
    parentPort.postMessage({ error: String((err && err.message) || err) });
    process.exit(1);
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

export function startCheckpointer(db: Db, file: string, options: CheckpointerOptions = {}): Checkpointer {
  const sqliteModule = options.sqliteModule ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The source is CommonJS: a parent started with `--input-type=module` must not pass that on.
    execArgv: [],
    workerData: { file, sqliteModule, nativeBinding: options.nativeBinding, intervalMs: options.intervalMs ?? 200 },
  });
  worker.unref();
  let running = true;
  const fallBack = () => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('online', () => {
    if (running && db.open) db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  });
  worker.on('message', (m: { checkpointed?: number; error?: string }) => {
    if (m.error !== undefined) {
      fallBack();
      options.onError?.(new Error(`the checkpoint worker failed: ${m.error}`));
    } else if (m.checkpointed) {
      options.onCheckpoint?.(m.checkpointed);
    }
  });
  worker.once('error', (err) => {
    fallBack();
    options.onError?.(err);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    fallBack();
    resolve();
  }));
  return {
    async stop() {
      fallBack();
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
