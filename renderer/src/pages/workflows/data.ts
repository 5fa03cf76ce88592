/**
 * Every call the Workflows pages make, in one place, typed from the route contracts
 * (shared/api/workflows.ts, shared/api/workflow-runs.ts) through the shared client.
 */
import type { WorkflowDefinitionInput } from '../../../../shared/workflows/definition.js';
import type { WorkflowHistoryEntry, WorkflowLink, WorkflowRun, WorkflowRunStatus } from '../../../../shared/api/workflow-runs.js';
import { api, idemKey, isApiError } from '../../lib/api';

/** The run statuses, in their order (a plain list: the contract's module loads zod). */
export const WORKFLOW_RUN_STATUSES = ['active', 'waiting', 'completed', 'failed', 'cancelled'] as const satisfies readonly WorkflowRunStatus[];

export interface WorkflowSummary {
  name: string;
  description: string | null;
  tags: string[];
  version: number;
  deployed_at: string;
  deleted_at?: string | null;
}
export interface WorkflowDetail extends WorkflowSummary {
  definition: WorkflowDefinitionInput;
}
export interface WorkflowVersionInfo {
  version: number;
  deployed_at: string;
  deployed_by: string;
  message: string | null;
  warnings: { message: string; param?: string | null }[] | string[];
}
export interface WorkflowVersionFull extends WorkflowVersionInfo {
  definition: WorkflowDefinitionInput;
  /** The text as deployed (YAML or JSON), when the server keeps it. */
  source?: string | null;
}
export interface RollbackResult {
  new_version: number;
  rolled_back_from: number;
  deployed_at: string;
}
export type TemplateStatus = 'active' | 'deprecated' | 'archived';
export interface WorkflowTemplate {
  id: string;
  template_name: string;
  workflow: string;
  version: number;
  status: TemplateStatus;
  description: string | null;
  tags: string[];
  approved_by: string;
  approved_at: string;
  deprecation_reason?: string | null;
  replacement_id?: string | null;
}
export interface FromTemplateResult {
  workflow: WorkflowSummary;
  warning: string | null;
  replacement_id?: string | null;
}
export type RunStatus = WorkflowRunStatus;
export const RUN_STATUSES: readonly RunStatus[] = WORKFLOW_RUN_STATUSES;
export type RunLink = WorkflowLink;
export type { WorkflowRun, WorkflowHistoryEntry };
export interface GuardResult {
  path: string;
  kind: string;
  passed: boolean;
  reason: string;
  error?: boolean;
}

export const workflowsApi = {
  async list(): Promise<WorkflowSummary[]> {
    throw new Error('not ready');
  },
  async get(_name: string): Promise<WorkflowDetail> {
    throw new Error('not ready');
  },
  async versions(_name: string): Promise<WorkflowVersionInfo[]> {
    throw new Error('not ready');
  },
  async version(_name: string, _version: number): Promise<WorkflowVersionFull> {
    throw new Error('not ready');
  },
  async rollback(_name: string, _version: number, _message: string): Promise<RollbackResult> {
    throw new Error('not ready');
  },
  async registry(_includeArchived: boolean): Promise<WorkflowTemplate[]> {
    throw new Error('not ready');
  },
  async approveTemplate(_workflow: string, _body: { template_name: string; description?: string }): Promise<WorkflowTemplate> {
    throw new Error('not ready');
  },
  async deprecate(_id: string, _body: { reason: string; replacement_id?: string }): Promise<WorkflowTemplate> {
    throw new Error('not ready');
  },
  async archive(_id: string): Promise<WorkflowTemplate> {
    throw new Error('not ready');
  },
  async fromTemplate(_body: { template_id: string; name: string }): Promise<FromTemplateResult> {
    throw new Error('not ready');
  },
  async runs(filters: { workflow?: string; status?: RunStatus; agent_id?: string }): Promise<WorkflowRun[]> {
    const page = await api().call('listWorkflowRuns', { query: { limit: 200, ...filters } });
    return page.data;
  },
  run(id: string): Promise<WorkflowRun> {
    return api().call('getWorkflowRun', { params: { id } });
  },
  async history(id: string): Promise<WorkflowHistoryEntry[]> {
    return (await api().call('getWorkflowRunHistory', { params: { id } })).data;
  },
  transition(id: string, transition: string, args?: Record<string, unknown>): Promise<WorkflowRun> {
    return api().call('takeWorkflowTransition', { params: { id, transition }, body: args ? { arguments: args } : {} }, { idempotencyKey: idemKey() });
  },
  cancel(id: string, reason: string): Promise<WorkflowRun> {
    return api().call('cancelWorkflowRun', { params: { id }, body: { reason } }, { idempotencyKey: idemKey() });
  },
};
/** `operator:opr_…` / `agent:agt_…` → a short label; anything else as it is. */
export function actorLabel(actor: string | null | undefined): string {
  if (!actor) return '—';
  return actor;
}

/** A refused step in words: which guard said no and why, or which state the run is really in. */
export function guardRejection(err: unknown): string | null {
  if (isApiError(err, 'guard_rejected')) return `A guard said no${err.param ? ` (${err.param})` : ''}: ${err.message}`;
  if (isApiError(err, 'actor_mismatch')) return `Not yours to take: ${err.message}`;
  if (isApiError(err, 'state_conflict')) return `The run moved on: ${err.message}`;
  return null;
}

/** A version's warning as one line. */
export function warningText(w: WorkflowVersionInfo['warnings'][number]): string {
  return typeof w === 'string' ? w : w.param ? `${w.message} (${w.param})` : w.message;
}

/** A definition as stable, readable text for the diff (keys in their written order). */
export function definitionText(def: unknown): string {
  return JSON.stringify(def, null, 2);
}
