/**
 * The operator's controls over budgets: set or change a cap, pause, resume (with grace), delete,
 * and read them with their past periods. Each change is one transaction with its audit rows.
 */
import type { Budget, BudgetPeriodRecord } from '../../shared/api/budgets.js';
import type { ListPage } from '../../shared/api/common.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { HttpError, invalid } from '../server/errors.js';
import type { BudgetEvents } from './budget-events.js';
import { normalizeScopeId, toBudget, type BudgetRow, type BudgetStore, type Scope } from './budget-store.js';
import {
  isLimitCents,
  limitMicroOf,
  MAX_MICRO,
  rearmedFlags,
  resumeLimitCents,
  unpausesOnSet,
  willRepause as repausesAt,
  type Mode,
} from './ledger-math.js';
import type { PeriodRoll } from './period-roll.js';
import { periodAt, type PeriodKind } from './periods.js';
import { ScopeTargets } from './scope-targets.js';

export interface BudgetSettingsDeps {
  db: Db;
  store: BudgetStore;
  periods: PeriodRoll;
  events: BudgetEvents;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  timeZone: string;
}

export interface SetBudgetInput {
  scope: Scope;
  scope_id?: string;
  limit_usd_cents: number;
  mode?: Mode;
  period?: PeriodKind;
}

export class BudgetSettings {
  private readonly targets: ScopeTargets;

  constructor(private readonly deps: BudgetSettingsDeps) {
    this.targets = new ScopeTargets(deps.db);
  }

  list(query: { limit: number; cursor?: string; scope?: Scope; status?: 'active' | 'paused' }): ListPage<Budget> {
    this.deps.periods.rollDue();
    return this.deps.store.list(query);
  }

  get(scope: Scope, scopeId: string): Budget {
    this.deps.periods.rollDue();
    return toBudget(this.deps.periods.require(scope, scopeId));
  }

  periods(scope: Scope, scopeId: string, query: { limit: number; cursor?: string }): ListPage<BudgetPeriodRecord> {
    this.deps.periods.rollDue();
    return this.deps.store.periods(this.deps.periods.require(scope, scopeId).id, query);
  }

  /**
   * What `POST /v1/budgets` checks before `set`: a new team or mission budget must name a team
   * some agent is in or a registered mission (422 with close matches); an existing one can still
   * be changed after its team emptied.
   */
  requireKnownTarget(input: Pick<SetBudgetInput, 'scope' | 'scope_id'>): void {
    const scopeId = normalizeScopeId(input.scope, input.scope_id, 'scope_id');
    if (!this.deps.periods.find(input.scope, scopeId)) this.targets.requireKnown(input.scope, scopeId);
  }

  /** Sets or raises a cap. Omitted `mode`/`period` keep the existing ones (`warn`/`none` for a new row). */
  set(input: SetBudgetInput, actor: string): Budget {
    const scopeId = normalizeScopeId(input.scope, input.scope_id, 'scope_id');
    if (!isLimitCents(input.limit_usd_cents)) {
      throw invalid('limit_usd_cents', `limit_usd_cents: expected a positive integer number of cents, got ${input.limit_usd_cents}`);
    }
    return immediate(this.deps.db, () => {
      const existing = this.deps.periods.find(input.scope, scopeId);
      return toBudget(existing ? this.change(existing, input, actor) : this.create(input, scopeId, actor));
    });
  }

  pause(scope: Scope, scopeId: string, reason: string | undefined, actor: string): Budget {
    return immediate(this.deps.db, () => {
      const before = this.deps.periods.require(scope, scopeId);
      const next: BudgetRow = { ...before, status: 'paused', paused_reason: 'manual', updated_at: toIso(this.deps.clock.now()) };
      this.deps.store.update(next);
      this.deps.events.paused(next, actor, 'manual', reason ?? null);
      return toBudget(next);
    });
  }

