/**
 * `GET /v1/audit/verify` off the event loop: a worker thread with its own read-only connection
 * re-hashes the chain while the server keeps answering. Verification is incremental: the last
 * row found sound (its seq and hash) is remembered, and the next run starts from it — after
 * checking that this row is still there and still hashes to what was remembered — so each run
 * reads only the rows appended since. `{ full: true }` starts from the first row again; so does
 * the first run after a start, since the position lives in memory.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chainText, GENESIS, type VerifyResult } from './chain.js';

interface Anchor {
  seq: number;
  id: string | null;
  hash: string;
  rows: number;
}

interface WorkerReply {
  ok: boolean;
  rows: number;
  first_bad_id: string | null;
  last: { seq: number; id: string; hash: string } | null;
  error?: string;
}

// CommonJS evaluated from a string, like the checkpoint worker, so it runs the same under Node,
// Electron (inside app.asar) and the test runner. `chainText` is the writer's own function.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.sqliteModule);
const chainText = (${chainText.toString()});
const hashOf = (prev, r) => createHash('sha256').update(chainText(prev, r)).digest('hex');
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true, ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) });
  db.pragma('busy_timeout = 5000');
  const from = workerData.from;
  let prev = from.hash;
  let rows = from.rows;
  let last = null;
  let bad = null;
  // One read transaction: the rows checked are one consistent snapshot.
  db.exec('BEGIN');
  if (from.seq > 0) {
    const anchor = db.prepare('SELECT * FROM audit WHERE seq = ?').get(from.seq);
    if (!anchor || anchor.id !== from.id || anchor.hash !== from.hash || hashOf(anchor.prev_hash, anchor) !== anchor.hash) bad = from.id;
  }
  if (bad === null) {
    for (const r of db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq').iterate(from.seq)) {
      rows++;
      if (r.prev_hash !== prev || hashOf(prev, r) !== r.hash) { bad = r.id; break; }
      prev = r.hash;
      last = { seq: r.seq, id: r.id, hash: r.hash };
    }
  }
  db.exec('COMMIT');
  parentPort.postMessage({ ok: bad === null, rows, first_bad_id: bad, last });
} catch (err) {
  parentPort.postMessage({ error: String((err && err.message) || err) });
} finally {
  if (db) db.close();
}
`;

export interface AuditVerifierOptions {
  /** better-sqlite3's `nativeBinding`, when the app opens the database with one. */
  nativeBinding?: string;
}

export class AuditVerifier {
  private anchor: Anchor = { seq: 0, id: null, hash: GENESIS, rows: 0 };
  private running: Promise<VerifyResult> | null = null;
  private readonly sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(
    private readonly file: string,
    private readonly options: AuditVerifierOptions = {},
  ) {}

  /** Verifies the rows appended since the last sound run (all rows with `full`). Concurrent calls share one run. */
  verify(options: { full?: boolean } = {}): Promise<VerifyResult> {
    if (options.full) this.anchor = { seq: 0, id: null, hash: GENESIS, rows: 0 };
    this.running ??= this.runWorker().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private runWorker(): Promise<VerifyResult> {
    const from = this.anchor;
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // The source is CommonJS: a parent started with `--input-type=module` must not pass that on.
        execArgv: [],
        workerData: { file: this.file, sqliteModule: this.sqliteModule, nativeBinding: this.options.nativeBinding, from },
      });
      let settled = false;
      worker.once('message', (m: WorkerReply) => {
        settled = true;
        if (m.error !== undefined) return reject(new Error(`audit verification failed: ${m.error}`));
        // Only a sound run moves the position: a bad row is found again by every later run.
        if (m.ok && m.last) this.anchor = { seq: m.last.seq, id: m.last.id, hash: m.last.hash, rows: m.rows };
        resolve({ ok: m.ok, rows: m.rows, first_bad_id: m.first_bad_id });
      });
      worker.once('error', (err) => {
        settled = true;
        reject(err);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`the audit verification worker exited with code ${code}`));
      });
    });
  }
}
