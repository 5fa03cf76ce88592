/**
 * What operators answer: approval requests (with TTL, long-poll waiting and decisions), the
 * grant scopes Allow always proposes, undo, delegation approvals and the decision history.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { AgentWillWait, IdParams, ListQuery, RefId, Timestamp, listOf } from './common.js';
import { ActionInput, BlockCode } from './vocabulary.js';
import { GrantOptions, GrantScope } from './grants.js';


export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;
export const ApprovalDecisionKind = z.enum(['allow_once', 'allow_always', 'deny']);
export type ApprovalDecisionKind = z.infer<typeof ApprovalDecisionKind>;
export const Resolution = z.enum(['allow_once', 'allow_always', 'deny', 'expired']);

export const ApprovalDecision = z.object({
  /** The operator id (`opr_…`). */
  operator: z.string(),
  operator_name: z.string().nullable(),
  decision: ApprovalDecisionKind,
  comment: z.string().nullable(),
  at: Timestamp,
});

export const ApprovalKind = z.enum(['action', 'delegation', 'workflow_step']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const Approval = z.object({
  id: z.string(),
  object: z.literal('approval'),
  /** `action`: an agent's ALERT; `delegation`: a child's request routed to its leader; `workflow_step`: a workflow's human step. */
  kind: ApprovalKind,
  status: ApprovalStatus,
  /** The agent whose queue holds it (for a delegation, the leader). */
  agent_id: z.string(),
  agent_name: z.string().nullable(),
  /** For a delegation, the child agent that asked (null when the operator asked). */
  child_agent_id: z.string().nullable(),
  /** The proposed action; a delegation appears as tool `delegate:KIND` with its task in `args`. */
  action: ActionInput,
  action_id: z.string().nullable(),
  receipt_id: z.string().nullable(),
  explanation: z.string(),
  /** The action's own categories, then those declared for its tool (GET /v1/tools). */
  categories: z.array(z.string()),
  /** False when the governance settings required the approval: allow_always is refused. */
  grantable: z.boolean(),
  required_approvals: z.number().int(),
  decisions: z.array(ApprovalDecision),
  /**
   * While pending, the operators who may still decide: those that existed (and are not revoked)
   * before the request was made, less those who already decided. Empty once resolved.
   */
  eligible_operators: z.array(z.object({ id: z.string(), name: z.string() })),
  created_at: Timestamp,
  expires_at: Timestamp,
  resolved_at: Timestamp.nullable(),
  resolution: Resolution.nullable(),
  /** The grant allow_always created. */
  grant_id: z.string().nullable(),
  /**
   * Set when the operator allowed the request but the action was blocked when released (the
   * kill-switch engaged, the agent disabled, a budget paused): the agent was told it is blocked.
   */
  blocked_at_release: z.object({ block_code: BlockCode.nullable(), reason: z.string() }).nullable(),
  /** When an operator undid the allow (POST /v1/approvals/{id}/undo), and who. */
  undone_at: Timestamp.nullable(),
  undone_by: z.string().nullable(),
  /** When the agent stopped waiting and withdrew the request: it can no longer be decided. */
  withdrawn_at: Timestamp.nullable(),
  /** A workflow's human step: the run it belongs to, its Inbox queue label and its rendered prompt. */
  workflow_run_id: z.string().nullable(),
  queue: z.string().nullable(),
  prompt: z.string().nullable(),
  /**
   * While pending: until when the agent says it keeps waiting for the answer (its own wait, told
   * with each long-poll as `will_wait_s`); null when no agent is waiting on it right now.
   */
  agent_waiting_until: Timestamp.nullable(),
});
export type Approval = z.infer<typeof Approval>;

export const DecisionBody = z.strictObject({
  decision: ApprovalDecisionKind,
  comment: z.string().max(2000).optional(),
  /** allow_always only: widen the grant beyond its narrow default (see GrantScope). */
  grant: GrantScope.optional(),
});

export const UndoResult = z.object({
  object: z.literal('approval_undo'),
  approval: Approval,
  /** The grant the allow_always created, now revoked; null when there was none. */
  grant_revoked: z.string().nullable(),
  /** True when the action had not been picked up by its agent and is now withdrawn (denied). */
  action_withdrawn: z.boolean(),
});

export const DelegationBody = z.strictObject({
  leader_agent_id: RefId,
  kind: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'expected 1–40 of a-z 0-9 . _ -').default('code'),
  target_agent_name: z.string().min(1).max(200).optional(),
  task: z.string().min(1).max(4000).optional(),
  task_id: z.string().min(1).max(200).optional(),
  wait_s: z.number().int().min(0).max(55).default(30),
});

