/**
 * Workflow runs (WORKFLOWS.md "Runs and links"): start a run of a workflow pinned to its current
 * version, take transitions, read runs with their evidence, links and history, record evidence,
 * cancel. And the REST connections `rest` executors call (base URL and headers held by Warden).
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { ListQuery, OkResponse, RefId, Timestamp, listOf } from './common.js';
import { IDENTIFIER_PATTERN, TRANSITION_ACTORS, WORKFLOW_NAME_PATTERN } from '../workflows/definition.js';

export const WORKFLOW_RUN_STATUSES = ['active', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export const WorkflowRunStatus = z.enum(WORKFLOW_RUN_STATUSES);
export type WorkflowRunStatus = z.infer<typeof WorkflowRunStatus>;

/** A legal next step from the run's current state. */
export const WorkflowLink = z.object({
  transition: z.string(),
  title: z.string().nullable(),
  target: z.string(),
  actor: z.enum(TRANSITION_ACTORS),
  method: z.literal('POST'),
  href: z.string(),
});
export type WorkflowLink = z.infer<typeof WorkflowLink>;

export const WorkflowEvidence = z.object({
  id: z.string(),
  kind: z.string(),
  data: z.unknown(),
  /** The approving operator, for `human_approval`. */
  operator_id: z.string().nullable(),
  /** The audit actor that recorded it (`system` for what Warden writes itself). */
  recorded_by: z.string(),
  created_at: Timestamp,
});
export type WorkflowEvidence = z.infer<typeof WorkflowEvidence>;

