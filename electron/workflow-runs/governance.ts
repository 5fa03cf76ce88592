/**
 * Runs under the same governance as actions: a run's start is a governed action of its agent
 * (tool `workflow:NAME`), so it counts against quotas and budgets and meets the kill-switch; each
 * step is refused while the kill-switch is engaged, the agent is disabled or its (or its
 * mission's) budget is paused; `action` executors go through the six-layer pipeline as the run's
 * agent. A start-check hook lets another domain (gates) refuse starts of a workflow.
 */
import type { Action } from '../../shared/api/actions.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { ActionService } from '../actions/service.js';
import { HttpError } from '../server/errors.js';
import type { RunRow } from './store.js';

/** Whether a run of `workflowName` may start now; the default allows every start. */
export type WorkflowStartCheck = (workflowName: string) => { allowed: boolean; reason: string };
export const allowEveryStart: WorkflowStartCheck = () => ({ allowed: true, reason: '' });

/** What refuses a step: the pipeline's answers that mean "stopped", not "not this action". */
const STOPPING_CODES = new Set(['kill_switch', 'agent_disabled', 'budget_paused']);

export interface StartAdmission {
  decision: 'ALLOW' | 'ALERT';
  action_id: string;
  /** Set on ALERT: the run waits on it before entering its first state. */
  approval_id: string | null;
}

export class RunGovernance {
  /** Filled by the gates domain; see `WorkflowStartCheck`. */
  startCheck: WorkflowStartCheck = allowEveryStart;

  constructor(private readonly actions: ActionService) {}

  static toolOf(workflow: string): string {
    return `workflow:${workflow}`;
  }

  checkStart(workflow: string): void {
    let verdict: { allowed: boolean; reason: string };
    try {
      verdict = this.startCheck(workflow);
    } catch {
      verdict = { allowed: false, reason: 'the start check failed' };
    }
    if (!verdict.allowed) throw new HttpError(409, 'state_conflict', `runs of ${workflow} cannot start now: ${verdict.reason}`);
  }

  /** 409 while the kill-switch, a disabled agent or a paused budget stops the run's agent. */
  checkStep(run: Pick<RunRow, 'agent_id' | 'mission_id' | 'workflow'>): void {
    const input: ActionInput = { tool: RunGovernance.toolOf(run.workflow), ...(run.mission_id ? { mission_id: run.mission_id } : {}) };
    const evaluation = this.actions.dryRun(input, run.agent_id);
    if (evaluation.decision === 'BLOCK' && evaluation.block_code && STOPPING_CODES.has(evaluation.block_code)) {
      throw new HttpError(409, 'state_conflict', `the run cannot step: ${evaluation.explanation}`, undefined, { details: { block_code: evaluation.block_code } });
    }
  }

  /** Submits the start as a governed action; BLOCK refuses it (409 with the receipt), ALLOW completes at once. */
  admitStart(workflow: string, agentId: string, missionId: string | null, caller: { kind: string; id: string; actor: string }): StartAdmission {
    const input: ActionInput = { tool: RunGovernance.toolOf(workflow), args: { workflow }, ...(missionId ? { mission_id: missionId } : {}) };
    const action = this.actions.create(agentId, input, caller.actor, caller.kind === 'operator' ? caller.id : null);
    if (action.decision === 'BLOCK') {
      throw new HttpError(409, 'state_conflict', `the run cannot start: ${action.explanation}`, undefined, {
        details: { action_id: action.id, receipt_id: action.receipt_id, block_code: action.block_code },
      });
    }
    if (action.decision === 'ALLOW') this.completeAllowed(action.id);
    return { decision: action.decision, action_id: action.id, approval_id: action.decision === 'ALERT' ? action.approval_id : null };
  }

  /** The action as it stands now. */
  action(actionId: string): Action {
    return this.actions.get(actionId);
  }

  /** An allowed action the run consumed: completed at once, so it holds no concurrency slot. */
  completeAllowed(actionId: string): Action {
    return this.actions.complete(actionId, { outcome: 'succeeded' }, 'system');
  }

  /** An `action` executor's submission, as the run's agent. */
  submit(agentId: string, input: ActionInput, actor: string): Promise<Action> {
    return this.actions.submit(agentId, input, actor, null);
  }
}
