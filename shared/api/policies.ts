/**
 * Policies: guardrails with versions and a dry-run evaluator, the tool registry, tool policies
 * and role overrides, governance settings and quotas.
 *
 * `POST /v1/evaluate` (the full pipeline) is declared by the actions domain; the action it
 * evaluates is the one `ActionInput` of shared/api/vocabulary.ts.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, Timestamp, listOf } from './common.js';
import { QUOTA_KEYS, type QuotaKey } from '../vocabulary.js';
import { guardError } from '../core/expr.js';
import { globError } from '../core/glob.js';
import type { Guard as GuardType } from '../core/types.js';
import { ActionInput, BlockCode, CategoryName, ConnectorName, ToolName, Verdict } from './vocabulary.js';
import { LayerResult, MatchedRule } from './actions.js';

// ---------------------------------------------------------------------------------------------
// Guardrail rules and policies

/** `a-z 0-9 -`, 3–40 characters; immutable, it is how receipts cite a policy. */
export const PolicyName = z
  .string()
  .min(3)
  .max(40)
  .regex(/^[a-z0-9-]+$/, 'expected 3-40 characters of a-z, 0-9 and "-"');

/** An expression guard: a string in the grammar of shared/core/expr.ts, or `all_of` / `any_of` / `not`. */
export const GuardSchema: z.ZodType<GuardType> = z.lazy(() =>
  z.union([
    z.string().min(1).max(2000),
    z.strictObject({ all_of: z.array(GuardSchema).min(1).max(50) }),
    z.strictObject({ any_of: z.array(GuardSchema).min(1).max(50) }),
    z.strictObject({ not: GuardSchema }),
  ]),
);

/**
 * One rule: matchers (`tool` exact or a glob such as `fs.*`, `connector`, `agent_id` or `agent`
 * (an agent's name), `role`, `expr`), an optional `max_value` ceiling and a decision. A matching
 * BLOCK rule blocks; `always_ask` (ALERT only) makes an ALERT no grant can lift. A rule with no
 * matcher at all is refused: matching every tool of every agent must be said with `tool: "*"`.
 */
export const GuardrailRuleSchema = z
  .strictObject({
    tool: z.string().min(1).max(128).optional(),
    connector: ConnectorName.optional(),
    agent_id: z.string().min(1).max(100).optional(),
    agent: z.string().min(1).max(200).optional(),
    role: z.string().min(1).max(64).optional(),
    expr: GuardSchema.optional(),
    max_value: z.number().finite().positive().optional(),
    decision: Verdict,
    always_ask: z.boolean().optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.always_ask === true && rule.decision !== 'ALERT') {
      ctx.addIssue({ code: 'custom', path: ['always_ask'], message: `always_ask applies only to ALERT rules, got decision ${rule.decision}` });
    }
    const toolGlob = rule.tool === undefined ? null : globError(rule.tool);
    if (toolGlob) ctx.addIssue({ code: 'custom', path: ['tool'], message: toolGlob });
    const matchers = [rule.tool, rule.connector, rule.agent_id, rule.agent, rule.role, rule.expr];
    if (matchers.every((m) => m === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tool'],
        message: 'a rule needs a matcher (tool, connector, agent_id, agent, role or expr); to match every tool of every agent, say tool: "*"',
      });
    }
    if (rule.expr === undefined) return;
    const bad = guardError(rule.expr);
    if (bad) ctx.addIssue({ code: 'custom', path: ['expr', ...bad.path], message: bad.message });
  });
export type GuardrailRuleInput = z.infer<typeof GuardrailRuleSchema>;

/** `rules` may not be empty; the server answers 400 `missing_parameter`. */
export const GuardrailRules = z.array(GuardrailRuleSchema).max(1000);

export const PolicyStatus = z.enum(['active', 'disabled']);

export const GuardrailPolicySchema = z.object({
  id: z.string(),
  object: z.literal('guardrail_policy'),
  name: z.string(),
  description: z.string().nullable(),
  status: PolicyStatus,
  version: z.number().int().positive(),
  rules: z.array(GuardrailRuleSchema),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Set once deleted: out of evaluation, every version still readable. */
  deleted_at: Timestamp.nullable(),
});
export type GuardrailPolicyObject = z.infer<typeof GuardrailPolicySchema>;

