/**
 * What agents ask and operators answer: actions and their receipts, the full-pipeline dry run,
 * approvals (with TTL, long-poll waiting and decisions), delegation approvals, allow-always
 * grants, the decision history, and the governance and approval reports.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, Timestamp, listOf } from './common.js';
import { Usage } from './budgets.js';
import { BLOCK_CODES, LAYERS, RULE_DECISIONS } from '../core/types.js';

const Id = z.string().min(1).max(100);
const ToolName = z.string().min(1).max(200);

export const Verdict = z.enum(RULE_DECISIONS);
export const BlockCode = z.enum(BLOCK_CODES);
export const LayerName = z.enum(LAYERS);

/** The body of `POST /v1/actions`: what an agent proposes to do (PRODUCT.md "The decision pipeline"). */
export const ActionInput = z.strictObject({
  tool: ToolName,
  connector: z.string().min(1).max(200).optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  value: z.number().finite().optional(),
  categories: z.array(z.string().min(1).max(64)).max(32).optional(),
  cost_estimate_micro_usd: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  mission_id: z.string().min(1).max(100).optional(),
  resource: z.strictObject({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }).optional(),
});
export type ActionInput = z.infer<typeof ActionInput>;

export const MatchedRule = z.object({
  policy_id: z.string(),
  policy_name: z.string(),
  policy_version: z.number().int(),
  /** Index of the rule in its policy's `rules`. */
  rule: z.number().int(),
  decision: z.enum(RULE_DECISIONS),
  constraint_failed: z.string().optional(),
});

export const CommandVerdict = z.object({
  /** A simple command of a shell command line as written, or `> path` / `< path` for a redirection. */
  text: z.string(),
  verdict: Verdict,
  detail: z.string(),
  /** The grant that lifted it, if one did. */
  grant_id: z.string().optional(),
});

export const LayerResult = z.object({
  layer: LayerName,
  verdict: z.enum(['ALLOW', 'ALERT', 'BLOCK', 'ABSTAIN']),
  detail: z.string(),
  /** Guardrails of a shell command: each simple command and redirected file with its own verdict. */
  commands: z.array(CommandVerdict).optional(),
});

/** The verdict and its trace, shared by actions, receipts and the dry run. */
const DecisionFields = {
  decision: Verdict,
  block_code: BlockCode.nullable(),
  explanation: z.string(),
  matched: z.array(MatchedRule),
  layers: z.array(LayerResult),
  /** False when the governance settings required the ALERT: no allow-always is offered. */
  grantable: z.boolean(),
  /** The grant that turned a guardrail ALERT into ALLOW, if any. */
  grant_id: z.string().nullable(),
};

/**
 * An action's lifecycle: `allowed` (holding a concurrency slot and any reservation),
 * `pending_approval`, `blocked`, `denied`, `expired` (the approval's TTL ran out), and
 * `completed` once the agent reports the outcome.
 */
export const ActionStatus = z.enum(['allowed', 'pending_approval', 'blocked', 'denied', 'expired', 'completed']);
export type ActionStatus = z.infer<typeof ActionStatus>;

export const Action = z.object({
  id: z.string(),
  object: z.literal('action'),
  agent_id: z.string(),
  ...DecisionFields,
  status: ActionStatus,
  approval_id: z.string().nullable(),
  receipt_id: z.string(),
  action: ActionInput,
  /** The operator's comment when the approval was denied. */
  reason: z.string().nullable(),
  outcome: z.enum(['succeeded', 'failed']).nullable(),
  cost_micro_usd: z.number().int().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Timestamp.nullable(),
  /** When its agent withdrew it (stopped waiting, or gave back an allowed action unrun); status is then `expired`. */
  withdrawn_at: Timestamp.nullable(),
});
export type Action = z.infer<typeof Action>;

export const Receipt = z.object({
  id: z.string(),
  object: z.literal('receipt'),
  action_id: z.string(),
  agent_id: z.string(),
  action: ActionInput,
  ...DecisionFields,
  created_at: Timestamp,
});
export type Receipt = z.infer<typeof Receipt>;

/** `POST /v1/evaluate`: the full pipeline as `POST /v1/actions` would decide it, nothing recorded. */
export const Evaluation = z.object({
  object: z.literal('evaluation'),
  agent_id: z.string().nullable(),
  ...DecisionFields,
  /** The status `POST /v1/actions` would answer. */
  status: z.enum(['allowed', 'pending_approval', 'blocked']),
});
export type Evaluation = z.infer<typeof Evaluation>;

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

