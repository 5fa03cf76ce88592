/**
 * The audit log: every feature appends here. Rows are append-only (SQLite triggers reject UPDATE
 * and DELETE) and hash-chained: each row's hash covers the previous row's hash and its own
 * content, so an edit made behind the database's back shows up in `verify()`.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../shared/api/audit.js';
import type { AuditEventType } from '../../shared/vocabulary.js';
import type { ListPage } from '../../shared/api/common.js';
import { redactForStorage } from '../redaction/redact.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import { chainText, GENESIS, type ChainRow, type VerifyResult } from './chain.js';
import { entityTypeOf } from './entity-type.js';

export interface AuditInput {
  event_type: AuditEventType;
  /** `operator:opr_…`, `agent:agt_…` or `system`. */
  actor: string;
  agent_id?: string | null;
  subject_id?: string | null;
  data?: Record<string, unknown>;
}

/** A stored audit row: what the chain covers, and the chain itself. */
interface AuditRow extends ChainRow {
  /** Derived from `event_type` (see entity-type.ts); null only on a database older than the column. */
  entity_type: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditFilter {
  event_type?: string;
  /** The kind of thing the row is about: `gate_policy`, `solution`, `gate_submission`, `agent`… */
  entity_type?: string;
  agent_id?: string;
  actor?: string;
  since?: string;
  until?: string;
  /** Free text over type, actor, agent, subject and data. */
  q?: string;
}

function rowHash(prev: string, r: ChainRow): string {
  return createHash('sha256').update(chainText(prev, r)).digest('hex');
}

export function toAuditEntry(r: AuditRow): AuditEntry {
  return entryOf(r, JSON.parse(r.data) as Record<string, unknown>);
}

/** The API entry for a row whose `data` the caller already holds parsed. */
function entryOf(r: AuditRow, data: Record<string, unknown>): AuditEntry {
  return {
    id: r.id,
    object: 'audit_event',
    seq: r.seq,
    at: r.at,
    event_type: r.event_type,
    entity_type: r.entity_type ?? entityTypeOf(r.event_type),
    actor: r.actor,
    agent_id: r.agent_id,
    subject_id: r.subject_id,
    data,
    hash: r.hash,
  };
}

export class AuditService {
  private readonly lastStmt;
  private readonly insertStmt;

  private readonly db: Db;
  private readonly clock: Clock;
  private readonly ids: Ids;

  constructor({ db, clock, ids }: { db: Db; clock: Clock; ids: Ids }) {
    this.db = db;
    this.clock = clock;
    this.ids = ids;
    this.lastStmt = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare(
      `INSERT INTO audit (seq, id, at, event_type, entity_type, actor, agent_id, subject_id, data, prev_hash, hash)
       VALUES (@seq, @id, @at, @event_type, @entity_type, @actor, @agent_id, @subject_id, @data, @prev_hash, @hash)`,
    );
  }

  /**
   * Appends one row. Call it inside the transaction of the change it records, so the change
   * and its audit row commit together; on its own it takes its own write transaction.
   */
  append(input: AuditInput): AuditEntry {
    // Inside a transaction already, the one INSERT needs no savepoint of its own to be atomic.
    return this.db.inTransaction ? this.write(input) : immediate(this.db, () => this.write(input));
  }

  private write(input: AuditInput): AuditEntry {
    const last = this.lastStmt.get();
    const seq = (last?.seq ?? 0) + 1;
    const prev = last?.hash ?? GENESIS;
    const data = redactForStorage(input.data ?? {});
    const base = {
      seq,
      id: this.ids.next('aud'),
      at: toIso(this.clock.now()),
      event_type: input.event_type,
      actor: input.actor,
      agent_id: input.agent_id ?? null,
      subject_id: input.subject_id ?? null,
      data: JSON.stringify(data),
    };
    const row: AuditRow = { ...base, entity_type: entityTypeOf(base.event_type), prev_hash: prev, hash: rowHash(prev, base) };
    this.insertStmt.run(row);
    // `data` is redaction's fresh copy: the entry needs no parse of the JSON just written.
    return entryOf(row, data);
  }

  private where(filter: AuditFilter): { sql: string; args: unknown[] } {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (filter.event_type) {
      const types = filter.event_type.split(',').map((t) => t.trim()).filter(Boolean);
      const parts = types.map((t) => {
        if (t.endsWith('.*')) {
          args.push(`${t.slice(0, -1)}%`);
          return 'event_type LIKE ?';
        }
        args.push(t);
        return 'event_type = ?';
      });
      if (parts.length) clauses.push(`(${parts.join(' OR ')})`);
    }
    if (filter.entity_type) {
      clauses.push('entity_type = ?');
      args.push(filter.entity_type);
    }
    if (filter.agent_id) {
      clauses.push('agent_id = ?');
      args.push(filter.agent_id);
    }
    if (filter.actor) {
      clauses.push('actor = ?');
      args.push(filter.actor);
    }
    if (filter.q) {
      clauses.push(`(event_type || ' ' || actor || ' ' || coalesce(agent_id, '') || ' ' || coalesce(subject_id, '') || ' ' || data) LIKE ? ESCAPE '\\'`);
      args.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.since) {
      clauses.push('at >= ?');
      args.push(toIso(Date.parse(filter.since)));
    }
    if (filter.until) {
      clauses.push('at < ?');
      args.push(toIso(Date.parse(filter.until)));
    }
    return { sql: clauses.length ? clauses.join(' AND ') : '1=1', args };
  }

  /** Newest first, keyset-paginated on `seq`. */
  list(filter: AuditFilter & { limit: number; cursor?: string }): ListPage<AuditEntry> {
    const after = decodeCursor(filter.cursor, isNumber);
    const w = this.where(filter);
    const rows = this.db
      .prepare<unknown[], AuditRow>(
        `SELECT * FROM audit WHERE ${w.sql} ${after !== undefined ? 'AND seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...w.args, ...(after !== undefined ? [after] : []), filter.limit + 1);
    return page(rows, filter.limit, toAuditEntry, (r) => r.seq);
  }

  /** Oldest first, in batches, so an export of millions of rows never sits in memory. */
  *iterate(filter: AuditFilter, batch = 500): Generator<AuditEntry[]> {
    const w = this.where(filter);
    const stmt = this.db.prepare<unknown[], AuditRow>(
      `SELECT * FROM audit WHERE ${w.sql} AND seq > ? ORDER BY seq ASC LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = stmt.all(...w.args, after, batch);
      if (!rows.length) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map(toAuditEntry);
    }
  }

  /**
   * Recomputes the whole chain on this thread; reports the first row whose hash or link does not
   * match. The HTTP route uses AuditVerifier instead, which keeps the event loop free.
   */
  verify(): VerifyResult {
    let prev = GENESIS;
    let rows = 0;
    for (const r of this.db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq ASC').iterate()) {
      rows++;
      if (r.prev_hash !== prev || rowHash(prev, r) !== r.hash) return { ok: false, rows, first_bad_id: r.id };
      prev = r.hash;
    }
    return { ok: true, rows, first_bad_id: null };
  }
}