/** A policy as it was at one version (the rules are verbatim). */
export const GuardrailVersionSchema = GuardrailPolicySchema.extend({
  /** When this version was written. */
  version_created_at: Timestamp,
  /** Who wrote this version (`operator:opr_…`). */
  version_actor: z.string(),
  /** Why it was written, as its author said (`note` on create or PATCH); null when nobody said. */
  version_note: z.string().nullable(),
});
export type GuardrailVersionObject = z.infer<typeof GuardrailVersionSchema>;

/** A policy that exists only for a dry run; `id`, `name` and `version` default to placeholders. */
export const HypotheticalPolicySchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  name: z.string().min(1).max(40).optional(),
  version: z.number().int().positive().optional(),
  status: PolicyStatus.optional(),
  description: z.string().max(2000).nullable().optional(),
  rules: GuardrailRules,
});

/** A matched rule of the guardrails dry run also carries the rule as written in that version. */
export const MatchedRuleSchema = MatchedRule.extend({
  /** The rule itself, as written in that version. */
  rule_def: GuardrailRuleSchema,
});

// ---------------------------------------------------------------------------------------------
// Tools, tool policies, role overrides

export const ToolSchema = z.object({
  id: z.string(),
  object: z.literal('tool'),
  name: z.string(),
  description: z.string().nullable(),
  categories: z.array(z.string()),
  /** `declared` through `POST /v1/tools`, `seen` when it entered the registry from an action. */
  source: z.enum(['declared', 'seen']),
  created_at: Timestamp,
  last_seen_at: Timestamp.nullable(),
});
export type ToolObject = z.infer<typeof ToolSchema>;

/** A host (`api.example.com`) or a subdomain wildcard (`*.example.com`). */
export const DomainPattern = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'expected a host name such as api.example.com or *.example.com');

export const ToolRestrictions = z.strictObject({
  allowed_domains: z.array(DomainPattern).max(200).optional(),
  max_response_size_kb: z.number().int().positive().max(10_485_760).optional(),
});

