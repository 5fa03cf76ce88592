/**
 * Budget rows as they are now: a row whose period is over is closed into `budget_periods` and
 * started again before anyone reads or charges it. Periods roll only on wall-clock time that has
 * passed for good (see SteadyWallClock): a glitch of the clock forward rolls nothing.
 */
import { toIso } from '../common/clock.js';
import type { SteadyWallClock } from '../common/steady-clock.js';
import { immediate, type Db } from '../db/connection.js';
import { notFound } from '../server/errors.js';
import type { BudgetEvents } from './budget-events.js';
import { normalizeScopeId, type BudgetRow, type BudgetStore, type Scope } from './budget-store.js';
import { periodOver, wakesOnRoll } from './ledger-math.js';
import { periodAt } from './periods.js';

export interface PeriodRollDeps {
  db: Db;
  store: BudgetStore;
  events: BudgetEvents;
  periodClock: SteadyWallClock;
  /** IANA zone of the operator: periods start at its midnights, Mondays and 1sts. */
  timeZone: string;
}

export class PeriodRoll {
  constructor(private readonly deps: PeriodRollDeps) {}

  /** The row of a scope, its period rolled; undefined when the scope has no budget. */
  find(scope: Scope, scopeId: string): BudgetRow | undefined {
    const row = this.deps.store.byScope(scope, scopeId);
    return row ? this.current(row) : undefined;
  }

  /** The row of a scope, its period rolled, or a 404. */
  require(scope: Scope, scopeId: string): BudgetRow {
    const row = this.find(scope, normalizeScopeId(scope, scopeId, 'scope_id'));
    if (!row) throw notFound('budget', `${scope}/${scopeId}`);
    return row;
  }

  /** Rows of the scopes a spend or an action of this agent touches, periods rolled. */
  applicable(agentId: string | null, teamId: string | null, missionId: string | null): BudgetRow[] {
    const { db, store, periodClock } = this.deps;
    const rows = store.applicable(agentId, teamId, missionId);
    const now = periodClock.now();
    if (!rows.some((r) => periodOver(r.period_end_ms, now))) return rows;
    return immediate(db, () => store.applicable(agentId, teamId, missionId).map((r) => this.current(r)));
  }

  /** Closes due periods of every budget; run at startup so paused budgets wake on time. */
  rollDue(): void {
    const { db, store, periodClock } = this.deps;
    const now = periodClock.now();
    if (!store.anyDue(now)) return;
    immediate(db, () => {
      for (const row of store.due(now)) this.roll(row, now);
    });
  }

  private current(row: BudgetRow): BudgetRow {
    const { db, store, periodClock } = this.deps;
    const now = periodClock.now();
    if (!periodOver(row.period_end_ms, now)) return row;
    return immediate(db, () => {
      // INVARIANT: roll from the row as it is under the write lock, never from a copy read
      // before it: a period is closed once, with the spend it really had.
      const fresh = store.byId(row.id);
      if (!fresh) throw notFound('budget', `${row.scope}/${row.scope_id}`);
      if (!periodOver(fresh.period_end_ms, now)) return fresh;
      return this.roll(fresh, now);
    });
  }

  /**
   * Closes the budget's period into `budget_periods` and starts the one containing `now`. A
   * budget paused by its cap wakes up (audited as `budget.resumed`, reason `period_rollover`);
   * a manual pause is the operator's and stays. A grace "for this period" ends: the cap it
   * raised returns to the original.
   */
  private roll(row: BudgetRow, now: number): BudgetRow {
    if (row.period_end_ms === null) return row;
    this.deps.store.closePeriod({ ...row, period_end_ms: row.period_end_ms });
    const p = periodAt(row.period, now, this.deps.timeZone, row.period_start_ms);
    const wake = wakesOnRoll(row);
    const next: BudgetRow = {
      ...row,
      period_start_ms: p.start,
      period_end_ms: p.end,
      limit_usd_cents: row.cap_after_period_usd_cents ?? row.limit_usd_cents,
      cap_after_period_usd_cents: null,
      spent_micro_usd: 0,
      warned: 0,
      cap_hit: 0,
      status: wake ? 'active' : row.status,
      paused_reason: wake ? null : row.paused_reason,
      updated_at: toIso(now),
    };
    this.deps.store.update(next);
    if (wake) {
      this.deps.events.resumed(next, 'system', {
        reason: 'period_rollover',
        previous_period: { starts_at: toIso(row.period_start_ms), ends_at: toIso(row.period_end_ms), spent_micro_usd: row.spent_micro_usd },
      });
    }
    return next;
  }
}
