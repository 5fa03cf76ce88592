/**
 * The SQL of the `budgets` and `budget_periods` tables, and a budget row's public shapes. Every
 * write here runs inside the caller's transaction; the rules (crossings, rolls, pauses) live in
 * the modules that call it.
 */
import type { BudgetState } from '../../shared/core/types.js';
import { GLOBAL_SCOPE_ID, type Budget, type BudgetPeriodRecord } from '../../shared/api/budgets.js';
import type { ListPage } from '../../shared/api/common.js';
import { toIso } from '../common/clock.js';
import type { Db } from '../db/connection.js';
import { HttpError, invalid } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import { centsOf, isMicro, limitMicroOf, MAX_MICRO, type Mode } from './ledger-math.js';
import type { PeriodKind } from './periods.js';

export type Scope = 'agent' | 'team' | 'mission' | 'global';

export interface BudgetRow {
  id: string;
  scope: Scope;
  scope_id: string;
  limit_usd_cents: number;
  /** The cap a grace "for this period" returns to at the next boundary; null otherwise. */
  cap_after_period_usd_cents: number | null;
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

interface PeriodRow {
  budget_id: string;
  period_start_ms: number;
  period_end_ms: number;
  limit_usd_cents: number;
  spent_micro_usd: number;
}

export const limitMicro = (r: Pick<BudgetRow, 'limit_usd_cents'>) => limitMicroOf(r.limit_usd_cents);

export function toBudget(r: BudgetRow): Budget {
  return {
    id: r.id,
    object: 'budget',
    scope: r.scope,
    scope_id: r.scope_id,
    limit_usd_cents: r.limit_usd_cents,
    limit_micro_usd: limitMicro(r),
    cap_after_period_usd_cents: r.cap_after_period_usd_cents,
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

export const toState = (r: BudgetRow): BudgetState => ({
  id: r.id,
  scope: r.scope,
  scope_id: r.scope_id,
  limit_micro_usd: limitMicro(r),
  spent_micro_usd: r.spent_micro_usd,
  reserved_micro_usd: r.reserved_micro_usd,
  mode: r.mode,
  status: r.status,
});

const toPeriod = (r: PeriodRow): BudgetPeriodRecord => ({
  object: 'budget_period',
  budget_id: r.budget_id,
  period_starts_at: toIso(r.period_start_ms),
  period_ends_at: toIso(r.period_end_ms),
  limit_usd_cents: r.limit_usd_cents,
  spent_micro_usd: r.spent_micro_usd,
  spent_usd_cents: centsOf(r.spent_micro_usd),
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

/** An amount the caller sent, as micro-USD the ledger accepts, or a 400 naming `param`. */
export function checkMicro(value: unknown, param: string): number {
  if (!isMicro(value)) {
    throw invalid(param, `${param}: expected an integer number of micro-USD between 0 and ${MAX_MICRO}, got ${String(value)}`);
  }
  return value;
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

const isUpdatedCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');

export class BudgetStore {
  private readonly s;

  constructor(private readonly deps: { db: Db }) {
    const { db } = deps;
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
      list: db.prepare<[{ p1: string | null; p2: string | null; p3: string | null; p4: string | null; p5: number }], BudgetRow>(
        `SELECT * FROM budgets WHERE (@p1 IS NULL OR scope = @p1) AND (@p2 IS NULL OR status = @p2)
           AND (@p3 IS NULL OR updated_at < @p3 OR (updated_at = @p3 AND id < @p4))
         ORDER BY updated_at DESC, id DESC LIMIT @p5`,
      ),
      update: db.prepare(
        `UPDATE budgets SET limit_usd_cents = @limit_usd_cents, cap_after_period_usd_cents = @cap_after_period_usd_cents, mode = @mode, period = @period,
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
      remove: db.prepare('DELETE FROM budgets WHERE id = ?'),
      setSpent: db.prepare('UPDATE budgets SET spent_micro_usd = ?, updated_at = ? WHERE id = ?'),
      addReserved: db.prepare('UPDATE budgets SET reserved_micro_usd = reserved_micro_usd + ? WHERE id = ?'),
      subReserved: db.prepare('UPDATE budgets SET reserved_micro_usd = reserved_micro_usd - ? WHERE id = ?'),
      closePeriod: db.prepare(
        `INSERT OR IGNORE INTO budget_periods (budget_id, period_start_ms, period_end_ms, limit_usd_cents, spent_micro_usd)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      periods: db.prepare<[string, number | null, number | null, number], PeriodRow>(
        `SELECT * FROM budget_periods WHERE budget_id = ? AND (? IS NULL OR period_start_ms < ?)
         ORDER BY period_start_ms DESC LIMIT ?`,
      ),
    };
  }

  byScope(scope: Scope, scopeId: string): BudgetRow | undefined {
    return this.s.byScope.get(scope, scopeId);
  }

  byId(id: string): BudgetRow | undefined {
    return this.s.byId.get(id);
  }

  /** The rows of an agent's own scope, its team, the mission and the global scope, as stored. */
  applicable(agentId: string | null, teamId: string | null, missionId: string | null): BudgetRow[] {
    return this.s.applicable.all({ p1: agentId, p2: teamId, p3: missionId });
  }

  anyDue(now: number): boolean {
    return this.s.anyDue.get(now) !== undefined;
  }

  due(now: number): BudgetRow[] {
    return this.s.due.all(now);
  }

  list(query: { limit: number; cursor?: string; scope?: Scope; status?: 'active' | 'paused' }): ListPage<Budget> {
    const after = decodeCursor(query.cursor, isUpdatedCursor);
    const rows = this.s.list.all({ p1: query.scope ?? null, p2: query.status ?? null, p3: after?.[0] ?? null, p4: after?.[1] ?? null, p5: query.limit + 1 });
    return page(rows, query.limit, toBudget, (r) => [r.updated_at, r.id]);
  }

  insert(r: BudgetRow): void {
    this.s.insert.run(r);
  }

  /** Writes everything of `r` but its reservations (those move only by addReserved/subReserved). */
  update(r: BudgetRow): void {
    this.s.update.run({
      id: r.id,
      limit_usd_cents: r.limit_usd_cents,
      cap_after_period_usd_cents: r.cap_after_period_usd_cents,
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

  /** Holds cascade away with the row. */
  remove(id: string): void {
    this.s.remove.run(id);
  }

  /** The common spend: two columns, no crossing. */
  setSpent(id: string, spentMicroUsd: number, updatedAt: string): void {
    this.s.setSpent.run(spentMicroUsd, updatedAt, id);
  }

  addReserved(id: string, amountMicroUsd: number): void {
    this.s.addReserved.run(amountMicroUsd, id);
  }

  subReserved(id: string, amountMicroUsd: number): void {
    this.s.subReserved.run(amountMicroUsd, id);
  }

  /** Keeps the closing period of `r`, once (a second close of the same period is ignored). */
  closePeriod(r: BudgetRow & { period_end_ms: number }): void {
    this.s.closePeriod.run(r.id, r.period_start_ms, r.period_end_ms, r.limit_usd_cents, r.spent_micro_usd);
  }

  periods(budgetId: string, query: { limit: number; cursor?: string }): ListPage<BudgetPeriodRecord> {
    const after = decodeCursor(query.cursor, isNumber) ?? null;
    const rows = this.s.periods.all(budgetId, after, after, query.limit + 1);
    return page(rows, query.limit, toPeriod, (r) => r.period_start_ms);
  }
}
