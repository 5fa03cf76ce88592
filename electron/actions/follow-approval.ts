/**
 * An action follows its approval (the `ApprovalSink` of the actions domain), inside the
 * approval's own transaction: approved → allowed (after the kill-switch layer is checked again
 * and the estimate reserved), denied or expired → so, and an undone allow withdraws an allowed
 * action its agent has not picked up yet.
 */
import { gatesLayer, killSwitchGate, type Gate } from '../../shared/core/index.js';
import type { ActionInput, AgentContext } from '../../shared/core/types.js';
import type { ApprovalRow, ApprovalSink, Outcome } from '../approvals/service.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, type Db } from '../db/connection.js';
import type { BudgetLedger } from '../ports.js';
import type { QuotaCounters } from './quota-counters.js';
import type { ActionRow, ActionStatements } from './rows.js';
import type { GateViewSource } from './snapshot.js';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export interface FollowApprovalDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  budgets: BudgetLedger;
  counters: QuotaCounters;
  statements: ActionStatements;
  /** The agent as the core sees it, or null when it no longer exists. */
  context(agentId: string): AgentContext | null;
  /** The review gates, checked again at release like the kill-switches; null when none. */
  gates?: GateViewSource | null;
  /** The action as recorded in its receipt, with the learned estimate when it gave none. */
  recordedInput(row: ActionRow): ActionInput;
}

export class FollowApproval implements ApprovalSink {
  constructor(private readonly deps: FollowApprovalDeps) {}

  /** Inside an undo's transaction: an allowed action its agent has not picked up becomes denied. */
  withdraw(actionId: string, reason: string, actor: string): boolean {
    const { statements: s, budgets, counters, audit } = this.deps;
    const row = s.row.get(actionId);
    if (!row || row.status !== 'allowed' || row.picked_up_at) return false;
    budgets.release(row.id, 'denied');
    counters.freeSlot(row.agent_id, row.id);
    s.setStatus.run('denied', 0, null, reason, toIso(this.deps.clock.now()), row.id);
    audit.append({ event_type: 'action.withdrawn', actor, agent_id: row.agent_id, subject_id: row.id, data: { action_id: row.id, approval_id: row.approval_id, reason } });
    return true;
  }

  /** Inside the approval's transaction: the action follows its approval. */
  onResolved(approval: ApprovalRow, outcome: Outcome, reason: string | null): void {
    if (!approval.action_id) return;
    const row = this.deps.statements.row.get(approval.action_id);
    if (!row || row.status !== 'pending_approval') return;
    const now = toIso(this.deps.clock.now());
    if (outcome === 'approved') this.release(row, approval, reason, now);
    else this.close(row, outcome, reason, now);
  }

  /**
   * INVARIANT: the operator approved the action as it was asked; the kill-switch layer is
   * checked again at release, so no approval lets an action past an engaged kill-switch, a
   * paused budget, a disabled agent or a cap its estimate no longer fits.
   */
  private release(row: ActionRow, approval: ApprovalRow, reason: string | null, now: string): void {
    const { db, budgets, statements: s } = this.deps;
    const input = this.deps.recordedInput(row);
    const agent = this.deps.context(row.agent_id);
    const gate = this.gateAtRelease(row, input, agent);
    if (gate.verdict === 'BLOCK') {
      const why = `approved, but blocked at release: ${gate.detail}`;
      s.setStatus.run('blocked', 0, gate.code, why, now, row.id);
      this.deps.audit.append({
        event_type: 'action.blocked',
        actor: 'system',
        agent_id: row.agent_id,
        subject_id: row.id,
        data: { action_id: row.id, approval_id: approval.id, block_code: gate.code, reason: why },
      });
      return;
    }
    if (input.cost_estimate_micro_usd && agent) {
      const amount = input.cost_estimate_micro_usd;
      try {
        immediate(db, () => budgets.reserve(row.id, agent, row.mission_id, amount));
      } catch (err) {
        // Fail closed: the operator approved, but the ledger cannot hold the estimate.
        s.setStatus.run('blocked', 0, 'evaluation_error', `approved, but the budget ledger could not reserve the estimate: ${messageOf(err)}`, now, row.id);
        return;
      }
    }
    this.deps.counters.takeSlot(row.agent_id, row.id, Date.parse(now));
    s.setStatus.run('allowed', 1, null, reason, now, row.id);
  }

  private gateAtRelease(row: ActionRow, input: ActionInput, agent: AgentContext | null): Gate {
    const { budgets } = this.deps;
    try {
      if (!agent) throw new Error(`agent ${row.agent_id} no longer exists`);
      const kill = killSwitchGate(input, { kill_switch: budgets.killSwitch(), agent, budgets: budgets.applicableBudgets(agent, row.mission_id) });
      if (kill.verdict === 'BLOCK' || !this.deps.gates) return kill;
      // A resource may have come under review while the operator was deciding.
      const gates = gatesLayer(input, agent, this.deps.gates.view());
      return gates.verdict === 'BLOCK' ? { verdict: 'BLOCK', code: 'gate_pending', detail: gates.detail } : kill;
    } catch (err) {
      return { verdict: 'BLOCK', code: 'evaluation_error', detail: `the kill-switches could not be checked (fail closed): ${messageOf(err)}` };
    }
  }

  private close(row: ActionRow, outcome: 'denied' | 'expired', reason: string | null, now: string): void {
    try {
      immediate(this.deps.db, () => this.deps.budgets.release(row.id, outcome === 'denied' ? 'denied' : 'expired'));
    } catch {
      // Nothing was reserved for a pending action; a failing release leaves nothing held.
    }
    this.deps.statements.setStatus.run(outcome, 0, null, reason, now, row.id);
  }
}
