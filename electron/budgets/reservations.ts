/**
 * Reservations: an allowed action's cost estimate held in every cap-mode budget it touches until
 * the action completes (settled), fails, is denied, expires or is abandoned. The SQL of the
 * `reservations` and `reservation_holds` tables, and the reaper of abandoned reservations.
 */
import type { AgentContext } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { SteadyWallClock } from '../common/steady-clock.js';
import { immediate, type Db } from '../db/connection.js';
import { conflict } from '../server/errors.js';
import { checkMicro, checkTotal, type BudgetStore } from './budget-store.js';
import type { PeriodRoll } from './period-roll.js';

export type ReleaseReason = 'settled' | 'failed' | 'denied' | 'expired' | 'abandoned';

export interface ReservationsDeps {
  db: Db;
  store: BudgetStore;
  periods: PeriodRoll;
  audit: AuditService;
  clock: Clock;
  /** Only time that has passed for good makes a reservation look abandoned. */
  periodClock: SteadyWallClock;
  /** Open reservations older than this are released by the reaper. Default 1 hour. */
  timeoutMs?: number;
  /** How often the reaper looks. Default 60 s. */
  reaperIntervalMs?: number;
}

export class Reservations {
  readonly timeoutMs: number;
  private readonly reaperIntervalMs: number;
  private readonly s;

  constructor(private readonly deps: ReservationsDeps) {
    this.timeoutMs = deps.timeoutMs ?? 60 * 60 * 1000;
    this.reaperIntervalMs = deps.reaperIntervalMs ?? 60 * 1000;
    const { db } = deps;
    this.s = {
      exists: db.prepare<[string], { action_id: string }>('SELECT action_id FROM reservations WHERE action_id = ?'),
      open: db.prepare<[string], { action_id: string }>('SELECT action_id FROM reservations WHERE action_id = ? AND closed_at IS NULL'),
      insert: db.prepare(
        `INSERT INTO reservations (action_id, agent_id, mission_id, amount_micro_usd, created_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      insertHold: db.prepare('INSERT INTO reservation_holds (action_id, budget_id, amount_micro_usd) VALUES (?, ?, ?)'),
      holds: db.prepare<[string], { budget_id: string; amount_micro_usd: number }>(
        'SELECT budget_id, amount_micro_usd FROM reservation_holds WHERE action_id = ?',
      ),
      deleteHolds: db.prepare('DELETE FROM reservation_holds WHERE action_id = ?'),
      close: db.prepare('UPDATE reservations SET closed_at = ?, outcome = ? WHERE action_id = ?'),
      stale: db.prepare<[number], { action_id: string; agent_id: string }>(
        'SELECT action_id, agent_id FROM reservations WHERE closed_at IS NULL AND created_ms < ? ORDER BY created_ms LIMIT 1000',
      ),
    };
  }

  /** Holds the estimate in every applicable cap-mode budget; one reservation per action. */
  reserve(actionId: string, agent: AgentContext, missionId: string | null, amountMicroUsd: number): void {
    const amount = checkMicro(amountMicroUsd, 'cost_estimate_micro_usd');
    immediate(this.deps.db, () => {
      if (this.s.exists.get(actionId)) throw conflict(`action ${actionId} already has a reservation`);
      const now = this.deps.clock.now();
      this.s.insert.run(actionId, agent.id, missionId, amount, now, toIso(now));
      for (const b of this.deps.periods.applicable(agent.id, agent.team_id, missionId)) {
        if (b.mode !== 'cap') continue;
        checkTotal(b.reserved_micro_usd + amount, b, 'reserved', 'cost_estimate_micro_usd');
        this.s.insertHold.run(actionId, b.id, amount);
        this.deps.store.addReserved(b.id, amount);
      }
    });
  }

  /**
   * Gives the action's holds back to their budgets and closes its reservation with `reason`, in
   * the caller's transaction. Returns false when it had no open reservation (already closed, or
   * none made).
   */
  close(actionId: string, reason: ReleaseReason): boolean {
    if (!this.s.open.get(actionId)) return false;
    for (const h of this.s.holds.all(actionId)) this.deps.store.subReserved(h.budget_id, h.amount_micro_usd);
    this.s.deleteHolds.run(actionId);
    this.s.close.run(toIso(this.deps.clock.now()), reason, actionId);
    return true;
  }

  release(actionId: string, reason: Exclude<ReleaseReason, 'settled'>): void {
    immediate(this.deps.db, () => {
      this.close(actionId, reason);
    });
  }

  /**
   * Releases every open reservation created more than `olderThanMs` ago (actions abandoned
   * without completing). Each release is audited as `reservation.released`. Returns how many.
   */
  releaseStale(olderThanMs: number = this.timeoutMs): number {
    // Releasing frees headroom under a cap and cannot be taken back: a forward glitch of the wall
    // clock must not make live reservations look abandoned.
    const cutoff = this.deps.periodClock.now() - olderThanMs;
    // Look before taking the write lock: the reaper runs every minute and usually finds nothing.
    if (!this.deps.db.inTransaction && this.s.stale.all(cutoff).length === 0) return 0;
    return immediate(this.deps.db, () => {
      const stale = this.s.stale.all(cutoff);
      for (const r of stale) {
        if (!this.close(r.action_id, 'abandoned')) continue;
        this.deps.audit.append({
          event_type: 'reservation.released',
          actor: 'system',
          agent_id: r.agent_id,
          subject_id: r.action_id,
          data: { action_id: r.action_id, reason: 'abandoned', timeout_ms: olderThanMs },
        });
      }
      return stale.length;
    });
  }

  /** Runs `releaseStale()` now and then every `reaperIntervalMs`; returns the stop function. */
  startReaper(): () => void {
    let cancel: (() => void) | null = null;
    let stopped = false;
    const tick = () => {
      try {
        this.releaseStale();
      } catch {
        // A busy or closing database: try again on the next tick.
      }
      if (!stopped) cancel = this.deps.clock.setTimer(this.reaperIntervalMs, tick);
    };
    tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }
}
