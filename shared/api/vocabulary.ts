/**
 * The zod schemas of Warden's vocabulary (shared/vocabulary.ts), and `ActionInput`, what an agent
 * proposes: the one schema every route that takes an action validates it with
 * (`POST /v1/actions`, `POST /v1/evaluate`, `POST /v1/guardrails/evaluate`).
 */
import { z } from 'zod';
import {
  ACTION_LIMITS,
  AGENT_SCOPES,
  AUDIT_EVENT_TYPES,
  BLOCK_CODES,
  EVENT_TYPES,
  LAYER_VERDICTS,
  LAYERS,
  OPERATOR_ROLES,
  QUOTA_KEYS,
  RESOURCE_TYPES,
  TOOL_NAME_PATTERN,
  VERDICTS,
} from '../vocabulary.js';

export const Verdict = z.enum(VERDICTS);
export const LayerVerdict = z.enum(LAYER_VERDICTS);
export const LayerName = z.enum(LAYERS);
export const BlockCode = z.enum(BLOCK_CODES);
export const ResourceType = z.enum(RESOURCE_TYPES);
export const AgentScope = z.enum(AGENT_SCOPES);
export const EventType = z.enum(EVENT_TYPES);
export const AuditEventType = z.enum(AUDIT_EVENT_TYPES);
export const QuotaKeyName = z.enum(QUOTA_KEYS);
export const OperatorRole = z.enum(OPERATOR_ROLES);

/** A tool name such as `order.refund`, `shell.exec`, `delegate:code`. */
export const ToolName = z
  .string()
  .min(1)
  .max(ACTION_LIMITS.tool)
  .regex(TOOL_NAME_PATTERN, 'expected letters, digits, ".", "_", ":", "/" or "-"');

/** A connector name (`stripe`, `github`). */
export const ConnectorName = z.string().min(1).max(ACTION_LIMITS.connector);

/** A category name: one of BUILTIN_CATEGORIES or any name `category_flags` may gate. */
export const CategoryName = z.string().min(1).max(ACTION_LIMITS.category);

/** What an agent proposes to do: the input of the decision pipeline (shared/core/evaluate.ts). */
export const ActionInput = z.strictObject({
  tool: ToolName,
  connector: ConnectorName.optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  value: z.number().finite().optional(),
  categories: z.array(CategoryName).max(ACTION_LIMITS.categories).optional(),
  cost_estimate_micro_usd: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  mission_id: z.string().min(1).max(ACTION_LIMITS.mission_id).optional(),
  /** The resource the action concerns; `type` is one of RESOURCE_TYPES or a name of the caller's own. */
  resource: z
    .strictObject({ type: z.string().min(1).max(ACTION_LIMITS.resource_type), id: z.string().min(1).max(ACTION_LIMITS.resource_id) })
    .optional(),
});
export type ActionInput = z.infer<typeof ActionInput>;
