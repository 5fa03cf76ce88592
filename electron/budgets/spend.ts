/**
 * The spend ledger: one `spend_events` row per spend, charged in the same transaction to every
 * applicable budget (the agent, its team, the mission, global) with the crossings it causes, and
 * the list of spends.
 */
import type { AgentContext } from '../../shared/core/types.js';
import type { SpendEvent, SpendResult } from '../../shared/api/budgets.js';
import type { ListPage } from '../../shared/api/common.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { HttpError, invalid } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import type { BudgetEvents } from './budget-events.js';
import { checkMicro, checkTotal, toBudget, type BudgetRow, type BudgetStore } from './budget-store.js';
import type { PeriodRoll } from './period-roll.js';
import { priceUsage, type UsageInput } from './pricing.js';

/** What a spend charges: an agent (and its team), a mission, always the global scope. */
export interface SpendInput {
  agent: AgentContext | null;
  mission_id?: string | null;
  action_id?: string | null;
  amount_micro_usd?: number;
  usage?: UsageInput;
  note?: string | null;
}

export interface SpendQuery {
  limit: number;
  cursor?: string;
  agent_id?: string;
  mission_id?: string;
  since?: string;
  until?: string;
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

export interface SpendLedgerDeps {
  db: Db;
  store: BudgetStore;
  periods: PeriodRoll;
  events: BudgetEvents;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}

export class SpendLedger {
  private readonly s;

  constructor(private readonly deps: SpendLedgerDeps) {
    this.s = {
      insert: deps.db.prepare(
        `INSERT INTO spend_events (id, agent_id, team_id, mission_id, action_id, amount_micro_usd, pricing_source,
           usage, note, actor, created_ms, created_at)
         VALUES (@id, @agent_id, @team_id, @mission_id, @action_id, @amount_micro_usd, @pricing_source,
           @usage, @note, @actor, @created_ms, @created_at)`,
      ),
      list: deps.db.prepare<[Record<string, string | number | null>], SpendRow>(
        `SELECT * FROM spend_events WHERE (@p1 IS NULL OR agent_id = @p1) AND (@p2 IS NULL OR mission_id = @p2)
           AND (@p3 IS NULL OR created_ms >= @p3) AND (@p4 IS NULL OR created_ms < @p4) AND (@p5 IS NULL OR seq < @p5)
         ORDER BY seq DESC LIMIT @p6`,
      ),
    };
  }

  /**
   * Records one spend on every applicable scope in one transaction: exactly one of
   * `amount_micro_usd` and `usage` (settle may pass both; the amount wins and usage is kept).
   */
  record(input: SpendInput, actor: string, opts: { allowBoth?: boolean } = {}): SpendResult {
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
    const param = hasAmount ? 'amount_micro_usd' : 'usage';
    return immediate(this.deps.db, () => {
      const now = this.deps.clock.now();
      const nowIso = toIso(now);
      const agent = input.agent;
      const row: SpendRow = {
        seq: 0,
        id: this.deps.ids.next('spd'),
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
      this.s.insert.run(params);
      const spend = toSpend(row);
      const rows = this.deps.periods.applicable(agent?.id ?? null, agent?.team_id ?? null, input.mission_id ?? null);
      let paused = false;
      const charged: BudgetRow[] = [];
      for (const before of rows) {
        const spent = checkTotal(before.spent_micro_usd + amount, before, 'spent', param);
        const next: BudgetRow = { ...before, spent_micro_usd: spent, updated_at: nowIso };
        const crossed = this.deps.events.crossings(next, next.spent_micro_usd, actor, nowIso, { spend_id: spend.id, agent_id: spend.agent_id });
        paused ||= crossed.paused;
        // The common case touches two columns; a crossing rewrites the flags and status too.
        if (crossed.changed) this.deps.store.update(next);
        else this.deps.store.setSpent(next.id, next.spent_micro_usd, nowIso);
        charged.push(next);
      }
      this.deps.audit.append({
        event_type: 'spend.recorded',
        actor,
        agent_id: spend.agent_id,
        subject_id: spend.id,
        data: { spend, charged: charged.map((b) => ({ budget_id: b.id, spent_micro_usd: b.spent_micro_usd })) },
      });
      return { object: 'spend_result' as const, spend, budgets: charged.map(toBudget), paused };
    });
  }

  /** Spends, newest first, filtered by agent, mission and time range. */
  list(query: SpendQuery): ListPage<SpendEvent> {
    const after = decodeCursor(query.cursor, isNumber);
    const rows = this.s.list.all({
      p1: query.agent_id ?? null,
      p2: query.mission_id ?? null,
      p3: query.since ? Date.parse(query.since) : null,
      p4: query.until ? Date.parse(query.until) : null,
      p5: after ?? null,
      p6: query.limit + 1,
    });
    return page(rows, query.limit, toSpend, (r) => r.seq);
  }
}