export const DelegationResult = z.object({
  object: z.literal('delegation_approval'),
  resolution: z.enum(['allow_once', 'allow_always', 'deny', 'expired', 'timeout']),
  /** Null when a live grant answered at once. */
  approval_id: z.string().nullable(),
  grant_id: z.string().nullable(),
  /** The operator's comment on a deny. */
  reason: z.string().nullable(),
});

export const HistoryEntry = z.object({
  id: z.string(),
  object: z.literal('approval_decision'),
  approval_id: z.string(),
  agent_id: z.string(),
  tool: z.string(),
  operator: z.string(),
  operator_name: z.string().nullable(),
  decision: ApprovalDecisionKind,
  comment: z.string().nullable(),
  at: Timestamp,
});

export const approvalRoutes = {
  listApprovals: defineRoute({
    method: 'GET', path: '/v1/approvals', auth: 'approvals:read', rows: { kind: 'list' }, tag: 'approvals',
    summary: 'Approval requests, newest first. An agent key sees its own.',
    query: ListQuery.extend({
      status: ApprovalStatus.optional(),
      agent_id: RefId.optional(),
      kind: ApprovalKind.optional(),
    }),
    response: listOf(Approval),
  }),
  getApproval: defineRoute({
    method: 'GET', path: '/v1/approvals/:id', auth: 'approvals:read', rows: { kind: 'read', owner: 'approval' }, tag: 'approvals',
    summary: 'One approval request with its decisions.', params: IdParams, response: Approval,
  }),
  waitApproval: defineRoute({
    method: 'GET', path: '/v1/approvals/:id/wait', auth: 'approvals:read', rows: { kind: 'read', owner: 'approval' }, tag: 'approvals',
    summary: 'Long-poll: answers the moment the request is resolved or expires, or as it is after timeout_s.',
    params: IdParams,
    query: z.strictObject({
      timeout_s: z.coerce.number().int().min(0).max(55).default(30),
      /** How long the agent keeps waiting in all, polling again (default: this poll's timeout_s). */
      will_wait_s: AgentWillWait.optional(),
    }),
    response: Approval,
  }),
  decideApproval: defineRoute({
    method: 'POST', path: '/v1/approvals/:id/decision', auth: 'operator', role: 'member', tag: 'approvals',
    summary:
      'Allow once, allow always or deny. 409 approval_expired / already_resolved. allow_always creates a grant that is narrow by default: ' +
      "the exact relevant arguments, the request's value as max_value, expiring in 30 days; `grant` widens it explicitly " +
      '(`args_pattern`, `max_value`, `expires_at`; null = any / never). A wider scope on a high-risk tool needs `grant.confirm: true`.',
    params: IdParams, body: DecisionBody, response: Approval,
  }),
  grantOptions: defineRoute({
    method: 'GET', path: '/v1/approvals/:id/grant-options', auth: 'operator', tag: 'approvals',
    summary:
      'The grant scopes Allow always proposes for a request, narrowest first (exact; command prefix by parsed words; folder; domain; amount), ' +
      "each with a preview of which of the agent's last 200 actions it would have allowed.",
    params: IdParams, response: GrantOptions,
  }),
  undoDecision: defineRoute({
    method: 'POST', path: '/v1/approvals/:id/undo', auth: 'operator', role: 'member', tag: 'approvals',
    summary:
      'Undo an allow within 10 s of the decision: an allow_always grant is revoked, and an action its agent has not picked up yet is ' +
      'withdrawn (the approval and the action become denied). 409 state_conflict after 10 s, for a deny, or when there is nothing left to undo.',
    params: IdParams, response: UndoResult,
  }),
  requestDelegation: defineRoute({
    method: 'POST', path: '/v1/delegation-approvals', auth: 'actions:write', role: 'member', rows: { kind: 'as', in: 'body', field: 'leader_agent_id', may: 'self_or_leader' }, tag: 'approvals',
    summary: "Route a child's delegation to its leader's queue; a live delegate:KIND grant answers allow_always at once.",
    body: DelegationBody, response: DelegationResult,
  }),
  approvalHistory: defineRoute({
    method: 'GET', path: '/v1/approval-history', auth: 'approvals:read', rows: { kind: 'list' }, tag: 'approvals',
    summary: 'Operator decisions, newest first. An agent key sees those on its own requests.',
    query: ListQuery.extend({ agent_id: RefId.optional() }),
    response: listOf(HistoryEntry),
  }),
};
