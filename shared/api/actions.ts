/**
 * What agents ask: actions, their receipts and the full-pipeline dry run (`POST /v1/evaluate`).
 * Approvals, grants and reports have their own contract files.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { AgentWillWait, IdParams, ListQuery, RefId, Timestamp, listOf } from './common.js';
import { Usage } from './budgets.js';
import { ActionInput, BlockCode, LayerName, LayerVerdict, Verdict } from './vocabulary.js';
import { BlockingGate } from './gates.js';
import { ACTION_STATUSES } from '../vocabulary.js';

export const MatchedRule = z.object({
  policy_id: z.string(),
  policy_name: z.string(),
  policy_version: z.number().int(),
  /** Index of the rule in its policy's `rules`. */
  rule: z.number().int(),
  decision: Verdict,
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
  verdict: LayerVerdict,
  detail: z.string(),
  /** Guardrails of a shell command: each simple command and redirected file with its own verdict. */
  commands: z.array(CommandVerdict).optional(),
  /** Gates layer on a BLOCK: every policy that keeps one of the action's resources closed. */
  gates: z.array(BlockingGate).optional(),
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

/** An action's lifecycle (ACTION_STATUSES). */
export const ActionStatus = z.enum(ACTION_STATUSES);
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

const ActionsQuery = ListQuery.extend({
  status: ActionStatus.optional(),
  /** Operator only; an agent key always lists its own. */
  agent_id: RefId.optional(),
});

export const actionRoutes = {
  createAction: defineRoute({
    method: 'POST', path: '/v1/actions', auth: 'actions:write', role: 'member', rows: { kind: 'as', in: 'body' }, tag: 'actions',
    summary: 'Ask before a side effect: ALLOW (allowed), ALERT (pending_approval) or BLOCK (blocked), with a receipt.',
    query: z.strictObject({
      wait_s: z.coerce.number().int().min(0).max(55).default(0),
      /** How long the agent keeps waiting for an operator in all, polling again (default: wait_s). */
      will_wait_s: AgentWillWait.optional(),
    }),
    body: ActionInput.extend({
      /** Operator token only: the agent the action belongs to (an agent key always acts as itself). */
      agent_id: RefId.optional(),
    }),
    response: Action,
  }),
  listActions: defineRoute({
    method: 'GET', path: '/v1/actions', auth: 'authenticated', rows: { kind: 'list' }, tag: 'actions',
    summary: 'Actions, newest first. An agent key sees its own.',
    query: ActionsQuery, response: listOf(Action),
  }),
  getAction: defineRoute({
    method: 'GET', path: '/v1/actions/:id', auth: 'authenticated', rows: { kind: 'read', owner: 'action' }, tag: 'actions',
    summary: "An action's current status. An agent sees only its own (404 otherwise).",
    params: IdParams, response: Action,
  }),
  completeAction: defineRoute({
    method: 'POST', path: '/v1/actions/:id/complete', auth: 'actions:write', role: 'member', rows: { kind: 'act', owner: 'action' }, tag: 'actions',
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
    method: 'POST', path: '/v1/actions/:id/withdraw', auth: 'actions:write', role: 'member', rows: { kind: 'act', owner: 'action' }, tag: 'actions',
    summary:
      "The action's own agent stopped waiting: its approval can no longer be allowed (409), its slot and reservation are released. 409 unless pending or allowed.",
    params: IdParams, response: Action,
  }),
  getReceipt: defineRoute({
    method: 'GET', path: '/v1/receipts/:id', auth: 'authenticated', rows: { kind: 'read', owner: 'receipt' }, tag: 'actions',
    summary: 'The recorded decision of an action with every layer and matched rule.',
    params: IdParams, response: Receipt,
  }),
  evaluate: defineRoute({
    method: 'POST', path: '/v1/evaluate', auth: 'guardrails:read', role: 'viewer', rows: { kind: 'as', in: 'body' }, tag: 'actions',
    summary: 'Dry run of the full pipeline (kill-switches, quotas, tool access, guardrails, settings, grants); nothing recorded.',
    body: z.strictObject({ action: ActionInput, agent_id: RefId.optional() }),
    response: Evaluation,
  }),
};
