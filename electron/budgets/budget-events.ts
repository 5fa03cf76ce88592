/**
 * What a budget says when it changes state: the 80 % warning, the cap reached, a pause, a resume.
 * Each is one audit row, written in the caller's transaction, and one bus event published through
 * `onCommit`, so a change that rolls back announces nothing.
 */
import type { ServerEvents } from '../../shared/events.js';
import type { AuditService } from '../audit/service.js';
import { onCommit, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import { limitMicro, toBudget, type BudgetRow } from './budget-store.js';
import { crossingsAt } from './ledger-math.js';

type BudgetEventType = 'budget.warning' | 'budget.cap_hit' | 'budget.paused' | 'budget.resumed';
/** What an event of `K` says beyond the budget itself. */
type Extra<K extends BudgetEventType> = Omit<ServerEvents[K], 'budget' | 'scope' | 'scope_id'>;
/** The spend behind a budget event, when a spend caused it. */
export type SpendCause = Pick<ServerEvents['budget.paused'], 'spend_id' | 'agent_id'>;

export interface BudgetEventsDeps {
  db: Db;
  audit: AuditService;
  bus: EventBus;
}

export class BudgetEvents {
  constructor(private readonly deps: BudgetEventsDeps) {}

  /**
   * Applies the 80% / 100% crossings and the cap-mode pause to `next` (mutated) at `spent`.
   * Each crossing fires once per period (flags re-arm when the limit rises or the period rolls);
   * the pause fires whenever an active cap-mode budget is at or over its limit, so a budget
   * resumed without enough grace re-pauses on its next spend.
   */
  crossings(next: BudgetRow, spent: number, actor: string, nowIso: string, cause: SpendCause = {}): { paused: boolean; changed: boolean } {
    const fire = crossingsAt(next, spent, limitMicro(next));
    let changed = false;
    let paused = false;
    if (fire.warn) {
      next.warned = 1;
      changed = true;
      this.announce('budget.warning', next, actor, { threshold: 0.8, ...cause });
    }
    if (fire.capHit) {
      next.cap_hit = 1;
      changed = true;
      this.announce('budget.cap_hit', next, actor, { threshold: 1, ...cause });
    }
    if (fire.pause) {
      next.status = 'paused';
      next.paused_reason = 'cap_hit';
      next.updated_at = nowIso;
      changed = true;
      paused = true;
      this.paused(next, actor, 'cap_hit', null, cause);
    }
    return { paused, changed };
  }

  paused(row: BudgetRow, actor: string, reason: 'cap_hit' | 'manual', note: string | null, cause: SpendCause = {}): void {
    this.announce('budget.paused', row, actor, { reason, ...(note ? { note } : {}), ...cause });
  }

  resumed(row: BudgetRow, actor: string, extra: Extra<'budget.resumed'>): void {
    this.announce('budget.resumed', row, actor, extra);
  }

  private announce<K extends BudgetEventType>(type: K, row: BudgetRow, actor: string, extra: Extra<K>): void {
    const data = { budget: toBudget(row), scope: row.scope, scope_id: row.scope_id, ...extra } as ServerEvents[K];
    this.deps.audit.append({ event_type: type, actor, subject_id: row.id, data });
    onCommit(this.deps.db, () => this.deps.bus.publish(type, data));
  }
}