export const Approval = z.object({
  id: z.string(),
  object: z.literal('approval'),
  /** `action`: an agent's ALERT; `delegation`: a child's request routed to its leader. */
  kind: z.enum(['action', 'delegation']),
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
});
export type Approval = z.infer<typeof Approval>;

export const Grant = z.object({
  id: z.string(),
  object: z.literal('grant'),
  agent_id: z.string(),
  tool: z.string(),
  connector: z.string().nullable(),
  /** Per-arg exact values or `*` globs; null matches any args. */
  args_pattern: z.record(z.string(), z.unknown()).nullable(),
  /** An amount scope: the action's `value` must be at most this; null when the grant has none. */
  max_value: z.number().nullable(),
  expires_at: Timestamp.nullable(),
  created_at: Timestamp,
  revoked_at: Timestamp.nullable(),
  approval_id: z.string().nullable(),
  /** `operator:opr_…` */
  created_by: z.string(),
  /** Not revoked and not expired now. */
  live: z.boolean(),
});
export type Grant = z.infer<typeof Grant>;

/** How long an allow-always grant lives when the decision does not say: 30 days. */
export const DEFAULT_GRANT_TTL_DAYS = 30;

/**
 * The scope of the grant an `allow_always` creates. Every field left out takes its NARROW
 * default: the exact relevant arguments of the request (`args_pattern`), the request's own
 * `value` as the amount ceiling (`max_value`) and an expiry 30 days out (`expires_at`). `null` is
 * the explicit wide choice: any arguments, any amount, never expires.
 */
export const GrantScope = z.strictObject({
  args_pattern: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .describe('Per-arg exact values or `*` globs. Omitted: the exact relevant arguments of the request. null: any arguments.'),
  max_value: z
    .number()
    .finite()
    .nonnegative()
    .nullable()
    .optional()
    .describe("The action's `value` must be at most this. Omitted: the request's own value (when it has one). null: any amount."),
  expires_at: Timestamp.nullable()
    .optional()
    .describe('Omitted: 30 days from the decision. null: the grant never expires (an explicit choice).'),
  confirm: z
    .literal(true)
    .optional()
    .describe('Required for a scope wider than the exact request on a high-risk tool (governance settings `high_risk_tools`, `high_risk_categories`).'),
});
export type GrantScope = z.infer<typeof GrantScope>;

export const DecisionBody = z.strictObject({
  decision: ApprovalDecisionKind,
  comment: z.string().max(2000).optional(),
  /** allow_always only: widen the grant beyond its narrow default (see GrantScope). */
  grant: GrantScope.optional(),
});

/** What a proposed grant would have allowed among the agent's recent actions. */
export const GrantPreview = z.object({
  /** Of the agent's last `sample_size` actions, how many this grant covers. */
  would_allow: z.number().int(),
  /** Some of them, newest first (at most 10). */
  examples: z.array(
    z.object({
      action_id: z.string(),
      tool: z.string(),
      /** The command, path, URL or arguments, in full. */
      summary: z.string(),
      value: z.number().nullable(),
      status: ActionStatus,
      created_at: Timestamp,
    }),
  ),
});

export const GrantScopeOption = z.object({
  /** Stable within one answer: `exact`, `command_prefix_2`, `folder_1`, `domain`, `any_amount_args`, `any_args`. */
  id: z.string(),
  kind: z.enum(['exact', 'command_prefix', 'folder', 'domain', 'amount', 'any_args']),
  /** One line a person reads: "exactly `git push origin main` in /home/u/proj". */
  label: z.string(),
  args_pattern: z.record(z.string(), z.unknown()).nullable(),
  max_value: z.number().nullable(),
  /** Wider than the exact request: on a high-risk tool it needs `confirm: true`. */
  wide: z.boolean(),
  preview: GrantPreview,
});