  /**
   * `graceFor`: `cap` (default) keeps the raised cap; `period` raises it until the next period
   * boundary, when the original cap returns (see PeriodRoll).
   */
  resume(scope: Scope, scopeId: string, graceUsdCents: number | undefined, actor: string, graceFor: 'cap' | 'period' = 'cap'): { budget: Budget; will_repause: boolean } {
    if (graceUsdCents !== undefined && (!Number.isSafeInteger(graceUsdCents) || graceUsdCents <= 0)) {
      throw invalid('grace_usd_cents', `grace_usd_cents: expected a positive integer number of cents, got ${graceUsdCents}`);
    }
    if (graceFor === 'period' && graceUsdCents === undefined) {
      throw new HttpError(400, 'missing_parameter', 'grace_usd_cents is required with grace_for: period', 'grace_usd_cents');
    }
    return immediate(this.deps.db, () => {
      const before = this.deps.periods.require(scope, scopeId);
      if (graceFor === 'period' && before.period_end_ms === null) {
        throw new HttpError(422, 'unprocessable', `grace_for: budget ${scope}/${scopeId} has no period (period: none), so no boundary to return to its cap at; raise the cap instead`, 'grace_for');
      }
      const spent = before.spent_micro_usd;
      // Grace raises the cap to spend + grace (spend rounded up to whole cents); it never lowers it.
      const limit = resumeLimitCents(before.limit_usd_cents, spent, graceUsdCents);
      if (limitMicroOf(limit) > MAX_MICRO) throw invalid('grace_usd_cents', 'grace_usd_cents: the resulting cap is too large');
      const L = limitMicroOf(limit);
      const flags = rearmedFlags(before, spent, L);
      // For this period: the cap before any grace of this period comes back at the boundary.
      const capAfter = graceFor === 'period' && limit > before.limit_usd_cents ? (before.cap_after_period_usd_cents ?? before.limit_usd_cents) : before.cap_after_period_usd_cents;
      const next: BudgetRow = {
        ...before,
        limit_usd_cents: limit,
        cap_after_period_usd_cents: graceFor === 'cap' && limit > before.limit_usd_cents ? null : capAfter,
        status: 'active',
        paused_reason: null,
        warned: flags.warned as 0 | 1,
        cap_hit: flags.cap_hit as 0 | 1,
        updated_at: toIso(this.deps.clock.now()),
      };
      this.deps.store.update(next);
      // INVARIANT: a resumed cap-mode budget at or over its limit re-pauses on the next spend.
      const willRepause = repausesAt(next.mode, spent, L);
      this.deps.events.resumed(next, actor, {
        reason: 'operator',
        ...(graceUsdCents !== undefined ? { grace_usd_cents: graceUsdCents, grace_for: graceFor } : {}),
        will_repause: willRepause,
      });
      return { budget: toBudget(next), will_repause: willRepause };
    });
  }

  remove(scope: Scope, scopeId: string, actor: string): Budget & { deleted: true } {
    return immediate(this.deps.db, () => {
      const row = this.deps.periods.require(scope, scopeId);
      // Holds cascade away with the row; their reservations stay for the other scopes.
      this.deps.store.remove(row.id);
      const budget = toBudget(row);
      this.deps.audit.append({ event_type: 'budget.deleted', actor, subject_id: row.id, data: { budget } });
      return { ...budget, deleted: true as const };
    });
  }

  private create(input: SetBudgetInput, scopeId: string, actor: string): BudgetRow {
    const now = this.deps.clock.now();
    const nowIso = toIso(now);
    const period = input.period ?? 'none';
    const p = periodAt(period, now, this.deps.timeZone, now);
    const row: BudgetRow = {
      id: this.deps.ids.next('bud'),
      scope: input.scope,
      scope_id: scopeId,
      limit_usd_cents: input.limit_usd_cents,
      cap_after_period_usd_cents: null,
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
    this.deps.store.insert(row);
    this.deps.audit.append({ event_type: 'budget.set', actor, subject_id: row.id, data: { budget: toBudget(row), created: true } });
    return row;
  }

  private change(before: BudgetRow, input: SetBudgetInput, actor: string): BudgetRow {
    const now = this.deps.clock.now();
    const nowIso = toIso(now);
    const period = input.period ?? before.period;
    // A changed period starts at the current calendar boundary; the spend so far is kept.
    const p =
      period === before.period
        ? { start: before.period_start_ms, end: before.period_end_ms }
        : periodAt(period, now, this.deps.timeZone, Date.parse(before.created_at));
    const spent = before.spent_micro_usd;
    const flags = rearmedFlags(before, spent, limitMicroOf(input.limit_usd_cents));
    const next: BudgetRow = {
      ...before,
      limit_usd_cents: input.limit_usd_cents,
      // A cap the operator sets stands: no grace of this period reverts it.
      cap_after_period_usd_cents: null,
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
    this.deps.store.update(next);
    this.deps.audit.append({ event_type: 'budget.set', actor, subject_id: next.id, data: { budget: toBudget(next), before: toBudget(before) } });
    if (unpause) this.deps.events.resumed(next, actor, { reason: 'limit_raised' });
    // A cap lowered to (or a switch to cap mode at) the current spend pauses at once.
    const crossed = this.deps.events.crossings(next, spent, actor, nowIso);
    if (crossed.changed) this.deps.store.update(next);
    return next;
  }
}
