/**
 * `Idempotency-Key` on POST: the same key with the same body within 24 h replays the first
 * response; the same key with a different body is 409 `idempotency_conflict`. Keys are scoped
 * to the caller, so two agents cannot collide. A response carrying a secret shown once (an API
 * key, an operator token) is recorded without its body, so it cannot be replayed.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { toIso, type Clock } from '../common/clock.js';
import { HttpError } from './errors.js';

const WINDOW_MS = 24 * 3600 * 1000;

export interface StoredResponse {
  status: number;
  /** The JSON sent; null when it carried a one-time secret and so was not kept. */
  body: string | null;
}

// INVARIANT: a kept body is JSON text, never empty, so '' can stand for "not kept" in the
// NOT NULL `body` column.
const WITHHELD = '';

export class IdempotencyStore {
  private readonly getStmt;
  private readonly putStmt;

  private readonly db: Db;
  private readonly clock: Clock;

  constructor({ db, clock }: { db: Db; clock: Clock }) {
    this.db = db;
    this.clock = clock;
    this.getStmt = db.prepare<[string, string], { request_hash: string; status: number; body: string; created_at: string }>(
      'SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE principal = ? AND key = ?',
    );
    this.putStmt = db.prepare(
      `INSERT OR REPLACE INTO idempotency_keys (principal, key, request_hash, status, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  static requestHash(method: string, url: string, body: unknown): string {
    return createHash('sha256').update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
  }

  /** The stored response to replay, undefined when the key is new (or older than 24 h). */
  lookup(principal: string, key: string, requestHash: string): StoredResponse | undefined {
    const row = this.getStmt.get(principal, key);
    if (!row || this.clock.now() - Date.parse(row.created_at) > WINDOW_MS) return undefined;
    if (row.request_hash !== requestHash) {
      throw new HttpError(409, 'idempotency_conflict', 'this Idempotency-Key was already used with a different request');
    }
    return { status: row.status, body: row.body === WITHHELD ? null : row.body };
  }

  save(principal: string, key: string, requestHash: string, response: StoredResponse): void {
    this.putStmt.run(principal, key, requestHash, response.status, response.body ?? WITHHELD, toIso(this.clock.now()));
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(toIso(this.clock.now() - WINDOW_MS)).changes;
  }
}