export const GrantOptions = z.object({
  object: z.literal('grant_options'),
  approval_id: z.string(),
  /** False when allow_always is not offered (an always_ask rule, the governance settings). */
  grantable: z.boolean(),
  /** Why allow_always is not offered; null when it is. */
  not_grantable_reason: z.string().nullable(),
  /** The tool or its categories are high-risk: a wide scope needs a confirmation. */
  high_risk: z.boolean(),
  high_risk_reason: z.string().nullable(),
  /** The expiry a grant gets when the decision does not choose one. */
  default_expires_at: Timestamp,
  /** How many of the agent's most recent actions the previews looked at (at most 200). */
  sample_size: z.number().int(),
  /** Narrowest first; the first is the default. Empty when not grantable. */
  scopes: z.array(GrantScopeOption),
});
export type GrantOptions = z.infer<typeof GrantOptions>;

export const UndoResult = z.object({
  object: z.literal('approval_undo'),
  approval: Approval,
  /** The grant the allow_always created, now revoked; null when there was none. */
  grant_revoked: z.string().nullable(),
  /** True when the action had not been picked up by its agent and is now withdrawn (denied). */
  action_withdrawn: z.boolean(),
});

export const DelegationBody = z.strictObject({
  leader_agent_id: Id,
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

export const ReportPeriod = z.enum(['last_7_days', 'last_30_days', 'all']);

export const GovernanceReport = z.object({
  object: z.literal('governance_report'),
  period: ReportPeriod,
  /** Actions evaluated in the period. */
  total_executions: z.number().int(),
  /** Of those, the ones that needed an approval. */
  gated_executions: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  expired: z.number().int(),
  pending: z.number().int(),
  /** approved / (approved + rejected + expired); null when none resolved. */
  approval_rate: z.number().nullable(),
  /** Mean time from request to approval, in minutes; null when none approved. */
  avg_approval_time_minutes: z.number().nullable(),
  top_approvers: z.array(z.object({ operator_id: z.string(), name: z.string().nullable(), approvals: z.number().int() })),
});

const ApprovalCounts = {
  total: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  expired: z.number().int(),
  pending: z.number().int(),
};

export const ApprovalsReport = z.object({
  object: z.literal('approvals_report'),
  period: ReportPeriod,
  by_tool: z.array(z.object({ tool: z.string(), ...ApprovalCounts })),
  by_agent: z.array(z.object({ agent_id: z.string(), name: z.string().nullable(), ...ApprovalCounts })),
  by_category: z.record(z.string(), z.object(ApprovalCounts)),
});

const ActionsQuery = ListQuery.extend({
  status: ActionStatus.optional(),
  /** Operator only; an agent key always lists its own. */
  agent_id: Id.optional(),
});

export const actionRoutes = {
  createAction: defineRoute({
    method: 'POST', path: '/v1/actions', auth: 'actions:write', tag: 'actions',
    summary: 'Ask before a side effect: ALLOW (allowed), ALERT (pending_approval) or BLOCK (blocked), with a receipt.',
    query: z.strictObject({ wait_s: z.coerce.number().int().min(0).max(55).default(0) }),
    body: ActionInput.extend({
      /** Operator token only: the agent the action belongs to (an agent key always acts as itself). */
      agent_id: Id.optional(),
    }),
    response: Action,
  }),
  listActions: defineRoute({
    method: 'GET', path: '/v1/actions', auth: 'authenticated', tag: 'actions',
    summary: 'Actions, newest first. An agent key sees its own.',
    query: ActionsQuery, response: listOf(Action),
  }),
  getAction: defineRoute({
    method: 'GET', path: '/v1/actions/:id', auth: 'authenticated', tag: 'actions',
    summary: "An action's current status. An agent sees only its own (404 otherwise).",
    params: IdParams, response: Action,
  }),
  completeAction: defineRoute({
    method: 'POST', path: '/v1/actions/:id/complete', auth: 'actions:write', tag: 'actions',
    summary: 'Report the outcome: settles the reservation, records spend, frees the concurrency slot. 409 the second time.',
    params: IdParams,
    body: z.strictObject({
      outcome: z.enum(['succeeded', 'failed']),
      cost_micro_usd: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
      usage: Usage.optional(),
    }),
    response: Action,
  }),
  withdrawAction: defineRoute({
    method: 'POST', path: '/v1/actions/:id/withdraw', auth: 'actions:write', tag: 'actions',
    summary:
      "The action's own agent stopped waiting: its approval can no longer be allowed (409), its slot and reservation are released. 409 unless pending or allowed.",
    params: IdParams, response: Action,
  }),
  getReceipt: defineRoute({
    method: 'GET', path: '/v1/receipts/:id', auth: 'authenticated', tag: 'actions',
    summary: 'The recorded decision of an action with every layer and matched rule.',
    params: IdParams, response: Receipt,
  }),
  evaluate: defineRoute({
    method: 'POST', path: '/v1/evaluate', auth: 'guardrails:read', tag: 'actions',
    summary: 'Dry run of the full pipeline (kill-switches, quotas, tool access, guardrails, settings, grants); nothing recorded.',
    body: z.strictObject({ action: ActionInput, agent_id: Id.optional() }),
    response: Evaluation,
  }),
  listApprovals: defineRoute({
    method: 'GET', path: '/v1/approvals', auth: 'approvals:read', tag: 'approvals',
    summary: 'Approval requests, newest first. An agent key sees its own.',
    query: ListQuery.extend({
      status: ApprovalStatus.optional(),
      agent_id: Id.optional(),
      kind: z.enum(['action', 'delegation']).optional(),
    }),
    response: listOf(Approval),
  }),
  getApproval: defineRoute({
    method: 'GET', path: '/v1/approvals/:id', auth: 'approvals:read', tag: 'approvals',
    summary: 'One approval request with its decisions.', params: IdParams, response: Approval,
  }),
  waitApproval: defineRoute({
    method: 'GET', path: '/v1/approvals/:id/wait', auth: 'approvals:read', tag: 'approvals',
    summary: 'Long-poll: answers the moment the request is resolved or expires, or as it is after timeout_s.',
    params: IdParams,
    query: z.strictObject({ timeout_s: z.coerce.number().int().min(0).max(55).default(30) }),
    response: Approval,
  }),
  decideApproval: defineRoute({
    method: 'POST', path: '/v1/approvals/:id/decision', auth: 'operator', tag: 'approvals',
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
    method: 'POST', path: '/v1/approvals/:id/undo', auth: 'operator', tag: 'approvals',
    summary:
      'Undo an allow within 10 s of the decision: an allow_always grant is revoked, and an action its agent has not picked up yet is ' +
      'withdrawn (the approval and the action become denied). 409 state_conflict after 10 s, for a deny, or when there is nothing left to undo.',
    params: IdParams, response: UndoResult,
  }),
  requestDelegation: defineRoute({
    method: 'POST', path: '/v1/delegation-approvals', auth: 'actions:write', tag: 'approvals',
    summary: "Route a child's delegation to its leader's queue; a live delegate:KIND grant answers allow_always at once.",
    body: DelegationBody, response: DelegationResult,
  }),
  listGrants: defineRoute({
    method: 'GET', path: '/v1/grants', auth: 'approvals:read', tag: 'approvals',
    summary: 'Allow-always grants, newest first. An agent key sees its own.',
    query: ListQuery.extend({
      agent_id: Id.optional(),
      tool: ToolName.optional(),
      /** `live` (default): not revoked and not expired; `all`: every grant. */
      state: z.enum(['live', 'all']).default('live'),
    }),
    response: listOf(Grant),
  }),
  revokeGrant: defineRoute({
    method: 'DELETE', path: '/v1/grants/:id', auth: 'operator', tag: 'approvals',
    summary: 'Revoke a grant; it stops applying at once.', params: IdParams, response: Grant,
  }),
  approvalHistory: defineRoute({
    method: 'GET', path: '/v1/approval-history', auth: 'approvals:read', tag: 'approvals',
    summary: 'Operator decisions, newest first. An agent key sees those on its own requests.',
    query: ListQuery.extend({ agent_id: Id.optional() }),
    response: listOf(HistoryEntry),
  }),
  governanceReport: defineRoute({
    method: 'GET', path: '/v1/reports/governance', auth: 'operator', tag: 'reports',
    summary: 'Executions, gated executions, approval rate, time to approve, top approvers.',
    query: z.strictObject({ period: ReportPeriod.default('last_30_days') }),
    response: GovernanceReport,
  }),
  approvalsReport: defineRoute({
    method: 'GET', path: '/v1/reports/approvals', auth: 'operator', tag: 'reports',
    summary: 'Approval requests by tool, by agent and by category.',
    query: z.strictObject({ period: ReportPeriod.default('last_30_days') }),
    response: ApprovalsReport,
  }),
};