export const ToolPolicySchema = z.object({
  id: z.string(),
  object: z.literal('tool_policy'),
  tool_name: z.string(),
  allowed: z.boolean(),
  restrictions: z.object({
    allowed_domains: z.array(z.string()).optional(),
    max_response_size_kb: z.number().int().optional(),
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ToolPolicyObject = z.infer<typeof ToolPolicySchema>;

export const RoleOverrideSchema = z.object({
  id: z.string(),
  object: z.literal('role_policy_override'),
  role: z.string(),
  tool_name: z.string(),
  allowed: z.boolean(),
  created_at: Timestamp,
});
export type RoleOverrideObject = z.infer<typeof RoleOverrideSchema>;

// ---------------------------------------------------------------------------------------------
// Governance settings and quotas

const SettingsFields = {
  require_approval_for_external_comm: z.boolean(),
  require_approval_for_public_writes: z.boolean(),
  require_approval_for_permission_changes: z.boolean(),
  allow_self_approval: z.boolean(),
  approval_threshold: z.number().int().min(1).max(10),
  approval_ttl_seconds: z.number().int().min(10).max(86_400),
  category_flags: z.record(CategoryName, z.boolean()),
  unmatched_decision: z.enum(['ALERT', 'BLOCK']),
  /** Tool globs (`shell.*`) whose Allow always needs a confirmation for a scope wider than the exact request. */
  high_risk_tools: z.array(z.string().min(1).max(200)).max(100),
  /** Categories that make a tool high-risk in the same way. */
  high_risk_categories: z.array(CategoryName).max(100),
};

export const GovernanceSettingsSchema = z.object({
  object: z.literal('governance_settings'),
  ...SettingsFields,
  /** Increments on every change. */
  version: z.number().int(),
  updated_at: Timestamp,
});
export type GovernanceSettingsObject = z.infer<typeof GovernanceSettingsSchema>;

/** A PATCH: any subset; `category_flags` replaces the whole map. */
export const SettingsPatch = z.strictObject({
  require_approval_for_external_comm: SettingsFields.require_approval_for_external_comm.optional(),
  require_approval_for_public_writes: SettingsFields.require_approval_for_public_writes.optional(),
  require_approval_for_permission_changes: SettingsFields.require_approval_for_permission_changes.optional(),
  allow_self_approval: SettingsFields.allow_self_approval.optional(),
  approval_threshold: SettingsFields.approval_threshold.optional(),
  approval_ttl_seconds: SettingsFields.approval_ttl_seconds.optional(),
  category_flags: SettingsFields.category_flags.optional(),
  unmatched_decision: SettingsFields.unmatched_decision.optional(),
  high_risk_tools: SettingsFields.high_risk_tools.optional(),
  high_risk_categories: SettingsFields.high_risk_categories.optional(),
});

export { QUOTA_KEYS, type QuotaKey };

const QuotaValues = z.object({ runs_per_hour: z.number().int(), concurrent_executions: z.number().int(), memory_mb: z.number().int() });
const QuotaPartial = QuotaValues.partial();

export const QuotaSchema = z.object({
  object: z.literal('quota'),
  profile: z.string(),
  /** The agent this view is for; null for the profile-wide view. */
  agent_id: z.string().nullable(),
  /** Profile defaults. */
  limits: QuotaValues,
  /** Profile-wide overrides, then (for an agent) that agent's overrides on top. */
  overrides: QuotaPartial,
  effective: QuotaValues,
  /** Every per-agent override set (only the requested agent's when `agent_id` is given). */
  agent_overrides: z.array(z.object({ agent_id: z.string(), overrides: QuotaPartial })),
  /** Increments on every change. */
  version: z.number().int(),
});
export type QuotaObject = z.infer<typeof QuotaSchema>;

/**
 * Numbers are checked by the server (422 when non-positive, non-integer or above 100× the
 * default), so the schema accepts any number here. `null` removes an override.
 */
const QuotaPatchValue = z.number().nullable().optional();
export const QuotaPatch = z.strictObject({
  agent_id: z.string().min(1).max(100).optional(),
  runs_per_hour: QuotaPatchValue,
  concurrent_executions: QuotaPatchValue,
  memory_mb: QuotaPatchValue,
});

// ---------------------------------------------------------------------------------------------
// Routes

const AgentIdField = z.string().min(1).max(100);

/** A change note kept with the version a create or rules change writes. */
const VersionNote = z.string().max(500);

export const GuardrailEvaluationSchema = z.object({
  object: z.literal('guardrail_evaluation'),
  decision: Verdict,
  block_code: BlockCode.nullable(),
  matched: z.array(MatchedRuleSchema),
  explanation: z.string(),
  /** The policy layers run: tool_access, guardrails and settings. */
  layers: z.array(LayerResult),
  grantable: z.boolean(),
});

export const policyRoutes = {
  listGuardrails: defineRoute({
    method: 'GET', path: '/v1/guardrails', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'guardrails',
    summary: 'Guardrail policies (not deleted), newest first. `tool` keeps policies with a rule matching that tool, including rules with no tool matcher.',
    query: ListQuery.extend({ status: PolicyStatus.optional(), tool: z.string().min(1).max(128).optional() }),
    response: listOf(GuardrailPolicySchema),
  }),
  createGuardrail: defineRoute({
    method: 'POST', path: '/v1/guardrails', auth: 'operator', role: 'admin', tag: 'guardrails', status: 201,
    summary: 'Create a guardrail policy at version 1. Empty `rules` → 400 missing_parameter; a taken name → 409.',
    body: z.strictObject({
      name: PolicyName,
      rules: GuardrailRules,
      description: z.string().max(2000).nullable().optional(),
      status: PolicyStatus.optional(),
      note: VersionNote.optional(),
    }),
    response: GuardrailPolicySchema,
  }),
  getGuardrail: defineRoute({
    method: 'GET', path: '/v1/guardrails/:id', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'guardrails',
    summary: 'The current version of a policy (also once deleted), or `?version=N` verbatim.',
    params: IdParams,
    query: z.strictObject({ version: z.coerce.number().int().positive().optional() }),
    response: GuardrailPolicySchema,
  }),
  listGuardrailVersions: defineRoute({
    method: 'GET', path: '/v1/guardrails/:id/versions', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'guardrails',
    summary: 'Every version of a policy, newest first, for history and diffs.',
    params: IdParams,
    query: ListQuery,
    response: listOf(GuardrailVersionSchema),
  }),
  updateGuardrail: defineRoute({
    method: 'PATCH', path: '/v1/guardrails/:id', auth: 'operator', role: 'admin', tag: 'guardrails',
    summary: 'Change rules (replaces the array and mints a new version, with `note` saying why), description or status. `name` and `version` are not writable. A deleted policy → 409.',
    params: IdParams,
    body: z.strictObject({
      rules: GuardrailRules.optional(),
      description: z.string().max(2000).nullable().optional(),
      status: PolicyStatus.optional(),
      note: VersionNote.optional(),
    }),
    response: GuardrailPolicySchema,
  }),
  deleteGuardrail: defineRoute({
    method: 'DELETE', path: '/v1/guardrails/:id', auth: 'operator', role: 'admin', tag: 'guardrails',
    summary: 'Remove a policy from evaluation; its history stays readable. Deleting twice → 409.',
    params: IdParams,
    response: GuardrailPolicySchema,
  }),
  createStarterGuardrail: defineRoute({
    method: 'POST', path: '/v1/guardrails/starter', auth: 'operator', role: 'admin', tag: 'guardrails', status: 201,
    summary:
      'Add the built-in starter policy for coding agents (`coding-agent-starter`): reads inside the project run, writes outside it and network ask, destructive shell commands always ask, secrets files are blocked. Already there → 409.',
    response: GuardrailPolicySchema,
  }),
  evaluateGuardrails: defineRoute({
    method: 'POST', path: '/v1/guardrails/evaluate', auth: 'guardrails:read', role: 'viewer', rows: { kind: 'as', in: 'body' }, tag: 'guardrails',
    summary:
      'Dry run of the policy layers (tool access, guardrails, settings) for a hypothetical action. `policies`, `settings`, `tool_policies` and `role_overrides` replace the stored ones when given. Nothing is recorded.',
    body: z.strictObject({
      action: ActionInput,
      agent_id: AgentIdField.optional(),
      policies: z.array(HypotheticalPolicySchema).max(1000).optional(),
      settings: SettingsPatch.optional(),
      tool_policies: z
        .array(z.strictObject({ id: z.string().min(1).max(100).optional(), tool_name: ToolName, allowed: z.boolean(), restrictions: ToolRestrictions.optional() }))
        .max(1000)
        .optional(),
      role_overrides: z
        .array(z.strictObject({ id: z.string().min(1).max(100).optional(), role: z.string().min(1).max(64), tool_name: ToolName, allowed: z.boolean() }))
        .max(1000)
        .optional(),
    }),
    response: GuardrailEvaluationSchema,
  }),

  listTools: defineRoute({
    method: 'GET', path: '/v1/tools', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'tools',
    summary: 'The tool registry: declared tools and tools seen in actions, by name.',
    query: ListQuery,
    response: listOf(ToolSchema),
  }),
  createTool: defineRoute({
    method: 'POST', path: '/v1/tools', auth: 'operator', role: 'admin', tag: 'tools', status: 201,
    summary: 'Declare a tool. A tool only seen in actions becomes declared; an already declared name → 409.',
    body: z.strictObject({
      name: ToolName,
      description: z.string().max(2000).nullable().optional(),
      categories: z.array(CategoryName).max(50).optional(),
    }),
    response: ToolSchema,
  }),

  listToolPolicies: defineRoute({
    method: 'GET', path: '/v1/tool-policies', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'tools',
    summary: 'Tool policies, by tool name.',
    query: ListQuery,
    response: listOf(ToolPolicySchema),
  }),
  createToolPolicy: defineRoute({
    method: 'POST', path: '/v1/tool-policies', auth: 'operator', role: 'admin', tag: 'tools', status: 201,
    summary: 'Allow or deny a tool, with optional restrictions. Unknown `tool_name` → 422 (see GET /v1/tools); one policy per tool → 409.',
    body: z.strictObject({ tool_name: ToolName, allowed: z.boolean(), restrictions: ToolRestrictions.optional() }),
    response: ToolPolicySchema,
  }),
  getToolPolicy: defineRoute({
    method: 'GET', path: '/v1/tool-policies/:id', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'tools',
    summary: 'Read one tool policy.', params: IdParams, response: ToolPolicySchema,
  }),
  updateToolPolicy: defineRoute({
    method: 'PATCH', path: '/v1/tool-policies/:id', auth: 'operator', role: 'admin', tag: 'tools',
    summary: 'Change `allowed` or replace `restrictions`.',
    params: IdParams,
    body: z.strictObject({ allowed: z.boolean().optional(), restrictions: ToolRestrictions.optional() }),
    response: ToolPolicySchema,
  }),
  deleteToolPolicy: defineRoute({
    method: 'DELETE', path: '/v1/tool-policies/:id', auth: 'operator', role: 'admin', tag: 'tools',
    summary: 'Remove a tool policy (the layer then abstains for that tool).',
    params: IdParams, response: ToolPolicySchema,
  }),

  listRoleOverrides: defineRoute({
    method: 'GET', path: '/v1/role-policy-overrides', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'tools',
    summary: 'Role overrides, by role then tool.',
    query: ListQuery.extend({ role: z.string().min(1).max(64).optional() }),
    response: listOf(RoleOverrideSchema),
  }),
  createRoleOverride: defineRoute({
    method: 'POST', path: '/v1/role-policy-overrides', auth: 'operator', role: 'admin', tag: 'tools', status: 201,
    summary: 'Allow or deny a tool for one role; it takes precedence over the tool policy. Unknown `tool_name` → 422; a second override for the same role and tool → 409.',
    body: z.strictObject({ role: z.string().min(1).max(64), tool_name: ToolName, allowed: z.boolean() }),
    response: RoleOverrideSchema,
  }),
  deleteRoleOverride: defineRoute({
    method: 'DELETE', path: '/v1/role-policy-overrides/:id', auth: 'operator', role: 'admin', tag: 'tools',
    summary: 'Remove a role override.', params: IdParams, response: RoleOverrideSchema,
  }),

  getGovernanceSettings: defineRoute({
    method: 'GET', path: '/v1/settings/governance', auth: 'guardrails:read', rows: { kind: 'shared' }, tag: 'settings',
    summary: 'Governance settings: gated categories, approvals, TTL, unmatched decision.',
    response: GovernanceSettingsSchema,
  }),
  updateGovernanceSettings: defineRoute({
    method: 'PATCH', path: '/v1/settings/governance', auth: 'operator', role: 'owner', tag: 'settings',
    summary: 'Change any subset of the governance settings (`category_flags` replaces the map).',
    body: SettingsPatch,
    response: GovernanceSettingsSchema,
  }),

  getQuota: defineRoute({
    method: 'GET', path: '/v1/quota', auth: 'guardrails:read', rows: { kind: 'as', in: 'query' }, tag: 'settings',
    summary: 'Quota defaults, overrides and effective values; for one agent with `agent_id`.',
    query: z.strictObject({ agent_id: AgentIdField.optional() }),
    response: QuotaSchema,
  }),
  updateQuota: defineRoute({
    method: 'PATCH', path: '/v1/quota', auth: 'operator', role: 'owner', tag: 'settings',
    summary: 'Set overrides, profile-wide or for `agent_id`; `null` removes one. Non-positive, non-integer or above 100× the default → 422.',
    body: QuotaPatch,
    response: QuotaSchema,
  }),
};
