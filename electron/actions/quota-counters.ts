/**
 * The quota layer's counters, kept in memory: per agent, when each of its non-blocked actions
 * was created (`runs_per_hour` counts those in the rolling hour) and which of its actions hold
 * a concurrency slot, since when (`concurrent_executions`).
 *
 * Counting rows in SQLite on every decision costs a scan as long as the agent's quota; these
 * answer with a binary search and a walk over the open slots.
 *
 * INVARIANT: the counters mirror the actions table exactly. Only ActionService writes that
 * table, and only in the server that owns the database (Warden is single-writer).
 * Every change here is made inside the transaction of the row it mirrors and registers its undo
 * with `onRollback`; a transaction SQLite aborted drops the counters, reloaded from the file
 * when next asked. They are first loaded from the file when the quota layer first asks.
 */
import { onRollback, onTransactionAbort, type Db } from '../db/connection.js';
import { toIso } from '../common/clock.js';

const HOUR_MS = 3_600_000;
/** Runs older than this are dropped: far outside the hour, even with a clock set back a little. */
const KEEP_MS = 2 * HOUR_MS;

/** The reads at load, by index: `actions_created` for the last two hours, the partial `actions_open`. */
export const LOAD_SQL = {
  runs: `SELECT agent_id, created_at FROM actions WHERE created_at > ? AND decision <> 'BLOCK' ORDER BY created_at`,
  open: 'SELECT agent_id, id, updated_at FROM actions WHERE holds_slot = 1',
} as const;

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

/** The agent's counters in `agents`, created empty the first time. */
function countersOf(agents: Map<string, AgentCounters>, agentId: string): AgentCounters {
  let c = agents.get(agentId);
  if (!c) agents.set(agentId, (c = { runs: [], head: 0, open: new Map() }));
  return c;
}

export class QuotaCounters {
  /** Null until first asked, and again after an aborted transaction: loaded from the file. */
  private agents: Map<string, AgentCounters> | null = null;
  private readonly loadRuns;
  private readonly loadOpen;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.loadRuns = db.prepare<[string], { agent_id: string; created_at: string }>(LOAD_SQL.runs);
    this.loadOpen = db.prepare<[], { agent_id: string; id: string; updated_at: string }>(LOAD_SQL.open);
    onTransactionAbort(db, () => {
      this.agents = null;
    });
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

  /** A non-blocked action was recorded at `atMs`. Call it before writing the row. */
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
    return countersOf((this.agents ??= this.load()), agentId);
  }

  /**
   * Every agent's counters from the file. The first decision loads them before writing its own
   * row, so what is read is committed (or this transaction's, already mirrored: none yet).
   */
  private load(): Map<string, AgentCounters> {
    const agents = new Map<string, AgentCounters>();
    for (const r of this.loadRuns.iterate(toIso(this.now() - KEEP_MS))) countersOf(agents, r.agent_id).runs.push(Date.parse(r.created_at));
    for (const r of this.loadOpen.iterate()) countersOf(agents, r.agent_id).open.set(r.id, Date.parse(r.updated_at));
    return agents;
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
