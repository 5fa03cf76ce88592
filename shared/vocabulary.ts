/**
 * Warden's vocabulary: every closed list of names the server, the decision core, the CLI and the
 * renderer share, each written once as an `as const` list with its type derived from it. The zod
 * schemas of these lists live in `shared/api/vocabulary.ts`; this file imports nothing, so the
 * pure core and the renderer can read it too.
 */

/** What a decision, a guardrail rule or a shell command's check answers. */
export const VERDICTS = ['ALLOW', 'ALERT', 'BLOCK'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What one layer of the pipeline answers: a verdict, or `ABSTAIN` when it has nothing to say. */
export const LAYER_VERDICTS = [...VERDICTS, 'ABSTAIN'] as const;
export type LayerVerdict = (typeof LAYER_VERDICTS)[number];

/** The layers of the decision pipeline, in the order they run. */
export const LAYERS = ['self_protection', 'kill_switch', 'gates', 'quota', 'tool_access', 'guardrails', 'settings', 'grants'] as const;
export type LayerName = (typeof LAYERS)[number];

/** Why an action was blocked (`block_code` of a BLOCK decision). */
export const BLOCK_CODES = [
  'no_matching_rule',
  'constraint_failed',
  'rule_blocked',
  'self_protection',
  'tool_denied',
  'domain_not_allowed',
  'budget_paused',
  'budget_insufficient',
  'quota_exceeded',
  'agent_disabled',
  'kill_switch',
  'evaluation_error',
  /** A resource of the action awaits its review gates (shared/core/gates.ts). */
  'gate_pending',
] as const;
export type BlockCode = (typeof BLOCK_CODES)[number];

/**
 * Categories with a switch of their own in the governance settings
 * (`require_approval_for_<category>`). An action or a tool may carry any other category name;
 * `category_flags` gates those.
 */
export const BUILTIN_CATEGORIES = ['external_comm', 'public_writes', 'permission_changes'] as const;
export type BuiltinCategory = (typeof BUILTIN_CATEGORIES)[number];

/**
 * Kinds of resource an action's `resource {type, id}` may name and a review gate may cover. An
 * action may also name a type of its own: the list is what Warden itself knows.
 */
export const RESOURCE_TYPES = [
  'agent',
  'workflow',
  'tool',
  'mcp_server',
  'connector',
  'model',
  'prompt',
  'skill',
  'mission',
  'project',
  'code_session',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * An action's lifecycle: `allowed` (holding a concurrency slot and any reservation),
 * `pending_approval`, `blocked`, `denied`, `expired` (the approval's TTL ran out, or its agent
 * withdrew it), and `completed` once the agent reports the outcome.
 */
export const ACTION_STATUSES = ['allowed', 'pending_approval', 'blocked', 'denied', 'expired', 'completed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** What a budget caps: one agent, a team, a mission, or everything (`global`). */
export const BUDGET_SCOPES = ['agent', 'team', 'mission', 'global'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** Micro-USD per cent: money is integer micro-USD inside, cents at the edges. */
export const MICRO_PER_CENT = 10_000;

/** The quotas an operator can set, profile-wide or per agent. */
export const QUOTA_KEYS = ['runs_per_hour', 'concurrent_executions', 'memory_mb'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/**
 * Operator roles, least to most. Each operator route declares the least role that may call it
 * (`RouteDef.role`); the first operator is `owner`.
 */
export const OPERATOR_ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Scopes an agent key can carry. The operator token holds all of them. */
export const AGENT_SCOPES = [
  'actions:write',
  'spend:write',
  'guardrails:read',
  'budgets:read',
  'audit:read',
  'approvals:read',
  'workflows:read',
  'workflows:write',
  'gates:read',
  'gates:write',
] as const;
export type AgentScope = (typeof AGENT_SCOPES)[number];

/** The limits of an action's fields (`ActionInput`), in characters or items. */
export const ACTION_LIMITS = {
  tool: 128,
  connector: 128,
  category: 64,
  categories: 32,
  mission_id: 100,
  resource_type: 64,
  resource_id: 200,
} as const;

/** Characters of a tool name (`order.refund`, `shell.exec`, `delegate:code`, `mcp.github.create_issue`). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._:/-]*$/;

/**
 * Events published on the in-process bus and streamed to operators over `GET /v1/events`. Their
 * payloads are listed in `ServerEvents` (shared/events.ts).
 */
export const EVENT_TYPES = [
  'approval.requested',
  'approval.resolved',
  /** An operator's allow was counted toward a threshold of several; the request is still pending. */
  'approval.decided',
  /** The agent waiting on a pending request told how long it keeps waiting, or stopped waiting. */
  'approval.waiting',
  /** An operator's role or permissions changed (payload: the operator); its open UI follows. */
  'operator.changed',
  'budget.warning',
  'budget.cap_hit',
  'budget.paused',
  'budget.resumed',
  'action.evaluated',
  /** The agent stopped waiting and withdrew its request (payload: the action). */
  'action.withdrawn',
  /** An action an approval allowed was not picked up in time: its slot and reservation were released. */
  'action.released',
  'kill_switch.changed',
  /** A workflow run moved (started, stepped, an executor finished, cancelled): payload the run. */
  'workflow_run.changed',
  /** A workflow run waits on an approval (a human step, an action's ALERT). */
  'workflow_run.waiting',
  /** A gate submission awaits review (payload: the submission). */
  'gate_review.pending',
  /** A gate submission was decided or waived; still pending when more approvals are needed (payload: the submission). */
  'gate_review.decided',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The `event_type` of every row the audit log is written with. */
export const AUDIT_EVENT_TYPES = [
  'agent.created',
  'agent.updated',
  'agent.deleted',
  'key.created',
  'key.revoked',
  'operator.created',
  'operator.revoked',
  'operator.role_changed',
  'operator.permissions_changed',
  'policy.created',
  'policy.updated',
  'policy.deleted',
  'tool.declared',
  'settings.updated',
  'quota.updated',
  'mission.created',
  'mission.updated',
  'action.evaluated',
  'action.blocked',
  'action.completed',
  'action.withdrawn',
  'action.released',
  'approval.requested',
  'approval.decided',
  'approval.granted',
  'approval.denied',
  'approval.expired',
  'approval.undone',
  'delegation.allowed',
  'delegation.blocked',
  'grant.created',
  'grant.revoked',
  'budget.set',
  'budget.deleted',
  'budget.warning',
  'budget.cap_hit',
  'budget.paused',
  'budget.resumed',
  'spend.recorded',
  'reservation.released',
  'kill_switch.engaged',
  'kill_switch.released',
  'mcp_server.created',
  'mcp_server.updated',
  'mcp_server.deleted',
  'workflow_run.started',
  'workflow_run.transitioned',
  'workflow_run.cancelled',
  'workflow.guard_evaluated',
  'workflow_run.executor_finished',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'workflow.deployed',
  'workflow.rolled_back',
  'workflow.deleted',
  'template.approved',
  'template.deprecated',
  'template.archived',
  'gate_policy.created',
  'gate_policy.updated',
  'gate_policy.deleted',
  'solution.created',
  'solution.updated',
  'solution.deleted',
  'solution.recomputed',
  'gate.submitted',
  'gate.approved',
  'gate.denied',
  'gate.conditional',
  'gate.waived',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
