/** The workflow-run and connection routes, bound to their services. */
import type { AgentService } from '../agents/service.js';
import type { Api } from '../server/api.js';
import { HttpError } from '../server/errors.js';
import type { Principal } from '../server/principal.js';
import type { ConnectionService } from './connections.js';
import type { RunCaller, WorkflowRunService } from './service.js';

/** The caller as runs see it: its audit actor and what its guards read (role, permissions). */
export function runCallerOf(principal: Principal | null, agents: AgentService): RunCaller {
  if (principal?.kind === 'operator') {
    return {
      kind: 'operator',
      id: principal.operatorId,
      actor: `operator:${principal.operatorId}`,
      guard: { kind: 'operator', role: principal.role, permissions: principal.permissions },
    };
  }
  if (principal?.kind === 'agent') {
    return {
      kind: 'agent',
      id: principal.agentId,
      actor: `agent:${principal.agentId}`,
      guard: { kind: 'agent', role: agents.find(principal.agentId)?.role ?? null, permissions: principal.permissions },
    };
  }
  throw new HttpError(401, 'unauthenticated', 'a valid key is required');
}

export interface WorkflowRunRouteDeps {
  runs: WorkflowRunService;
  connections: ConnectionService;
  agents: AgentService;
  withdrawApproval: (approvalId: string, actor: string) => void;
}

export function workflowRunRoutes(api: Api, deps: WorkflowRunRouteDeps): void {
  const { runs, connections, agents } = deps;
  api.handle('startWorkflowRun', ({ params, body, principal }) => {
    const caller = runCallerOf(principal, agents);
    // An agent key's own id is filled in by the row authorizer; the operator names the agent.
    const agentId = body.agent_id;
    if (agentId === undefined) throw new HttpError(400, 'missing_parameter', 'agent_id is required when the operator starts a run: the agent the run belongs to', 'agent_id');
    if (!agents.find(agentId)) throw new HttpError(404, 'not_found', `no agent with id ${agentId}`, 'agent_id');
    return runs.start(params.name, { input: body.input, agent_id: agentId, ...(body.mission_id ? { mission_id: body.mission_id } : {}) }, caller);
  });
  api.handle('listWorkflowRuns', ({ query, principal }) => runs.list(query, runCallerOf(principal, agents).guard));
  api.handle('getWorkflowRun', ({ params, principal }) => runs.get(params.id, runCallerOf(principal, agents).guard));
  api.handle('getWorkflowRunHistory', ({ params }) => runs.history(params.id));
  api.handle('takeWorkflowTransition', ({ params, body, principal }) => runs.take(params.id, params.transition, body.arguments, runCallerOf(principal, agents)));
  api.handle('recordWorkflowEvidence', ({ params, body, principal }) => runs.recordEvidence(params.id, body.kind, body.data, runCallerOf(principal, agents)));
  api.handle('cancelWorkflowRun', ({ params, body, principal }) => {
    const caller = runCallerOf(principal, agents);
    return runs.cancel(params.id, body.reason, caller, (approvalId) => deps.withdrawApproval(approvalId, caller.actor));
  });
  api.handle('listConnections', () => connections.list());
  api.handle('createConnection', ({ body, actor }) => connections.create(body, actor));
  api.handle('updateConnection', ({ params, body, actor }) => connections.update(params.name, body, actor));
  api.handle('deleteConnection', ({ params, actor }) => connections.remove(params.name, actor));
}
