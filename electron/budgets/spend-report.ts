/** Spend totals by agent, by local day in the operator's zone, or by both (`GET /v1/reports/spend`). */
import type { SpendReport } from '../../shared/api/budgets.js';
import { toIso } from '../common/clock.js';
import type { Db } from '../db/connection.js';
import { HttpError } from '../server/errors.js';
import { centsOf } from './ledger-math.js';
import { localDay } from './periods.js';

export interface SpendReportQuery {
  group_by: 'agent' | 'day' | 'agent_day';
  agent_id?: string;
  since?: string;
  until?: string;
}

type Range = { p1: number | null; p2: number | null; agent: string | null };

const RANGE = '(@p1 IS NULL OR created_ms >= @p1) AND (@p2 IS NULL OR created_ms < @p2) AND (@agent IS NULL OR agent_id = @agent)';
/** Every zone offset in use is a multiple of 15 minutes, so each such UTC bucket falls wholly inside one local day. */
const BUCKET_MS = 900_000;

export class SpendReports {
  private readonly s;

  constructor(private readonly deps: { db: Db; timeZone: string }) {
    const { db } = deps;
    this.s = {
      byAgent: db.prepare<[Range], { key: string | null; total: number; events: number }>(
        `SELECT agent_id AS key, SUM(amount_micro_usd) AS total, COUNT(*) AS events FROM spend_events
         WHERE ${RANGE} GROUP BY agent_id ORDER BY total DESC, agent_id`,
      ),
      buckets: db.prepare<[Range], { bucket: number; agent_id: string | null; total: number; events: number }>(
        `SELECT created_ms / ${BUCKET_MS} AS bucket, NULL AS agent_id, SUM(amount_micro_usd) AS total, COUNT(*) AS events
         FROM spend_events WHERE ${RANGE} GROUP BY bucket ORDER BY bucket`,
      ),
      agentBuckets: db.prepare<[Range], { bucket: number; agent_id: string | null; total: number; events: number }>(
        `SELECT created_ms / ${BUCKET_MS} AS bucket, agent_id, SUM(amount_micro_usd) AS total, COUNT(*) AS events
         FROM spend_events WHERE ${RANGE} GROUP BY bucket, agent_id ORDER BY bucket`,
      ),
    };
  }

  /** Days are cut from 15-minute UTC buckets summed in SQL, then added up per local day here. */
  report(query: SpendReportQuery): SpendReport {
    const since = query.since ? Date.parse(query.since) : null;
    const until = query.until ? Date.parse(query.until) : null;
    const range = { p1: since, p2: until, agent: query.agent_id ?? null };
    const out: SpendReport = {
      object: 'spend_report',
      group_by: query.group_by,
      time_zone: this.deps.timeZone,
      since: since === null ? null : toIso(since),
      until: until === null ? null : toIso(until),
      total_micro_usd: 0,
      rows: [],
    };
    out.rows = query.group_by === 'agent' ? this.byAgent(range) : this.byDay(range, query.group_by === 'agent_day');
    out.total_micro_usd = out.rows.reduce((sum, r) => sum + r.spent_micro_usd, 0);
    // Sums past 2^53 − 1 would be rounded: say so rather than answer a wrong total.
    if (![out.total_micro_usd, ...out.rows.map((r) => r.spent_micro_usd)].every(Number.isSafeInteger)) {
      throw new HttpError(422, 'unprocessable', `the spend in this range sums past ${Number.MAX_SAFE_INTEGER} micro-USD, more than Warden reports exactly: narrow since/until`, 'since');
    }
    return out;
  }

  private byAgent(range: Range): SpendReport['rows'] {
    return this.s.byAgent.all(range).map((r) => ({ key: r.key, spent_micro_usd: r.total, spent_usd_cents: centsOf(r.total), events: r.events }));
  }

  private byDay(range: Range, byAgent: boolean): SpendReport['rows'] {
    const buckets = (byAgent ? this.s.agentBuckets : this.s.buckets).all(range);
    const days = new Map<string, { day: string; agent_id: string | null; total: number; events: number }>();
    for (const b of buckets) {
      const day = localDay(b.bucket * BUCKET_MS, this.deps.timeZone);
      const id = `${day}\u0000${b.agent_id ?? ''}`;
      const d = days.get(id) ?? { day, agent_id: b.agent_id, total: 0, events: 0 };
      d.total += b.total;
      d.events += b.events;
      days.set(id, d);
    }
    return [...days.values()].map((d) => ({
      key: d.day,
      ...(byAgent ? { agent_id: d.agent_id } : {}),
      spent_micro_usd: d.total,
      spent_usd_cents: centsOf(d.total),
      events: d.events,
    }));
  }
}
