/**
 * The payload of every event on `GET /v1/events` (and the in-process bus), by event type. Most
 * are the API object they concern, so the UI updates without a refetch; `ServerEvents`
 * (shared/events.ts) is the type derived from this map.
 */
import { z } from 'zod';
import { Timestamp } from './common.js';
import { Action } from './actions.js';
import { Approval } from './approvals.js';
import { Budget, BudgetScope, KillSwitch } from './budgets.js';
import { WorkflowRun } from './workflow-runs.js';
import { GateSubmission } from './gates.js';
import { Operator } from './operators.js';
import type { EventType } from '../vocabulary.js';

const BudgetFields = {
  budget: Budget,
  scope: BudgetScope,
  scope_id: z.string(),
  /** The spend that crossed the threshold or paused the budget, when a spend did. */
  spend_id: z.string().optional(),
  /** The spend's agent; null for a spend recorded without one. */
  agent_id: z.string().nullable().optional(),
};

/** `budget.warning` (threshold 0.8) and `budget.cap_hit` (threshold 1). */
export const BudgetCrossing = z.object({ ...BudgetFields, threshold: z.number() });

export const BudgetPaused = z.object({
  ...BudgetFields,
  reason: z.enum(['cap_hit', 'manual']),
  /** The operator's note on a manual pause. */
  note: z.string().optional(),
});

export const BudgetResumed = z.object({
  ...BudgetFields,
  /** `limit_raised` above the spend, resumed by an `operator`, or woken by a `period_rollover`. */
  reason: z.enum(['limit_raised', 'operator', 'period_rollover']),
  grace_usd_cents: z.number().int().optional(),
  /** `period`: the grace lasts until the next period boundary; `cap`: the raised cap stands. */
  grace_for: z.enum(['cap', 'period']).optional(),
  /** A cap-mode budget resumed at or over its limit pauses again on its next spend. */
  will_repause: z.boolean().optional(),
  /** The period that just closed, on a rollover. */
  previous_period: z.object({ starts_at: Timestamp, ends_at: Timestamp, spent_micro_usd: z.number().int() }).optional(),
});

export const KillSwitchChanged = z.object({ kill_switch: KillSwitch, engaged: z.boolean(), reason: z.string().nullable() });

export const ServerEventSchemas = {
  'approval.requested': Approval,
  'approval.resolved': Approval,
  'approval.decided': Approval,
  'approval.waiting': Approval,
  'budget.warning': BudgetCrossing,
  'budget.cap_hit': BudgetCrossing,
  'budget.paused': BudgetPaused,
  'budget.resumed': BudgetResumed,
  'action.evaluated': Action,
  'action.withdrawn': Action,
  'action.released': Action,
  'kill_switch.changed': KillSwitchChanged,
  'operator.changed': Operator,
  'workflow_run.changed': WorkflowRun,
  'workflow_run.waiting': z.object({ run: WorkflowRun, approval_id: z.string() }),
  'gate_review.pending': GateSubmission,
  'gate_review.decided': GateSubmission,
} satisfies { [K in EventType]: z.ZodType };