export const WorkflowRun = z.object({
  id: z.string(),
  object: z.literal('workflow_run'),
  workflow: z.string(),
  /** The definition version the run is pinned to. */
  version: z.number().int(),
  agent_id: z.string(),
  mission_id: z.string().nullable(),
  state: z.string(),
  status: WorkflowRunStatus,
  input: z.unknown(),
  context: z.record(z.string(), z.unknown()),
  evidence: z.array(WorkflowEvidence),
  links: z.array(WorkflowLink),
  /** The transition an executor or approval holds (the state changes once it finishes). */
  pending_transition: z.string().nullable(),
  /** The approval the run waits on (a human step, an action's ALERT). */
  waiting_approval_id: z.string().nullable(),
  /** Why the run failed, was cancelled, or why its last step did not advance. */
  reason: z.string().nullable(),
  started_by: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type WorkflowRun = z.infer<typeof WorkflowRun>;

export const WORKFLOW_HISTORY_KINDS = [
  'started',
  'transitioned',
  'guard_evaluated',
  'rejected',
  'executor_queued',
  'executor_finished',
  'approval_requested',
  'approval_resolved',
  'evidence_recorded',
  'failed',
  'cancelled',
] as const;

export const WorkflowHistoryEntry = z.object({
  seq: z.number().int(),
  step: z.number().int(),
  kind: z.enum(WORKFLOW_HISTORY_KINDS),
  transition: z.string().nullable(),
  from_state: z.string().nullable(),
  to_state: z.string().nullable(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
  at: Timestamp,
});
export type WorkflowHistoryEntry = z.infer<typeof WorkflowHistoryEntry>;

const WorkflowName = z.string().regex(WORKFLOW_NAME_PATTERN, 'a-z, 0-9 and -, 3 to 40 characters');
const Identifier = z.string().regex(IDENTIFIER_PATTERN, 'lowercase letters, digits and _, starting with a letter');
const RunParams = z.strictObject({ id: RefId });

/** A declared REST endpoint; its header values are secrets and never leave Warden. */
export const Connection = z.object({
  id: z.string(),
  object: z.literal('connection'),
  name: z.string(),
  base_url: z.string(),
  /** The names of the headers Warden adds; their values are never shown. */
  header_names: z.array(z.string()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Connection = z.infer<typeof Connection>;

const BaseUrl = z.url({ protocol: /^https?$/ }).max(2048);
const Headers = z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'a header name'), z.string().max(8192)).refine((h) => Object.keys(h).length <= 32, 'at most 32 headers');

export const workflowRunRoutes = {
  startWorkflowRun: defineRoute({
    method: 'POST', path: '/v1/workflows/:name/runs', auth: 'workflows:write', rows: { kind: 'as', in: 'body' }, role: 'member', tag: 'workflow-runs', status: 201,
    summary: 'Start a run of a workflow, pinned to its current version. `input` is checked against the workflow’s input_schema (400 with `param` inside `input`).',
    params: z.strictObject({ name: WorkflowName }),
    body: z.strictObject({
      input: z.record(z.string(), z.unknown()).default({}),
      mission_id: z.string().min(1).max(100).optional(),
      /** Operator token only: the agent the run belongs to (an agent key always runs as itself). */
      agent_id: RefId.optional(),
    }),
    response: WorkflowRun,
  }),
  listWorkflowRuns: defineRoute({
    method: 'GET', path: '/v1/workflow-runs', auth: 'workflows:read', rows: { kind: 'list' }, tag: 'workflow-runs',
    summary: 'Runs, newest first. An agent key sees its own.',
    query: ListQuery.extend({ workflow: WorkflowName.optional(), status: WorkflowRunStatus.optional(), agent_id: RefId.optional() }),
    response: listOf(WorkflowRun),
  }),
  getWorkflowRun: defineRoute({
    method: 'GET', path: '/v1/workflow-runs/:id', auth: 'workflows:read', rows: { kind: 'read', owner: 'workflow_run' }, tag: 'workflow-runs',
    summary: 'A run with its context, evidence and the legal links from its state.',
    params: RunParams,
    response: WorkflowRun,
  }),
  getWorkflowRunHistory: defineRoute({
    method: 'GET', path: '/v1/workflow-runs/:id/history', auth: 'workflows:read', rows: { kind: 'read', owner: 'workflow_run' }, tag: 'workflow-runs',
    summary: 'Every step, guard result and executor result of a run, in order.',
    params: RunParams,
    response: z.object({ object: z.literal('list'), data: z.array(WorkflowHistoryEntry) }),
  }),
  takeWorkflowTransition: defineRoute({
    method: 'POST', path: '/v1/workflow-runs/:id/transitions/:transition', auth: 'workflows:write', rows: { kind: 'act', owner: 'workflow_run' }, role: 'member', tag: 'workflow-runs',
    summary: 'Take a transition from the run’s current state: 409 state_conflict when it does not leave it, 403 actor_mismatch for the wrong actor, 422 guard_rejected when a guard fails; each carries the legal `links`.',
    params: z.strictObject({ id: RefId, transition: Identifier }),
    body: z.strictObject({ arguments: z.record(z.string(), z.unknown()).optional() }),
    response: WorkflowRun,
  }),
  recordWorkflowEvidence: defineRoute({
    method: 'POST', path: '/v1/workflow-runs/:id/evidence', auth: 'workflows:write', rows: { kind: 'act', owner: 'workflow_run' }, role: 'member', tag: 'workflow-runs', status: 201,
    summary: 'Record evidence on a run. The kinds Warden writes itself (human_approval, cli_output, action_allowed, rest_response) are refused with 403.',
    params: RunParams,
    body: z.strictObject({ kind: Identifier, data: z.record(z.string(), z.unknown()).default({}) }),
    response: WorkflowRun,
  }),
  cancelWorkflowRun: defineRoute({
    method: 'POST', path: '/v1/workflow-runs/:id/cancel', auth: 'operator', role: 'member', tag: 'workflow-runs',
    summary: 'Cancel a run that has not finished; its pending approval is withdrawn.',
    params: RunParams,
    body: z.strictObject({ reason: z.string().min(1).max(2000) }),
    response: WorkflowRun,
  }),
  listConnections: defineRoute({
    method: 'GET', path: '/v1/connections', auth: 'operator', tag: 'connections',
    summary: 'REST connections workflow `rest` executors may call (header values are never shown).',
    response: z.object({ object: z.literal('list'), data: z.array(Connection) }),
  }),
  createConnection: defineRoute({
    method: 'POST', path: '/v1/connections', auth: 'operator', role: 'admin', tag: 'connections', status: 201,
    summary: 'Declare a REST connection: a name, a base URL and headers (secrets) Warden adds to each call.',
    body: z.strictObject({ name: Identifier, base_url: BaseUrl, headers: Headers.default({}) }),
    response: Connection,
  }),
  updateConnection: defineRoute({
    method: 'PATCH', path: '/v1/connections/:name', auth: 'operator', role: 'admin', tag: 'connections',
    summary: 'Change a connection’s base URL or replace its headers.',
    params: z.strictObject({ name: Identifier }),
    body: z.strictObject({ base_url: BaseUrl.optional(), headers: Headers.optional() }),
    response: Connection,
  }),
  deleteConnection: defineRoute({
    method: 'DELETE', path: '/v1/connections/:name', auth: 'operator', role: 'admin', tag: 'connections',
    summary: 'Remove a connection; steps that name it fail until it is declared again.',
    params: z.strictObject({ name: Identifier }),
    response: OkResponse,
  }),
};
