/**
 * The budgets domain assembled: builds its modules from one dependency object and answers the
 * actions pipeline through `BudgetLedger` (electron/ports.ts).
 *
 *  - budget-store.ts    the SQL of budget rows and their closed periods
 *  - period-roll.ts     rows as they are now (due periods closed and started again)
 *  - budget-events.ts   crossings, pauses and resumes: audit rows + events after commit
 *  - budget-settings.ts the operator's set / pause / resume / delete / read
 *  - reservations.ts    estimates held for allowed actions, and their reaper
 *  - spend.ts           the spend ledger
 *  - spend-report.ts    spend totals by agent and day
 *  - kill-switch.ts     the global kill-switch
 *
 * INVARIANT: every read-modify-write of a budget row happens inside one `BEGIN IMMEDIATE`
 * transaction (nested calls become savepoints of the caller's), so a failed step leaves no
 * partial increment behind. Nothing about budgets is cached in memory: the row is the truth.
 * Events are published only through `onCommit`: a change that rolls back announces nothing.
 */
import type { AgentContext, BudgetState } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { SteadyWallClock } from '../common/steady-clock.js';
import { immediate, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { BudgetLedger, CostReport } from '../ports.js';
import { BudgetEvents } from './budget-events.js';
import { BudgetSettings } from './budget-settings.js';
import { BudgetStore, checkMicro, toState } from './budget-store.js';
import { KillSwitchControl } from './kill-switch.js';
import { PeriodRoll } from './period-roll.js';
import { assertTimeZone } from './periods.js';
import { Reservations } from './reservations.js';
import { SpendReports } from './spend-report.js';
import { SpendLedger } from './spend.js';

export interface BudgetsDeps {
  db: Db;
  audit: AuditService;
  bus: EventBus;
  clock: Clock;
  ids: Ids;
  /** IANA zone of the operator: periods start at its midnights, Mondays and 1sts. */
  timeZone: string;
  /** Open reservations older than this are released by the reaper. Default 1 hour. */
  reservationTimeoutMs?: number;
  /** How often the reaper looks. Default 60 s. */
  reaperIntervalMs?: number;
  /** How long a forward step of the wall clock must hold before periods roll on it (see SteadyWallClock). */
  clockSettleMs?: number;
}

export class Budgets implements BudgetLedger {
  readonly timeZone: string;
  readonly store: BudgetStore;
  readonly periods: PeriodRoll;
  readonly events: BudgetEvents;
  readonly settings: BudgetSettings;
  readonly reservations: Reservations;
  readonly spend: SpendLedger;
  readonly reports: SpendReports;
  readonly killSwitchControl: KillSwitchControl;

  constructor(private readonly deps: BudgetsDeps) {
    const { db, audit, bus, clock, ids, timeZone } = deps;
    // A zone this runtime does not know would make every boundary NaN: refuse at startup instead.
    assertTimeZone(timeZone);
    this.timeZone = timeZone;
    // One steady clock for the domain: periods roll and reservations lapse on the same time.
    const periodClock = new SteadyWallClock(clock, deps.clockSettleMs);
    this.store = new BudgetStore({ db });
    this.events = new BudgetEvents({ db, audit, bus });
    this.periods = new PeriodRoll({ db, store: this.store, events: this.events, periodClock, timeZone });
    this.settings = new BudgetSettings({ db, store: this.store, periods: this.periods, events: this.events, audit, clock, ids, timeZone });
    this.reservations = new Reservations({
      db,
      store: this.store,
      periods: this.periods,
      audit,
      clock,
      periodClock,
      timeoutMs: deps.reservationTimeoutMs,
      reaperIntervalMs: deps.reaperIntervalMs,
    });
    this.spend = new SpendLedger({ db, store: this.store, periods: this.periods, events: this.events, audit, clock, ids });
    this.reports = new SpendReports({ db, timeZone });
    this.killSwitchControl = new KillSwitchControl({ db, audit, bus, clock });
  }

  // ─── BudgetLedger (consumed by the actions pipeline) ───────────────────────────────────────

  get reservationTimeoutMs(): number {
    return this.reservations.timeoutMs;
  }

  killSwitch(): { engaged: boolean; reason: string | null } {
    const { engaged, reason } = this.killSwitchControl.get();
    return { engaged, reason };
  }

  /** The budgets over `agent`'s actions, each with the name sentences show for its scope. */
  applicableBudgets(agent: AgentContext, missionId: string | null): BudgetState[] {
    return this.periods.applicable(agent.id, agent.team_id, missionId).map((row) => {
      const state = toState(row);
      if (row.scope === 'agent') return { ...state, scope_name: agent.name };
      if (row.scope === 'mission') return { ...state, scope_name: this.missionName(row.scope_id) ?? row.scope_id };
      return state;
    });
  }

  private missionName(id: string): string | undefined {
    const row = this.deps.db.prepare('SELECT name FROM missions WHERE id = ?').get(id) as { name: string } | undefined;
    return row?.name;
  }

  reserve(actionId: string, agent: AgentContext, missionId: string | null, amountMicroUsd: number): void {
    this.reservations.reserve(actionId, agent, missionId, amountMicroUsd);
  }

  settle(actionId: string, agent: AgentContext, missionId: string | null, cost: CostReport, actor: string): { spent_micro_usd: number } {
    // Named as the completion body names it, so a 400 points at the caller's field.
    if (cost.cost_micro_usd !== undefined) checkMicro(cost.cost_micro_usd, 'cost_micro_usd');
    return immediate(this.deps.db, () => {
      this.reservations.close(actionId, 'settled');
      if (cost.cost_micro_usd === undefined && cost.usage === undefined) return { spent_micro_usd: 0 };
      const result = this.spend.record(
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
    this.reservations.release(actionId, reason);
  }
}
