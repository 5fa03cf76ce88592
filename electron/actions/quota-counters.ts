/**
 * The quota layer's counters, kept in memory: per agent, when each of its non-blocked actions
 * was created (`runs_per_hour` counts those in the rolling hour) and which of its actions hold
 * a concurrency slot, since when (`concurrent_executions`).
 *
 * Counting rows in SQLite on every decision costs a scan as long as the agent's quota; these
 * answer with a binary search and a walk over the open slots.
 *
 * INVARIANT: the counters mirror the actions table exactly. Only ActionService writes that
 * table, and only in this process (other processes share the budget ledger, never actions).
 * Every change here is made inside the transaction of the row it mirrors and registers its undo
 * with `onRollback`; a transaction SQLite aborted drops every agent's counters, reloaded from
 * the file when next asked. An agent's counters are loaded from the file the first time the
 * quota layer asks about it.
 */
import { onRollback, onTransactionAbort, type Db } from '../db/connection.js';
import { toIso } from '../common/clock.js';

const HOUR_MS = 3_600_000;
/** Runs older than this are dropped: far outside the hour, even with a clock set back a little. */
const KEEP_MS = 2 * HOUR_MS;

interface AgentCounters {
  /** Creation times (ms) of non-blocked actions, ascending, from `head` on. */
  runs: number[];
  head: number;
  /** Actions holding a slot: action id → when it was taken (ms). */
  open: Map<string, number>;
}

/** Index of the first entry in runs[from..] greater than `t`. */
function upperBound(runs: number[], from: number, t: number): number {
  let lo = from;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class QuotaCounters {
  private readonly agents = new Map<string, AgentCounters>();
  private readonly loadRuns;
  private readonly loadOpen;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.loadRuns = db.prepare<[string, string], { created_at: string }>(
      `SELECT created_at FROM actions WHERE agent_id = ? AND created_at > ? AND decision <> 'BLOCK' ORDER BY created_at`,
    );
    this.loadOpen = db.prepare<[string], { id: string; updated_at: string }>(
      'SELECT id, updated_at FROM actions WHERE agent_id = ? AND holds_slot = 1',
    );
    onTransactionAbort(db, () => this.agents.clear());
  }

  /** Non-blocked actions of the agent created after `sinceMs`. */
  runsSince(agentId: string, sinceMs: number): number {
    const c = this.of(agentId);
    this.prune(c);
    return c.runs.length - upperBound(c.runs, c.head, sinceMs);
  }

  /** Actions of the agent holding a slot taken after `sinceMs` (older ones were abandoned). */
  openSince(agentId: string, sinceMs: number): number {
    let n = 0;
    for (const at of this.of(agentId).open.values()) if (at > sinceMs) n++;
    return n;
  }

  /** A non-blocked action was recorded at `atMs`. */
  recordRun(agentId: string, atMs: number): void {
    const c = this.of(agentId);
    const runs = c.runs;
    if (runs.length === c.head || runs[runs.length - 1]! <= atMs) runs.push(atMs);
    else runs.splice(upperBound(runs, c.head, atMs), 0, atMs);
    onRollback(this.db, () => {
      const i = runs.lastIndexOf(atMs);
      if (i >= c.head) runs.splice(i, 1);
    });
  }

  /** The action holds a slot from `atMs` (allowed, or released by an approval). */
  takeSlot(agentId: string, actionId: string, atMs: number): void {
    this.setSlot(this.of(agentId), actionId, atMs);
  }

  /** The action gave its slot back (completed). */
  freeSlot(agentId: string, actionId: string): void {
    this.setSlot(this.of(agentId), actionId, undefined);
  }

  private setSlot(c: AgentCounters, actionId: string, atMs: number | undefined): void {
    const before = c.open.get(actionId);
    const put = (v: number | undefined) => (v === undefined ? c.open.delete(actionId) : c.open.set(actionId, v));
    put(atMs);
    onRollback(this.db, () => put(before));
  }

  private of(agentId: string): AgentCounters {
    let c = this.agents.get(agentId);
    if (!c) {
      const since = toIso(this.now() - KEEP_MS);
      c = {
        runs: this.loadRuns.all(agentId, since).map((r) => Date.parse(r.created_at)),
        head: 0,
        open: new Map(this.loadOpen.all(agentId).map((r) => [r.id, Date.parse(r.updated_at)])),
      };
      this.agents.set(agentId, c);
    }
    return c;
  }

  private prune(c: AgentCounters): void {
    const cutoff = this.now() - KEEP_MS;
    const { runs } = c;
    while (c.head < runs.length && runs[c.head]! <= cutoff) c.head++;
    if (c.head > 1024 && c.head * 2 > runs.length) {
      runs.splice(0, c.head);
      c.head = 0;
    }
  }
}
