/**
 * The budget ledger: budgets per scope, the spend ledger, reservations and the global
 * kill-switch. Implements `BudgetLedger` (electron/ports.ts) for the actions pipeline.
 *
 * INVARIANT: every read-modify-write of a budget row happens inside one `BEGIN IMMEDIATE`
 * transaction (nested calls become savepoints of the caller's), so several processes writing to
 * the same database file (the desktop app and a CLI) never lose an increment. Nothing about
 * budgets is cached in memory for the same reason: the row is the truth.
 *
 * Events are published only after the transaction that caused them commits: each pending event
 * is tied to the audit row written with it, and is published from a microtask (after the
 * synchronous transaction has ended) only if that audit row exists.
 */
import type { AgentContext, BudgetState } from '../../shared/core/types.js';
import {
  GLOBAL_SCOPE_ID,
  type Budget,
  type BudgetPeriodRecord,
  type KillSwitch,
  type SpendEvent,
  type SpendReport,
  type SpendResult,
} from '../../shared/api/budgets.js';
import type { ListPage } from '../../shared/api/common.js';
import type { ServerEvents } from '../../shared/events.js';
import type { EventType } from '../../shared/vocabulary.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { SteadyWallClock } from '../common/steady-clock.js';
import { immediate, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { BudgetLedger, CostReport } from '../ports.js';
import { HttpError, conflict, invalid, notFound } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import {
  centsOf,
  crossingsAt,
  isLimitCents,
  isMicro,
  limitMicroOf,
  MAX_MICRO,
  periodOver,
  rearmedFlags,
  resumeLimitCents,
  unpausesOnSet,
  wakesOnRoll,
  willRepause as repausesAt,
  type Mode,
} from './ledger-math.js';
import { assertTimeZone, localDay, periodAt, type PeriodKind } from './periods.js';
import { priceUsage, type UsageInput } from './pricing.js';

export type Scope = 'agent' | 'team' | 'mission' | 'global';
type ReleaseReason = 'settled' | 'failed' | 'denied' | 'expired' | 'abandoned';

/** The spend behind a budget event, when a spend caused it. */
type SpendCause = Pick<ServerEvents['budget.paused'], 'spend_id' | 'agent_id'>;

interface BudgetRow {
  id: string;
  scope: Scope;
  scope_id: string;
  limit_usd_cents: number;
  mode: Mode;
  period: PeriodKind;
  period_start_ms: number;
  period_end_ms: number | null;
  spent_micro_usd: number;
  reserved_micro_usd: number;
  status: 'active' | 'paused';
  paused_reason: 'cap_hit' | 'manual' | null;
  warned: 0 | 1;
  cap_hit: 0 | 1;
  created_at: string;
  updated_at: string;
}

interface SpendRow {
  seq: number;
  id: string;
  agent_id: string | null;
  team_id: string | null;
  mission_id: string | null;
  action_id: string | null;
  amount_micro_usd: number;
  pricing_source: string;
  usage: string | null;
  note: string | null;
  actor: string;
  created_ms: number;
  created_at: string;
}

interface KillSwitchRow {
  engaged: 0 | 1;
  reason: string | null;
  changed_at: string | null;
  changed_by: string | null;
}

export interface BudgetServiceOptions {
  /** IANA zone of the operator: periods start at its midnights, Mondays and 1sts. */
  timeZone: string;
  /** Open reservations older than this are released by the reaper. Default 1 hour. */
  reservationTimeoutMs?: number;
  /** How often the reaper looks. Default 60 s. */
  reaperIntervalMs?: number;
  /** How often budget and kill-switch events written by other processes are picked up. Default 1 s. */
  eventTailMs?: number;
  /** How long a forward step of the wall clock must hold before periods roll on it (see SteadyWallClock). */
  clockSettleMs?: number;
}

/** What a spend charges: an agent (and its team), a mission, always the global scope. */
export interface SpendInput {
  agent: AgentContext | null;
  mission_id?: string | null;
  action_id?: string | null;
  amount_micro_usd?: number;
  usage?: UsageInput;
  note?: string | null;
}

export { MAX_MICRO };

const limitMicro = (r: Pick<BudgetRow, 'limit_usd_cents'>) => limitMicroOf(r.limit_usd_cents);

export function toBudget(r: BudgetRow): Budget {
  return {
    id: r.id,
    object: 'budget',
    scope: r.scope,
    scope_id: r.scope_id,
    limit_usd_cents: r.limit_usd_cents,
    limit_micro_usd: limitMicro(r),
    spent_micro_usd: r.spent_micro_usd,
    spent_usd_cents: centsOf(r.spent_micro_usd),
    reserved_micro_usd: r.reserved_micro_usd,
    mode: r.mode,
    period: r.period,
    period_starts_at: toIso(r.period_start_ms),
    period_ends_at: r.period_end_ms === null ? null : toIso(r.period_end_ms),
    status: r.status,
    paused_reason: r.paused_reason,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const toState = (r: BudgetRow): BudgetState => ({
  id: r.id,
  scope: r.scope,
  scope_id: r.scope_id,
  limit_micro_usd: limitMicro(r),
  spent_micro_usd: r.spent_micro_usd,
  reserved_micro_usd: r.reserved_micro_usd,
  mode: r.mode,
  status: r.status,
});

const toSpend = (r: SpendRow): SpendEvent => ({
  id: r.id,
  object: 'spend',
  agent_id: r.agent_id,
  mission_id: r.mission_id,
  action_id: r.action_id,
  amount_micro_usd: r.amount_micro_usd,
  pricing_source: r.pricing_source,
  usage: r.usage ? (JSON.parse(r.usage) as SpendEvent['usage']) : null,
  note: r.note,
  created_at: r.created_at,
});

/**
 * A budget total must stay an exact JSON number: past 2^53 − 1 micro-USD (about $9 billion)
 * doubles round and a spend would be dropped from the row while the ledger kept it. The spend
 * or reservation that would take a total there is refused instead, and nothing is written.
 */
export function checkTotal(total: number, row: Pick<BudgetRow, 'scope' | 'scope_id'>, what: 'spent' | 'reserved', param: string): number {
  if (!Number.isSafeInteger(total)) {
    throw new HttpError(
      422,
      'unprocessable',
      `${param}: this would take the ${what} total of budget ${row.scope}/${row.scope_id} past ${Number.MAX_SAFE_INTEGER} micro-USD, the most Warden counts exactly; nothing was recorded`,
      param,
    );
  }
  return total;
}

function checkMicro(value: unknown, param: string): number {
  if (!isMicro(value)) {
    throw invalid(param, `${param}: expected an integer number of micro-USD between 0 and ${MAX_MICRO}, got ${String(value)}`);
  }
  return value;
}

export class BudgetService implements BudgetLedger {
  readonly timeZone: string;
  reservationTimeoutMs: number;
  private readonly reaperIntervalMs: number;
  private pending: { auditId: string; type: EventType; data: ServerEvents[EventType] }[] = [];
  private flushScheduled = false;
  /** Audit ids of events this process publishes itself, so the tail does not repeat them. */
  private readonly ownAuditIds = new Set<string>();
  private readonly eventTailMs: number;
  private tailing = false;
  /** Periods roll (and reservations lapse) only on wall-clock time that has passed for good: a glitch forward does neither. */
  private readonly periodClock: SteadyWallClock;

  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly ids: Ids,
    options: BudgetServiceOptions,
  ) {
    // A zone this runtime does not know would make every boundary NaN: refuse at startup instead.
    assertTimeZone(options.timeZone);
    this.timeZone = options.timeZone;
    this.reservationTimeoutMs = options.reservationTimeoutMs ?? 60 * 60 * 1000;
    this.reaperIntervalMs = options.reaperIntervalMs ?? 60 * 1000;
    this.eventTailMs = options.eventTailMs ?? 1000;
    this.periodClock = new SteadyWallClock(clock, options.clockSettleMs);
    this.s = {
      byScope: db.prepare<[string, string], BudgetRow>('SELECT * FROM budgets WHERE scope = ? AND scope_id = ?'),
      byId: db.prepare<[string], BudgetRow>('SELECT * FROM budgets WHERE id = ?'),
      applicable: db.prepare<[{ p1: string | null; p2: string | null; p3: string | null }], BudgetRow>(
        `SELECT * FROM budgets
         WHERE (scope = 'agent' AND scope_id = @p1) OR (scope = 'team' AND scope_id = @p2)
            OR (scope = 'mission' AND scope_id = @p3) OR (scope = 'global' AND scope_id = '${GLOBAL_SCOPE_ID}')`,
      ),
      anyDue: db.prepare<[number], { id: string }>('SELECT id FROM budgets WHERE period_end_ms <= ? LIMIT 1'),
      due: db.prepare<[number], BudgetRow>('SELECT * FROM budgets WHERE period_end_ms <= ?'),
      update: db.prepare(
        `UPDATE budgets SET limit_usd_cents = @limit_usd_cents, mode = @mode, period = @period,
           period_start_ms = @period_start_ms, period_end_ms = @period_end_ms,
           spent_micro_usd = @spent_micro_usd, status = @status, paused_reason = @paused_reason,
           warned = @warned, cap_hit = @cap_hit, updated_at = @updated_at
         WHERE id = @id`,
      ),
      insert: db.prepare(
        `INSERT INTO budgets (id, scope, scope_id, limit_usd_cents, mode, period, period_start_ms, period_end_ms,
           spent_micro_usd, reserved_micro_usd, status, paused_reason, warned, cap_hit, created_at, updated_at)
         VALUES (@id, @scope, @scope_id, @limit_usd_cents, @mode, @period, @period_start_ms, @period_end_ms,
           @spent_micro_usd, @reserved_micro_usd, @status, @paused_reason, @warned, @cap_hit, @created_at, @updated_at)`,
      ),
      closePeriod: db.prepare(
        `INSERT OR IGNORE INTO budget_periods (budget_id, period_start_ms, period_end_ms, limit_usd_cents, spent_micro_usd)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      insertSpend: db.prepare(
        `INSERT INTO spend_events (id, agent_id, team_id, mission_id, action_id, amount_micro_usd, pricing_source,
           usage, note, actor, created_ms, created_at)
         VALUES (@id, @agent_id, @team_id, @mission_id, @action_id, @amount_micro_usd, @pricing_source,
           @usage, @note, @actor, @created_ms, @created_at)`,
      ),
      addSpent: db.prepare('UPDATE budgets SET spent_micro_usd = ?, updated_at = ? WHERE id = ?'),
      addReserved: db.prepare('UPDATE budgets SET reserved_micro_usd = reserved_micro_usd + ? WHERE id = ?'),
      openReservation: db.prepare<[string], { action_id: string; agent_id: string; amount_micro_usd: number }>(
        'SELECT action_id, agent_id, amount_micro_usd FROM reservations WHERE action_id = ? AND closed_at IS NULL',
      ),
      reservationExists: db.prepare<[string], { action_id: string }>('SELECT action_id FROM reservations WHERE action_id = ?'),
      insertReservation: db.prepare(
        `INSERT INTO reservations (action_id, agent_id, mission_id, amount_micro_usd, created_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      insertHold: db.prepare('INSERT INTO reservation_holds (action_id, budget_id, amount_micro_usd) VALUES (?, ?, ?)'),
      holds: db.prepare<[string], { budget_id: string; amount_micro_usd: number }>(
        'SELECT budget_id, amount_micro_usd FROM reservation_holds WHERE action_id = ?',
      ),
      subReserved: db.prepare('UPDATE budgets SET reserved_micro_usd = reserved_micro_usd - ? WHERE id = ?'),
      deleteHolds: db.prepare('DELETE FROM reservation_holds WHERE action_id = ?'),
      closeReservation: db.prepare('UPDATE reservations SET closed_at = ?, outcome = ? WHERE action_id = ?'),
      stale: db.prepare<[number], { action_id: string; agent_id: string }>(
        'SELECT action_id, agent_id FROM reservations WHERE closed_at IS NULL AND created_ms < ? ORDER BY created_ms LIMIT 1000',
      ),
      killSwitch: db.prepare<[], KillSwitchRow>('SELECT engaged, reason, changed_at, changed_by FROM kill_switch WHERE id = 1'),
      auditExists: db.prepare<[string], { id: string }>('SELECT id FROM audit WHERE id = ?'),
      maxSeq: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM audit'),
      tail: db.prepare<[number], { seq: number; id: string; event_type: string; data: string }>(
        `SELECT seq, id, event_type, data FROM audit WHERE seq > ? AND event_type IN
           ('budget.warning', 'budget.cap_hit', 'budget.paused', 'budget.resumed', 'kill_switch.engaged', 'kill_switch.released')
         ORDER BY seq LIMIT 500`,
      ),
    };
  }

  // ─── BudgetLedger (consumed by the actions pipeline) ───────────────────────────────────────

  killSwitch(): { engaged: boolean; reason: string | null } {
    const row = this.s.killSwitch.get();
    // INVARIANT: the migration inserts the one row; a missing row means a broken database,
    // and throwing makes the caller BLOCK (fail closed).
    if (!row) throw new Error('kill_switch row is missing');
    return { engaged: row.engaged === 1, reason: row.reason };
  }

  applicableBudgets(agent: AgentContext, missionId: string | null): BudgetState[] {
    return this.applicableRows(agent.id, agent.team_id, missionId).map(toState);
  }

  reserve(actionId: string, agent: AgentContext, missionId: string | null, amountMicroUsd: number): void {
    const amount = checkMicro(amountMicroUsd, 'cost_estimate_micro_usd');
    immediate(this.db, () => {
      if (this.s.reservationExists.get(actionId)) throw conflict(`action ${actionId} already has a reservation`);
      const now = this.clock.now();
      this.s.insertReservation.run(actionId, agent.id, missionId, amount, now, toIso(now));
      for (const b of this.applicableRows(agent.id, agent.team_id, missionId)) {
        if (b.mode !== 'cap') continue;
        checkTotal(b.reserved_micro_usd + amount, b, 'reserved', 'cost_estimate_micro_usd');
        this.s.insertHold.run(actionId, b.id, amount);
        this.s.addReserved.run(amount, b.id);
      }
    });
  }

  settle(actionId: string, agent: AgentContext, missionId: string | null, cost: CostReport, actor: string): { spent_micro_usd: number } {
    // Named as the completion body names it, so a 400 points at the caller's field.
    if (cost.cost_micro_usd !== undefined) checkMicro(cost.cost_micro_usd, 'cost_micro_usd');
    return immediate(this.db, () => {
      this.releaseHolds(actionId, 'settled');
      if (cost.cost_micro_usd === undefined && cost.usage === undefined) return { spent_micro_usd: 0 };
      const result = this.recordSpend(
        {
          agent,
          mission_id: missionId,
          action_id: actionId,
          ...(cost.cost_micro_usd !== undefined ? { amount_micro_usd: cost.cost_micro_usd } : {}),
          ...(cost.usage !== undefined ? { usage: cost.usage } : {}),
        },
        actor,
        { allowBoth: true },
      );
      return { spent_micro_usd: result.spend.amount_micro_usd };
    });
  }

  release(actionId: string, reason: 'failed' | 'denied' | 'expired' | 'abandoned'): void {
    immediate(this.db, () => {
      this.releaseHolds(actionId, reason);
    });
  }

  /**
   * Releases every open reservation created more than `olderThanMs` ago (actions abandoned
   * without completing). Each release is audited as `reservation.released`. Returns how many.
   */
  releaseStale(olderThanMs: number = this.reservationTimeoutMs): number {
    // Releasing frees headroom under a cap and cannot be taken back: a forward glitch of the wall
    // clock must not make live reservations look abandoned.
    const cutoff = this.periodClock.now() - olderThanMs;
    // Look before taking the write lock: the reaper runs every minute and usually finds nothing.
    if (!this.db.inTransaction && this.s.stale.all(cutoff).length === 0) return 0;
    return immediate(this.db, () => {
      const stale = this.s.stale.all(cutoff);
      for (const r of stale) {
        if (!this.releaseHolds(r.action_id, 'abandoned')) continue;
        this.audit.append({
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
      if (!stopped) cancel = this.clock.setTimer(this.reaperIntervalMs, tick);
    };
    tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }

  /**
   * Publishes budget and kill-switch events that another process (a CLI sharing the database
   * file) wrote, read back from the audit log, so this process's operators and notifications
   * see them too. Returns the stop function.
   */
  startEventTail(): () => void {
    this.tailing = true;
    let after = this.s.maxSeq.get()?.seq ?? 0;
    const tick = () => {
      try {
        for (;;) {
          const rows = this.s.tail.all(after);
          for (const r of rows) {
            after = r.seq;
            if (this.ownAuditIds.delete(r.id)) continue;
            const data = JSON.parse(r.data) as Record<string, unknown>;
            if (r.event_type.startsWith('kill_switch.')) {
              const state = data.kill_switch as ServerEvents['kill_switch.changed']['kill_switch'] | undefined;
              this.bus.publish('kill_switch.changed', { ...(data as ServerEvents['kill_switch.changed']), engaged: state?.engaged ?? r.event_type === 'kill_switch.engaged', reason: state?.reason ?? null });
            } else {
              this.bus.publish(r.event_type as EventType, data as ServerEvents[EventType]);
            }
          }
          if (rows.length < 500) break;
        }
      } catch {
        // Busy or closing database: the next tick resumes from the same position.
      }
    };
    // A real-time poll, not the injected clock: it watches the file for other writers, and a
    // test advancing a ManualClock by months must not run millions of polls.
    const handle = setInterval(tick, this.eventTailMs);
    handle.unref();
    return () => {
      clearInterval(handle);
      this.tailing = false;
      this.ownAuditIds.clear();
    };
  }

  // ─── Budgets ───────────────────────────────────────────────────────────────────────────────

  list(query: { limit: number; cursor?: string; scope?: Scope; status?: 'active' | 'paused' }): ListPage<Budget> {
    this.rollDue();
    const after = decodeCursor(query.cursor, (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'));
    const rows = this.db
      .prepare<unknown[], BudgetRow>(
        `SELECT * FROM budgets WHERE (@p1 IS NULL OR scope = @p1) AND (@p2 IS NULL OR status = @p2)
           AND (@p3 IS NULL OR updated_at < @p3 OR (updated_at = @p3 AND id < @p4))
         ORDER BY updated_at DESC, id DESC LIMIT @p5`,
      )
      .all({ p1: query.scope ?? null, p2: query.status ?? null, p3: after?.[0] ?? null, p4: after?.[1] ?? null, p5: query.limit + 1 });
    return page(rows, query.limit, toBudget, (r) => [r.updated_at, r.id]);
  }

  get(scope: Scope, scopeId: string): Budget {
    this.rollDue();
    return toBudget(this.rowOf(scope, scopeId));
  }

  periods(scope: Scope, scopeId: string, query: { limit: number; cursor?: string }): ListPage<BudgetPeriodRecord> {
    this.rollDue();
    const row = this.rowOf(scope, scopeId);
    const after = decodeCursor(query.cursor, isNumber);
    const rows = this.db
      .prepare<unknown[], { budget_id: string; period_start_ms: number; period_end_ms: number; limit_usd_cents: number; spent_micro_usd: number }>(
        `SELECT * FROM budget_periods WHERE budget_id = ? AND (? IS NULL OR period_start_ms < ?)
         ORDER BY period_start_ms DESC LIMIT ?`,
      )
      .all(row.id, after ?? null, after ?? null, query.limit + 1);
    return page(
      rows,
      query.limit,
      (r) => ({
        object: 'budget_period' as const,
        budget_id: r.budget_id,
        period_starts_at: toIso(r.period_start_ms),
        period_ends_at: toIso(r.period_end_ms),
        limit_usd_cents: r.limit_usd_cents,
        spent_micro_usd: r.spent_micro_usd,
        spent_usd_cents: centsOf(r.spent_micro_usd),
      }),
      (r) => r.period_start_ms,
    );
  }

  /** Sets or raises a cap. Omitted `mode`/`period` keep the existing ones (`warn`/`none` for a new row). */
  set(
    input: { scope: Scope; scope_id?: string; limit_usd_cents: number; mode?: Mode; period?: PeriodKind },
    actor: string,
  ): Budget {
    const scopeId = normalizeScopeId(input.scope, input.scope_id, 'scope_id');
    if (!isLimitCents(input.limit_usd_cents)) {
      throw invalid('limit_usd_cents', `limit_usd_cents: expected a positive integer number of cents, got ${input.limit_usd_cents}`);
    }
    return immediate(this.db, () => {
      const now = this.clock.now();
      const nowIso = toIso(now);
      const existing = this.findRow(input.scope, scopeId);
      let next: BudgetRow;
      if (!existing) {
        const period = input.period ?? 'none';
        const p = periodAt(period, now, this.timeZone, now);
        next = {
          id: this.ids.next('bud'),
          scope: input.scope,
          scope_id: scopeId,
          limit_usd_cents: input.limit_usd_cents,
          mode: input.mode ?? 'warn',
          period,
          period_start_ms: p.start,
          period_end_ms: p.end,
          spent_micro_usd: 0,
          reserved_micro_usd: 0,
          status: 'active',
          paused_reason: null,
          warned: 0,
          cap_hit: 0,
          created_at: nowIso,
          updated_at: nowIso,
        };
        this.s.insert.run(next);
        this.audit.append({ event_type: 'budget.set', actor, subject_id: next.id, data: { budget: toBudget(next), created: true } });
        return toBudget(next);
      }
      const before = existing;
      const period = input.period ?? before.period;
      // A changed period starts at the current calendar boundary; the spend so far is kept.
      const p = period === before.period ? { start: before.period_start_ms, end: before.period_end_ms } : periodAt(period, now, this.timeZone, Date.parse(before.created_at));
      const spent = before.spent_micro_usd;
      const flags = rearmedFlags(before, spent, limitMicroOf(input.limit_usd_cents));
      next = {
        ...before,
        limit_usd_cents: input.limit_usd_cents,
        mode: input.mode ?? before.mode,
        period,
        period_start_ms: p.start,
        period_end_ms: p.end,
        // Crossings re-arm when the new limit puts spend back under them.
        warned: flags.warned as 0 | 1,
        cap_hit: flags.cap_hit as 0 | 1,
        updated_at: nowIso,
      };
      // A cap above spend un-pauses a budget its cap paused; a manual pause lifts only when the
      // cap is actually raised (changing the mode or period alone keeps the operator's pause).
      const unpause = unpausesOnSet(before, spent, input.limit_usd_cents);
      if (unpause) {
        next.status = 'active';
        next.paused_reason = null;
      }
      this.updateRow(next);
      this.audit.append({ event_type: 'budget.set', actor, subject_id: next.id, data: { budget: toBudget(next), before: toBudget(before) } });
      if (unpause) this.resumedEvent(next, actor, { reason: 'limit_raised' });
      // A cap lowered to (or a switch to cap mode at) the current spend pauses at once.
      const crossed = this.crossings(next, spent, actor, nowIso);
      if (crossed.changed) this.updateRow(next);
      return toBudget(next);
    });
  }

  pause(scope: Scope, scopeId: string, reason: string | undefined, actor: string): Budget {
    return immediate(this.db, () => {
      const before = this.rowOf(scope, scopeId);
      const next: BudgetRow = { ...before, status: 'paused', paused_reason: 'manual', updated_at: toIso(this.clock.now()) };
      this.updateRow(next);
      this.pausedEvent(next, actor, 'manual', reason ?? null);
      return toBudget(next);
    });
  }

  resume(scope: Scope, scopeId: string, graceUsdCents: number | undefined, actor: string): { budget: Budget; will_repause: boolean } {
    if (graceUsdCents !== undefined && (!Number.isSafeInteger(graceUsdCents) || graceUsdCents <= 0)) {
      throw invalid('grace_usd_cents', `grace_usd_cents: expected a positive integer number of cents, got ${graceUsdCents}`);
    }
    return immediate(this.db, () => {
      const before = this.rowOf(scope, scopeId);
      const spent = before.spent_micro_usd;
      // Grace raises the cap to spend + grace (spend rounded up to whole cents); it never lowers it.
      const limit = resumeLimitCents(before.limit_usd_cents, spent, graceUsdCents);
      if (limitMicroOf(limit) > MAX_MICRO) throw invalid('grace_usd_cents', 'grace_usd_cents: the resulting cap is too large');
      const L = limitMicroOf(limit);
      const flags = rearmedFlags(before, spent, L);
      const next: BudgetRow = {
        ...before,
        limit_usd_cents: limit,
        status: 'active',
        paused_reason: null,
        warned: flags.warned as 0 | 1,
        cap_hit: flags.cap_hit as 0 | 1,
        updated_at: toIso(this.clock.now()),
      };
      this.updateRow(next);
      // INVARIANT: a resumed cap-mode budget at or over its limit re-pauses on the next spend.
      const willRepause = repausesAt(next.mode, spent, L);
      this.resumedEvent(next, actor, {
        reason: 'operator',
        ...(graceUsdCents !== undefined ? { grace_usd_cents: graceUsdCents } : {}),
        will_repause: willRepause,
      });
      return { budget: toBudget(next), will_repause: willRepause };
    });
  }

  remove(scope: Scope, scopeId: string, actor: string): Budget & { deleted: true } {
    return immediate(this.db, () => {
      const row = this.rowOf(scope, scopeId);
      // Holds cascade away with the row; their reservations stay for the other scopes.
      this.db.prepare('DELETE FROM budgets WHERE id = ?').run(row.id);
      const budget = toBudget(row);
      this.audit.append({ event_type: 'budget.deleted', actor, subject_id: row.id, data: { budget } });
      return { ...budget, deleted: true as const };
    });
  }

  /** Closes due periods of every budget; run at startup so paused budgets wake on time. */
  rollDue(): void {
    const now = this.periodClock.now();
    if (!this.s.anyDue.get(now)) return;
    immediate(this.db, () => {
      for (const row of this.s.due.all(now)) this.roll(row, now);
    });
  }

  // ─── Spend ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Records one spend on every applicable scope in one transaction: exactly one of
   * `amount_micro_usd` and `usage` (settle may pass both; the amount wins and usage is kept).
   */
  recordSpend(input: SpendInput, actor: string, opts: { allowBoth?: boolean } = {}): SpendResult {
    const hasAmount = input.amount_micro_usd !== undefined;
    const hasUsage = input.usage !== undefined;
    if (!hasAmount && !hasUsage) throw new HttpError(400, 'missing_parameter', 'send amount_micro_usd or usage', 'amount_micro_usd');
    if (hasAmount && hasUsage && !opts.allowBoth) throw invalid('usage', 'send exactly one of amount_micro_usd and usage, not both');
    let amount: number;
    let source: string;
    if (hasAmount) {
      amount = checkMicro(input.amount_micro_usd, 'amount_micro_usd');
      source = 'caller';
    } else {
      const priced = priceUsage(input.usage!);
      amount = checkMicro(priced.amount_micro_usd, 'usage');
      source = priced.pricing_source;
    }
    return immediate(this.db, () => {
      const now = this.clock.now();
      const nowIso = toIso(now);
      const agent = input.agent;
      const row: SpendRow = {
        seq: 0,
        id: this.ids.next('spd'),
        agent_id: agent?.id ?? null,
        team_id: agent?.team_id ?? null,
        mission_id: input.mission_id ?? null,
        action_id: input.action_id ?? null,
        amount_micro_usd: amount,
        pricing_source: source,
        usage: input.usage ? JSON.stringify(input.usage) : null,
        note: input.note ?? null,
        actor,
        created_ms: now,
        created_at: nowIso,
      };
      const { seq: _seq, ...params } = row;
      this.s.insertSpend.run(params);
      const spend = toSpend(row);
      const rows = this.applicableRows(agent?.id ?? null, agent?.team_id ?? null, input.mission_id ?? null);
      let paused = false;
      const charged: BudgetRow[] = [];
      for (const before of rows) {
        const spent = checkTotal(before.spent_micro_usd + amount, before, 'spent', hasAmount ? 'amount_micro_usd' : 'usage');
        const next: BudgetRow = { ...before, spent_micro_usd: spent, updated_at: nowIso };
        const crossed = this.crossings(next, next.spent_micro_usd, actor, nowIso, { spend_id: spend.id, agent_id: spend.agent_id });
        paused ||= crossed.paused;
        // The common case touches two columns; a crossing rewrites the flags and status too.
        if (crossed.changed) this.updateRow(next);
        else this.s.addSpent.run(next.spent_micro_usd, nowIso, next.id);
        charged.push(next);
      }
      this.audit.append({
        event_type: 'spend.recorded',
        actor,
        agent_id: spend.agent_id,
        subject_id: spend.id,
        data: { spend, charged: charged.map((b) => ({ budget_id: b.id, spent_micro_usd: b.spent_micro_usd })) },
      });
      return { object: 'spend_result' as const, spend, budgets: charged.map(toBudget), paused };
    });
  }

  listSpend(query: { limit: number; cursor?: string; agent_id?: string; mission_id?: string; since?: string; until?: string }): ListPage<SpendEvent> {
    const after = decodeCursor(query.cursor, isNumber);
    const rows = this.db
      .prepare<unknown[], SpendRow>(
        `SELECT * FROM spend_events WHERE (@p1 IS NULL OR agent_id = @p1) AND (@p2 IS NULL OR mission_id = @p2)
           AND (@p3 IS NULL OR created_ms >= @p3) AND (@p4 IS NULL OR created_ms < @p4) AND (@p5 IS NULL OR seq < @p5)
         ORDER BY seq DESC LIMIT @p6`,
      )
      .all({
        p1: query.agent_id ?? null,
        p2: query.mission_id ?? null,
        p3: query.since ? Date.parse(query.since) : null,
        p4: query.until ? Date.parse(query.until) : null,
        p5: after ?? null,
        p6: query.limit + 1,
      });
    return page(rows, query.limit, toSpend, (r) => r.seq);
  }

  /**
   * Totals by agent, by local day in the operator's zone, or by both (agent_day). Days are cut from 15-minute UTC
   * buckets summed in SQL: every zone offset in use is a multiple of 15 minutes, so each bucket
   * falls wholly inside one local day.
   */
  report(query: { group_by: 'agent' | 'day' | 'agent_day'; since?: string; until?: string }): SpendReport {
    const since = query.since ? Date.parse(query.since) : null;
    const until = query.until ? Date.parse(query.until) : null;
    const range = '(@p1 IS NULL OR created_ms >= @p1) AND (@p2 IS NULL OR created_ms < @p2)';
    const out: SpendReport = {
      object: 'spend_report',
      group_by: query.group_by,
      time_zone: this.timeZone,
      since: since === null ? null : toIso(since),
      until: until === null ? null : toIso(until),
      total_micro_usd: 0,
      rows: [],
    };
    if (query.group_by === 'agent') {
      const rows = this.db
        .prepare<unknown[], { key: string | null; total: number; events: number }>(
          `SELECT agent_id AS key, SUM(amount_micro_usd) AS total, COUNT(*) AS events FROM spend_events
           WHERE ${range} GROUP BY agent_id ORDER BY total DESC, agent_id`,
        )
        .all({ p1: since, p2: until });
      out.rows = rows.map((r) => ({ key: r.key, spent_micro_usd: r.total, spent_usd_cents: centsOf(r.total), events: r.events }));
    } else {
      const byAgent = query.group_by === 'agent_day';
      const buckets = this.db
        .prepare<unknown[], { bucket: number; agent_id: string | null; total: number; events: number }>(
          `SELECT created_ms / 900000 AS bucket, ${byAgent ? 'agent_id' : 'NULL'} AS agent_id, SUM(amount_micro_usd) AS total, COUNT(*) AS events
           FROM spend_events WHERE ${range} GROUP BY bucket${byAgent ? ', agent_id' : ''} ORDER BY bucket`,
        )
        .all({ p1: since, p2: until });
      const days = new Map<string, { day: string; agent_id: string | null; total: number; events: number }>();
      for (const b of buckets) {
        const day = localDay(b.bucket * 900_000, this.timeZone);
        const id = `${day}\u0000${b.agent_id ?? ''}`;
        const d = days.get(id) ?? { day, agent_id: b.agent_id, total: 0, events: 0 };
        d.total += b.total;
        d.events += b.events;
        days.set(id, d);
      }
      out.rows = [...days.values()].map((d) => ({
        key: d.day,
        ...(byAgent ? { agent_id: d.agent_id } : {}),
        spent_micro_usd: d.total,
        spent_usd_cents: centsOf(d.total),
        events: d.events,
      }));
    }
    out.total_micro_usd = out.rows.reduce((sum, r) => sum + r.spent_micro_usd, 0);
    // Sums past 2^53 − 1 would be rounded: say so rather than answer a wrong total.
    if (![out.total_micro_usd, ...out.rows.map((r) => r.spent_micro_usd)].every(Number.isSafeInteger)) {
      throw new HttpError(422, 'unprocessable', `the spend in this range sums past ${Number.MAX_SAFE_INTEGER} micro-USD, more than Warden reports exactly: narrow since/until`, 'since');
    }
    return out;
  }

  // ─── Kill-switch ───────────────────────────────────────────────────────────────────────────

  getKillSwitch(): KillSwitch {
    const row = this.s.killSwitch.get();
    if (!row) throw new Error('kill_switch row is missing');
    return { object: 'kill_switch', engaged: row.engaged === 1, reason: row.reason, changed_at: row.changed_at, changed_by: row.changed_by };
  }

  setKillSwitch(engaged: boolean, reason: string | undefined, actor: string): KillSwitch {
    return immediate(this.db, () => {
      const nowIso = toIso(this.clock.now());
      this.db
        .prepare('UPDATE kill_switch SET engaged = ?, reason = ?, changed_at = ?, changed_by = ? WHERE id = 1')
        .run(engaged ? 1 : 0, reason ?? null, nowIso, actor);
      const state = this.getKillSwitch();
      const entry = this.audit.append({
        event_type: engaged ? 'kill_switch.engaged' : 'kill_switch.released',
        actor,
        data: { kill_switch: state },
      });
      this.emit(entry.id, 'kill_switch.changed', { kill_switch: state, engaged, reason: state.reason });
      return state;
    });
  }

  // ─── Internals ─────────────────────────────────────────────────────────────────────────────

  private updateRow(r: BudgetRow): void {
    this.s.update.run({
      id: r.id,
      limit_usd_cents: r.limit_usd_cents,
      mode: r.mode,
      period: r.period,
      period_start_ms: r.period_start_ms,
      period_end_ms: r.period_end_ms,
      spent_micro_usd: r.spent_micro_usd,
      status: r.status,
      paused_reason: r.paused_reason,
      warned: r.warned,
      cap_hit: r.cap_hit,
      updated_at: r.updated_at,
    });
  }

  private findRow(scope: Scope, scopeId: string): BudgetRow | undefined {
    const row = this.s.byScope.get(scope, scopeId);
    if (!row) return undefined;
    return this.rolled(row);
  }

  private rowOf(scope: Scope, scopeId: string): BudgetRow {
    const row = this.findRow(scope, normalizeScopeId(scope, scopeId, 'scope_id'));
    if (!row) throw notFound('budget', `${scope}/${scopeId}`);
    return row;
  }

  /** Rows of the scopes a spend or an action of this agent touches, periods rolled. */
  private applicableRows(agentId: string | null, teamId: string | null, missionId: string | null): BudgetRow[] {
    const args = { p1: agentId, p2: teamId, p3: missionId };
    const rows = this.s.applicable.all(args);
    const now = this.periodClock.now();
    if (!rows.some((r) => periodOver(r.period_end_ms, now))) return rows;
    return immediate(this.db, () => this.s.applicable.all(args).map((r) => this.rolled(r)));
  }

  private rolled(row: BudgetRow): BudgetRow {
    const now = this.periodClock.now();
    if (!periodOver(row.period_end_ms, now)) return row;
    return immediate(this.db, () => {
      // INVARIANT: roll from the row as it is under the write lock; `row` may have been read
      // before another process rolled it and charged the new period.
      const fresh = this.s.byId.get(row.id);
      if (!fresh) throw notFound('budget', `${row.scope}/${row.scope_id}`);
      if (!periodOver(fresh.period_end_ms, now)) return fresh;
      return this.roll(fresh, now);
    });
  }

  /**
   * Closes the budget's period into `budget_periods` and starts the one containing `now`. A
   * budget paused by its cap wakes up (audited as `budget.resumed`, reason `period_rollover`);
   * a manual pause is the operator's and stays.
   */
  private roll(row: BudgetRow, now: number): BudgetRow {
    if (row.period_end_ms === null) return row;
    this.s.closePeriod.run(row.id, row.period_start_ms, row.period_end_ms, row.limit_usd_cents, row.spent_micro_usd);
    const p = periodAt(row.period, now, this.timeZone, row.period_start_ms);
    const wake = wakesOnRoll(row);
    const next: BudgetRow = {
      ...row,
      period_start_ms: p.start,
      period_end_ms: p.end,
      spent_micro_usd: 0,
      warned: 0,
      cap_hit: 0,
      status: wake ? 'active' : row.status,
      paused_reason: wake ? null : row.paused_reason,
      updated_at: toIso(now),
    };
    this.updateRow(next);
    if (wake) {
      this.resumedEvent(next, 'system', {
        reason: 'period_rollover',
        previous_period: { starts_at: toIso(row.period_start_ms), ends_at: toIso(row.period_end_ms), spent_micro_usd: row.spent_micro_usd },
      });
    }
    return next;
  }

  /**
   * Applies the 80% / 100% crossings and the cap-mode pause to `next` (mutated) at `spent`.
   * Each crossing fires once per period (flags re-arm when the limit rises or the period rolls);
   * the pause fires whenever an active cap-mode budget is at or over its limit, so a budget
   * resumed without enough grace re-pauses on its next spend.
   */
  private crossings(next: BudgetRow, spent: number, actor: string, nowIso: string, cause: SpendCause = {}): { paused: boolean; changed: boolean } {
    const fire = crossingsAt(next, spent, limitMicro(next));
    let changed = false;
    let paused = false;
    if (fire.warn) {
      next.warned = 1;
      changed = true;
      const data = { budget: toBudget(next), scope: next.scope, scope_id: next.scope_id, threshold: 0.8, ...cause };
      const entry = this.audit.append({ event_type: 'budget.warning', actor, subject_id: next.id, data });
      this.emit(entry.id, 'budget.warning', data);
    }
    if (fire.capHit) {
      next.cap_hit = 1;
      changed = true;
      const data = { budget: toBudget(next), scope: next.scope, scope_id: next.scope_id, threshold: 1, ...cause };
      const entry = this.audit.append({ event_type: 'budget.cap_hit', actor, subject_id: next.id, data });
      this.emit(entry.id, 'budget.cap_hit', data);
    }
    if (fire.pause) {
      next.status = 'paused';
      next.paused_reason = 'cap_hit';
      next.updated_at = nowIso;
      changed = true;
      paused = true;
      this.pausedEvent(next, actor, 'cap_hit', null, cause);
    }
    return { paused, changed };
  }

  private pausedEvent(row: BudgetRow, actor: string, reason: 'cap_hit' | 'manual', note: string | null, cause: SpendCause = {}): void {
    const data = { budget: toBudget(row), scope: row.scope, scope_id: row.scope_id, reason, ...(note ? { note } : {}), ...cause };
    const entry = this.audit.append({ event_type: 'budget.paused', actor, subject_id: row.id, data });
    this.emit(entry.id, 'budget.paused', data);
  }

  private resumedEvent(row: BudgetRow, actor: string, extra: Omit<ServerEvents['budget.resumed'], 'budget' | 'scope' | 'scope_id'>): void {
    const data = { budget: toBudget(row), scope: row.scope, scope_id: row.scope_id, ...extra };
    const entry = this.audit.append({ event_type: 'budget.resumed', actor, subject_id: row.id, data });
    this.emit(entry.id, 'budget.resumed', data);
  }

  /** Returns false when the action had no open reservation (already closed, or none made). */
  private releaseHolds(actionId: string, reason: ReleaseReason): boolean {
    if (!this.s.openReservation.get(actionId)) return false;
    for (const h of this.s.holds.all(actionId)) this.s.subReserved.run(h.amount_micro_usd, h.budget_id);
    this.s.deleteHolds.run(actionId);
    this.s.closeReservation.run(toIso(this.clock.now()), reason, actionId);
    return true;
  }

  private emit<K extends EventType>(auditId: string, type: K, data: ServerEvents[K]): void {
    this.pending.push({ auditId, type, data });
    if (this.tailing) this.ownAuditIds.add(auditId);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.db.open && this.db.inTransaction) {
      // Still inside someone's transaction (not possible with synchronous transactions, but
      // cheap to guard): look again once it has ended.
      this.flushScheduled = true;
      setImmediate(() => this.flush());
      return;
    }
    const batch = this.pending;
    this.pending = [];
    for (const e of batch) {
      try {
        // Published only if the audit row committed: a rolled-back change announces nothing.
        if (this.s.auditExists.get(e.auditId)) this.bus.publish(e.type, e.data);
        else this.ownAuditIds.delete(e.auditId);
      } catch {
        // The database closed under us (app stopping): drop the event.
      }
    }
  }
}

/** The global scope has one id, `global`; any other scope needs an explicit id. */
export function normalizeScopeId(scope: Scope, scopeId: string | undefined, param: string): string {
  if (scope === 'global') {
    if (scopeId !== undefined && scopeId !== GLOBAL_SCOPE_ID) {
      throw invalid(param, `${param}: the global scope's id is "${GLOBAL_SCOPE_ID}", got "${scopeId}"`);
    }
    return GLOBAL_SCOPE_ID;
  }
  if (scopeId === undefined) throw new HttpError(400, 'missing_parameter', `${param} is required for scope ${scope}`, param);
  return scopeId;
}
