/** Allow-always grants: the grant rows, the scope a decision gives one, and the scopes proposed for a request. */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, RefId, Timestamp, listOf } from './common.js';
import { ActionStatus } from './actions.js';
import { ToolName } from './vocabulary.js';

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

export const grantRoutes = {
  listGrants: defineRoute({
    method: 'GET', path: '/v1/grants', auth: 'approvals:read', rows: { kind: 'list' }, tag: 'approvals',
    summary: 'Allow-always grants, newest first. An agent key sees its own.',
    query: ListQuery.extend({
      agent_id: RefId.optional(),
      tool: ToolName.optional(),
      /** `live` (default): not revoked and not expired; `all`: every grant. */
      state: z.enum(['live', 'all']).default('live'),
    }),
    response: listOf(Grant),
  }),
  revokeGrant: defineRoute({
    method: 'DELETE', path: '/v1/grants/:id', auth: 'operator', role: 'member', tag: 'approvals',
    summary: 'Revoke a grant; it stops applying at once.', params: IdParams, response: Grant,
  }),
};
