/**
 * Every call the Workflows pages make, in one place, typed from the route contracts
 * (shared/api/workflows.ts, shared/api/workflow-runs.ts) through the shared client.
 */
import type { WorkflowDefinitionInput } from '../../../../shared/workflows/definition.js';
import type { WorkflowHistoryEntry, WorkflowLink, WorkflowRun, WorkflowRunStatus } from '../../../../shared/api/workflow-runs.js';
import type { Workflow, WorkflowSummary, WorkflowTemplate, WorkflowVersion, WorkflowVersionSummary, WorkflowWarning } from '../../../../shared/api/workflows.js';
import { api, idemKey, isApiError } from '../../lib/api';

/** The run statuses, in their order (a plain list: the contract's module loads zod). */
export const WORKFLOW_RUN_STATUSES = ['active', 'waiting', 'completed', 'failed', 'cancelled'] as const satisfies readonly WorkflowRunStatus[];

/** A parsed definition as the server answers it (a record in the contract; this shape in fact). */
type Parsed = { definition: WorkflowDefinitionInput };
export type { WorkflowSummary, WorkflowTemplate, WorkflowWarning };
export type WorkflowDetail = Omit<Workflow, 'definition'> & Parsed;
export type WorkflowVersionInfo = WorkflowVersionSummary;
export type WorkflowVersionFull = Omit<WorkflowVersion, 'definition'> & Parsed;
export type TemplateStatus = WorkflowTemplate['status'];

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

async function all<T>(pages: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

export const workflowsApi = {
  list(): Promise<WorkflowSummary[]> {
    return all(api().paginate('listWorkflows', { query: { limit: 500 } }));
  },
  async get(name: string): Promise<WorkflowDetail> {
    const w = await api().call('getWorkflow', { params: { name } });
    return { ...w, definition: w.definition as WorkflowDefinitionInput };
  },
  versions(name: string): Promise<WorkflowVersionInfo[]> {
    return all(api().paginate('listWorkflowVersions', { params: { name }, query: { limit: 500 } }));
  },
  async version(name: string, version: number): Promise<WorkflowVersionFull> {
    const v = await api().call('getWorkflowVersion', { params: { name, version } });
    return { ...v, definition: v.definition as WorkflowDefinitionInput };
  },
  rollback(name: string, version: number, message: string) {
    return api().call('rollbackWorkflow', { params: { name, version }, body: message ? { message } : {} }, { idempotencyKey: idemKey() });
  },
  registry(includeArchived: boolean): Promise<WorkflowTemplate[]> {
    return all(api().paginate('listWorkflowTemplates', { query: { limit: 500, ...(includeArchived ? { include_archived: 'true' as const } : {}) } }));
  },
  approveTemplate(workflow: string, body: { template_name: string; description?: string }): Promise<WorkflowTemplate> {
    return api().call('approveWorkflowTemplate', { params: { name: workflow }, body }, { idempotencyKey: idemKey() });
  },
  deprecate(id: string, body: { reason: string; replacement_id?: string }): Promise<WorkflowTemplate> {
    return api().call('deprecateWorkflowTemplate', { params: { id }, body }, { idempotencyKey: idemKey() });
  },
  archive(id: string): Promise<WorkflowTemplate> {
    return api().call('archiveWorkflowTemplate', { params: { id } }, { idempotencyKey: idemKey() });
  },
  fromTemplate(body: { template_id: string; name: string }) {
    return api().call('createWorkflowFromTemplate', { body }, { idempotencyKey: idemKey() });
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
/** A refused step in words: which guard said no and why, or which state the run is really in. */
export function guardRejection(err: unknown): string | null {
  if (isApiError(err, 'guard_rejected')) return `A guard said no${err.param ? ` (${err.param})` : ''}: ${err.message}`;
  if (isApiError(err, 'actor_mismatch')) return `Not yours to take: ${err.message}`;
  if (isApiError(err, 'state_conflict')) return `The run moved on: ${err.message}`;
  return null;
}

/** A version's warning as one line. */
export function warningText(w: WorkflowWarning): string {
  return w.param ? `${w.message} (${w.param})` : w.message;
}

/** A definition as stable, readable text for the diff (keys in their written order). */
export function definitionText(def: unknown): string {
  return JSON.stringify(def, null, 2);
}
