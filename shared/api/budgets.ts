/**
 * Budgets, spend and the global kill-switch. Money crosses the wire as integers only: `*_usd_cents` are whole cents,
 * `*_micro_usd` millionths of a dollar (1 cent = 10,000 micro-USD).
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { ListQuery, RefId, Timestamp, listOf } from './common.js';
import { BUDGET_SCOPES, MICRO_PER_CENT } from '../vocabulary.js';

export { BUDGET_SCOPES, MICRO_PER_CENT };

export const BudgetScope = z.enum(BUDGET_SCOPES);
export const BudgetMode = z.enum(['warn', 'cap']);
export const BudgetPeriod = z.enum(['none', 'day', 'week', 'month']);
export const BudgetStatus = z.enum(['active', 'paused']);

/** The one `scope_id` of the global scope. */
export const GLOBAL_SCOPE_ID = 'global';


const ScopeId = z.string().min(1).max(100);
const Cents = z.number().int().positive().max(Number.MAX_SAFE_INTEGER / MICRO_PER_CENT);
const Micro = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const Budget = z.object({
  id: z.string(),
  object: z.literal('budget'),
  scope: BudgetScope,
  scope_id: z.string(),
  limit_usd_cents: z.number().int(),
  /** `limit_usd_cents × 10,000`, for exact comparison with spend. */
  limit_micro_usd: z.number().int(),
  /**
   * Set while a grace "for this period" raises the cap: the cap the budget returns to at the next
   * period boundary (the original cap). Null when the cap stands.
   */
  cap_after_period_usd_cents: z.number().int().nullable(),
  /** Spend in the current period (all time when `period` is `none`). */
  spent_micro_usd: z.number().int(),
  /** Whole cents of `spent_micro_usd`, rounded down. */
  spent_usd_cents: z.number().int(),
  /** Estimates reserved by allowed actions not yet completed (cap mode only). */
  reserved_micro_usd: z.number().int(),
  mode: BudgetMode,
  period: BudgetPeriod,
  /** Start of the current period; the budget's creation time when `period` is `none`. */
  period_starts_at: Timestamp,
  /** Next calendar boundary in the operator's time zone; null when `period` is `none`. */
  period_ends_at: Timestamp.nullable(),
  status: BudgetStatus,
  /** Why the budget is paused (`cap_hit` or `manual`); null when active. */
  paused_reason: z.enum(['cap_hit', 'manual']).nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Budget = z.infer<typeof Budget>;

/** A closed period of a periodic budget, kept for history. */
export const BudgetPeriodRecord = z.object({
  object: z.literal('budget_period'),
  budget_id: z.string(),
  period_starts_at: Timestamp,
  period_ends_at: Timestamp,
  limit_usd_cents: z.number().int(),
  spent_micro_usd: z.number().int(),
  spent_usd_cents: z.number().int(),
});
export type BudgetPeriodRecord = z.infer<typeof BudgetPeriodRecord>;

// Anthropic's token convention, stated in the OpenAPI document; electron/budgets/pricing.ts converts.
export const Usage = z
  .strictObject({
    model: z.string().min(1).max(200),
    /** Optional provider id for the price table (e.g. `openai`, `anthropic`); inferred from the model otherwise. */
    provider: z.string().min(1).max(100).optional(),
    input_tokens: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'Uncached input tokens only, as Anthropic reports `input_tokens`: cache reads and writes are NOT included. ' +
          'From OpenAI usage send `prompt_tokens - prompt_tokens_details.cached_tokens`.',
      ),
    output_tokens: z.number().int().nonnegative(),
    cache_read_tokens: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Input tokens read from the prompt cache (Anthropic `cache_read_input_tokens`), counted apart from input_tokens.'),
    cache_write_tokens: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`), counted apart from input_tokens.'),
  })
  .describe(
    'Token usage priced from the genai-prices table. input_tokens, cache_read_tokens and cache_write_tokens are disjoint; ' +
      'the prompt is their sum, so cache counts may exceed input_tokens.',
  );
export type Usage = z.infer<typeof Usage>;

export const SpendEvent = z.object({
  id: z.string(),
  object: z.literal('spend'),
  agent_id: z.string().nullable(),
  mission_id: z.string().nullable(),
  action_id: z.string().nullable(),
  amount_micro_usd: z.number().int(),
  /** `caller` when the amount was given, else `genai-prices@VERSION:provider/model`. */
  pricing_source: z.string(),
  usage: Usage.nullable(),
  note: z.string().nullable(),
  created_at: Timestamp,
});
export type SpendEvent = z.infer<typeof SpendEvent>;

export const ScopeParams = z.strictObject({ scope: BudgetScope, scope_id: ScopeId });

export const SetBudgetBody = z.strictObject({
  scope: BudgetScope,
  /** For `global`, omit it or send `global`. */
  scope_id: ScopeId.optional(),
  limit_usd_cents: Cents,
  /** Omitted: keeps the existing mode (`warn` for a new budget). */
  mode: BudgetMode.optional(),
  /** Omitted: keeps the existing period (`none` for a new budget). */
  period: BudgetPeriod.optional(),
});

export const SpendBody = z
  .strictObject({
    /** Exactly one of `amount_micro_usd` and `usage`. */
    amount_micro_usd: Micro.optional(),
    usage: Usage.optional(),
    mission_id: ScopeId.optional(),
    action_id: z.string().min(1).max(100).optional(),
    note: z.string().max(500).optional(),
    /** Operator token only: the agent the spend belongs to (an agent key always spends as itself). */
    agent_id: z.string().min(1).max(100).optional(),
  });

export const SpendResult = z.object({
  object: z.literal('spend_result'),
  spend: SpendEvent,
  /** Every budget charged, after the charge. */
  budgets: z.array(Budget),
  /** True when this spend paused at least one cap-mode budget. */
  paused: z.boolean(),
});
export type SpendResult = z.infer<typeof SpendResult>;

export const KillSwitch = z.object({
  object: z.literal('kill_switch'),
  engaged: z.boolean(),
  reason: z.string().nullable(),
  changed_at: Timestamp.nullable(),
  changed_by: z.string().nullable(),
});
export type KillSwitch = z.infer<typeof KillSwitch>;

export const SpendReportRow = z.object({
  /** The agent id (`null` for spend without an agent) or the local day `YYYY-MM-DD`. */
  key: z.string().nullable(),
  /** With `group_by=agent_day`: the agent of this day's row (`null` for spend without an agent). */
  agent_id: z.string().nullable().optional(),
  spent_micro_usd: z.number().int(),
  spent_usd_cents: z.number().int(),
  events: z.number().int(),
});

export const SpendReport = z.object({
  object: z.literal('spend_report'),
  group_by: z.enum(['agent', 'day', 'agent_day']),
  /** IANA zone the days are cut in. */
  time_zone: z.string(),
  since: Timestamp.nullable(),
  until: Timestamp.nullable(),
  total_micro_usd: z.number().int(),
  rows: z.array(SpendReportRow),
});
export type SpendReport = z.infer<typeof SpendReport>;

export const budgetRoutes = {
  listBudgets: defineRoute({
    method: 'GET', path: '/v1/budgets', auth: 'budgets:read', rows: { kind: 'shared' }, tag: 'budgets',
    summary: 'Every budget, newest-updated first, periods rolled to now.',
    query: ListQuery.extend({ scope: BudgetScope.optional(), status: BudgetStatus.optional() }),
    response: listOf(Budget),
  }),
  getBudget: defineRoute({
    method: 'GET', path: '/v1/budgets/:scope/:scope_id', auth: 'budgets:read', rows: { kind: 'shared' }, tag: 'budgets',
    summary: 'One budget.', params: ScopeParams, response: Budget,
  }),
  listBudgetPeriods: defineRoute({
    method: 'GET', path: '/v1/budgets/:scope/:scope_id/periods', auth: 'budgets:read', rows: { kind: 'shared' }, tag: 'budgets',
    summary: 'Closed periods of a periodic budget, newest first.',
    params: ScopeParams, query: ListQuery, response: listOf(BudgetPeriodRecord),
  }),
  setBudget: defineRoute({
    method: 'POST', path: '/v1/budgets', auth: 'operator', role: 'admin', tag: 'budgets',
    summary: 'Set or raise a cap. Omitted mode keeps the existing one; a cap above spend un-pauses. A new team or mission budget for a team no agent is in or an unregistered mission → 422 naming scope_id, with the close matches.',
    body: SetBudgetBody, response: Budget,
  }),
  pauseBudget: defineRoute({
    method: 'POST', path: '/v1/budgets/:scope/:scope_id/pause', auth: 'operator', role: 'admin', tag: 'budgets',
    summary: 'Manual kill-switch for one scope: every action in it BLOCKs until resumed.',
    params: ScopeParams,
    body: z.strictObject({ reason: z.string().max(500).optional() }).optional(),
    response: Budget,
  }),
  resumeBudget: defineRoute({
    method: 'POST', path: '/v1/budgets/:scope/:scope_id/resume', auth: 'operator', role: 'admin', tag: 'budgets',
    summary:
      'Force active; grace raises the cap to spend + grace, for good (`grace_for: cap`, the default) or until the next period boundary ' +
      '(`grace_for: period`: the original cap returns then; 422 for a budget without a period). will_repause when spend ≥ limit after.',
    params: ScopeParams,
    body: z.strictObject({ grace_usd_cents: Cents.optional(), grace_for: z.enum(['cap', 'period']).optional() }).optional(),
    response: z.object({ budget: Budget, will_repause: z.boolean() }),
  }),
  deleteBudget: defineRoute({
    method: 'DELETE', path: '/v1/budgets/:scope/:scope_id', auth: 'operator', role: 'admin', tag: 'budgets',
    summary: 'Remove the budget: the scope is uncapped.',
    params: ScopeParams, response: Budget.extend({ deleted: z.literal(true) }),
  }),
  recordSpend: defineRoute({
    method: 'POST', path: '/v1/spend', auth: 'spend:write', role: 'member', rows: { kind: 'as', in: 'body' }, tag: 'budgets',
    summary: 'Record spend (an exact amount or token usage) on every scope of the agent, atomically.',
    body: SpendBody, response: SpendResult,
  }),
  listSpend: defineRoute({
    method: 'GET', path: '/v1/spend', auth: 'budgets:read', rows: { kind: 'list' }, tag: 'budgets',
    summary: 'Spend events, newest first. An agent key sees its own.',
    query: ListQuery.extend({
      agent_id: z.string().min(1).max(100).optional(),
      mission_id: ScopeId.optional(),
      since: Timestamp.optional(),
      until: Timestamp.optional(),
    }),
    response: listOf(SpendEvent),
  }),
  getKillSwitch: defineRoute({
    method: 'GET', path: '/v1/kill-switch', auth: 'budgets:read', rows: { kind: 'shared' }, tag: 'budgets',
    summary: 'The global kill-switch.', response: KillSwitch,
  }),
  setKillSwitch: defineRoute({
    method: 'POST', path: '/v1/kill-switch', auth: 'operator', role: 'admin', tag: 'budgets',
    summary: 'Engage ("Stop all agents": every action BLOCKs) or release the global kill-switch. Admin and up; a member engages with POST /v1/kill-switch/engage.',
    body: z.strictObject({ engaged: z.boolean(), reason: z.string().max(500).optional() }),
    response: KillSwitch,
  }),
  engageKillSwitch: defineRoute({
    method: 'POST', path: '/v1/kill-switch/engage', auth: 'operator', role: 'member', tag: 'budgets',
    summary: '"Stop all agents": every action BLOCKs until released. Open to members and up: stopping is always allowed.',
    body: z.strictObject({ reason: z.string().max(500).optional() }),
    response: KillSwitch,
  }),
  releaseKillSwitch: defineRoute({
    method: 'POST', path: '/v1/kill-switch/release', auth: 'operator', role: 'admin', tag: 'budgets',
    summary: 'Release the global kill-switch: agents may act again. Admin and up.',
    response: KillSwitch,
  }),
  spendReport: defineRoute({
    method: 'GET', path: '/v1/reports/spend', auth: 'budgets:read', rows: { kind: 'list' }, tag: 'reports',
    summary: 'Spend totals by agent, by local day, or by local day and agent (agent_day). An agent key sees its own spend.',
    query: z.strictObject({
      group_by: z.enum(['agent', 'day', 'agent_day']).default('day'),
      /** Only this agent's spend (an agent key always reports its own). */
      agent_id: RefId.optional(),
      since: Timestamp.optional(),
      until: Timestamp.optional(),
    }),
    response: SpendReport,
  }),
};
