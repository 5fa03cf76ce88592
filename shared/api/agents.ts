/** Agents, their API keys, and `GET /v1/me` (the agent or operator a key belongs to). */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { AgentScope } from './vocabulary.js';
import { AGENT_SCOPES } from '../vocabulary.js';
import { IdentityName, IdParams, ListQuery, QueryBool, Timestamp, listOf } from './common.js';
import { Operator, Permissions } from './operators.js';

export const AgentStatus = z.enum(['active', 'disabled']);
const Label = z.string().min(1).max(64);

export const Agent = z.object({
  id: z.string(),
  object: z.literal('agent'),
  name: z.string(),
  role: z.string().nullable(),
  team_id: z.string().nullable(),
  leader_agent_id: z.string().nullable(),
  status: AgentStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
  /** When one of its keys last authenticated (any request); null when it never connected. */
  last_seen_at: Timestamp.nullable(),
  /** Permission names workflow `permission` guards check (set with PATCH). */
  permissions: z.array(z.string()),
  /** When an operator deleted it (DELETE /v1/agents/{id}): hidden from lists, keys revoked, history kept. */
  deleted_at: Timestamp.nullable(),
});
export type Agent = z.infer<typeof Agent>;

export const AgentKey = z.object({
  id: z.string(),
  object: z.literal('agent_key'),
  agent_id: z.string(),
  prefix: z.string(),
  scopes: z.array(AgentScope),
  created_at: Timestamp,
  revoked_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
});
export type AgentKey = z.infer<typeof AgentKey>;

const Scopes = z.array(AgentScope).min(1).max(AGENT_SCOPES.length);

export const CreateAgentBody = z.strictObject({
  name: IdentityName,
  role: Label.optional(),
  team_id: Label.optional(),
  leader_agent_id: z.string().min(1).max(100).optional(),
  scopes: Scopes.optional(),
});

/** One agent's row of the Agents page: what it waits on now and what it spent this period. */
export const AgentActivity = z.object({
  agent_id: z.string(),
  /** Approval requests of it still pending. */
  pending_approvals: z.number().int(),
  /** Spend in the current period of its agent budget; without one, since the start of today (operator's time zone). */
  spent_micro_usd: z.number().int(),
  /** The period that spend covers: its agent budget's (`none` = since the budget began), or `day` without a budget. */
  period: z.enum(['none', 'day', 'week', 'month']),
  period_starts_at: Timestamp,
  /** False when the agent has no agent budget (the spend is today's). */
  budgeted: z.boolean(),
});
export type AgentActivity = z.infer<typeof AgentActivity>;

export const agentRoutes = {
  createAgent: defineRoute({
    method: 'POST', path: '/v1/agents', auth: 'operator', role: 'admin', tag: 'agents', status: 201,
    summary: 'Register an agent; the response carries its first API key, shown once (never stored: an Idempotency-Key replay is 409).',
    body: CreateAgentBody,
    response: Agent.extend({ api_key: z.string(), key: AgentKey }),
  }),
  listAgents: defineRoute({
    method: 'GET', path: '/v1/agents', auth: 'operator', tag: 'agents',
    summary: 'List agents, newest first; deleted agents are left out unless include_deleted=true (to name them in history).',
    query: ListQuery.extend({ status: AgentStatus.optional(), include_deleted: QueryBool.optional() }),
    response: listOf(Agent),
  }),
  agentActivity: defineRoute({
    method: 'GET', path: '/v1/agents/activity', auth: 'operator', tag: 'agents',
    summary: 'Per agent (deleted ones left out): pending approval requests and spend this period, in one read.',
    response: z.object({ object: z.literal('agent_activity'), data: z.array(AgentActivity) }),
  }),
  getAgent: defineRoute({
    method: 'GET', path: '/v1/agents/:id', auth: 'operator', tag: 'agents',
    summary: 'Read one agent.', params: IdParams, response: Agent,
  }),
  updateAgent: defineRoute({
    method: 'PATCH', path: '/v1/agents/:id', auth: 'operator', role: 'admin', tag: 'agents',
    summary: 'Rename an agent (a taken name → 409; guardrail rules naming it follow the rename), enable or disable it, change its role or team, or replace its permissions.',
    params: IdParams,
    body: z.strictObject({
      name: IdentityName.optional(),
      status: AgentStatus.optional(),
      role: Label.nullable().optional(),
      team_id: Label.nullable().optional(),
      leader_agent_id: z.string().min(1).max(100).nullable().optional(),
      /** Replaces the permission names workflow `permission` guards check. */
      permissions: Permissions.optional(),
    }),
    response: Agent,
  }),
  deleteAgent: defineRoute({
    method: 'DELETE', path: '/v1/agents/:id', auth: 'operator', role: 'admin', tag: 'agents',
    summary:
      'Delete an agent: every key of it is revoked (401 from then on), it is disabled and left out of lists; its history (audit, actions, ' +
      'approvals, spend) stays and GET /v1/agents/{id} still reads it. 409 when already deleted.',
    params: IdParams, response: Agent,
  }),
  listAgentKeys: defineRoute({
    method: 'GET', path: '/v1/agents/:id/keys', auth: 'operator', tag: 'agents',
    summary: "List an agent's keys (never the secret), newest first.", params: IdParams, query: ListQuery, response: listOf(AgentKey),
  }),
  createAgentKey: defineRoute({
    method: 'POST', path: '/v1/agents/:id/keys', auth: 'operator', role: 'admin', tag: 'agents', status: 201,
    summary: 'Issue a new key for an agent; the secret is shown once (never stored: an Idempotency-Key replay is 409).',
    params: IdParams,
    body: z.strictObject({ scopes: Scopes.optional() }).optional(),
    response: AgentKey.extend({ api_key: z.string() }),
  }),
  revokeAgentKey: defineRoute({
    method: 'DELETE', path: '/v1/agents/:id/keys/:key_id', auth: 'operator', role: 'admin', tag: 'agents',
    summary: 'Revoke a key; it answers 401 from then on.',
    params: z.strictObject({ id: z.string().min(1).max(100), key_id: z.string().min(1).max(100) }),
    response: AgentKey,
  }),
  me: defineRoute({
    method: 'GET', path: '/v1/me', auth: 'authenticated', rows: { kind: 'self' }, tag: 'agents',
    summary: 'Who the presented key belongs to: the agent (with its scopes) or the operator.',
    response: z.union([
      Agent.extend({ scopes: z.array(AgentScope), key_id: z.string() }),
      Operator,
    ]),
  }),
};
