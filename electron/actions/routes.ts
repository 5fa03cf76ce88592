import type { ApprovalService } from '../approvals/service.js';
import { HttpError } from '../server/errors.js';
import type { Api } from '../server/api.js';
import type { Principal } from '../server/principal.js';
import type { MissionService } from '../budgets/missions.js';
import type { ActionService, Viewer } from './service.js';
import type { ActionRelease } from './withdraw.js';

/** 413 `payload_too_large` (param `args`) when an action's args serialize to more than `max` bytes. */
function checkArgsSize(args: Record<string, unknown> | undefined, max: number): void {
  if (args === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(args), 'utf8');
  if (bytes > max) throw new HttpError(413, 'payload_too_large', `args is ${bytes} bytes serialized; the limit is ${max}`, 'args');
}

const viewerOf = (p: Principal | null): Viewer => (p?.kind === 'agent' ? { agentId: p.agentId } : {});

export interface ActionGuards {
  maxArgsBytes: number;
  missions: MissionService;
}

export function actionRoutes(api: Api, actions: ActionService, approvals: ApprovalService, release: ActionRelease, guards: ActionGuards): void {
  api.handle('createAction', async ({ body, query, principal, actor, reply }) => {
    const { agent_id, ...input } = body;
    checkArgsSize(input.args, guards.maxArgsBytes);
    let agentId: string;
    let startedBy: string | null = null;
    if (principal?.kind === 'agent') {
      // An agent key always acts as itself.
      if (agent_id !== undefined && agent_id !== principal.agentId) {
        throw new HttpError(403, 'insufficient_scope', 'an agent key can only submit its own actions; omit agent_id', 'agent_id');
      }
      agentId = principal.agentId;
    } else {
      if (agent_id === undefined) {
        throw new HttpError(400, 'missing_parameter', 'agent_id is required when the operator submits an action', 'agent_id');
      }
      agentId = agent_id;
      startedBy = principal?.kind === 'operator' ? principal.operatorId : null;
    }
    const mission = guards.missions.chargedMission(agentId, input.mission_id);
    const charged = mission === null ? input : { ...input, mission_id: mission };
    const action = await actions.submit(agentId, charged, actor, startedBy);
    if (query.wait_s <= 0 || action.status !== 'pending_approval' || !action.approval_id) return action;
    await approvals.waitFor(action.approval_id, query.wait_s, {}, reply.raw);
    const final = actions.get(action.id);
    if (principal?.kind === 'agent') release.pickedUp(final);
    return final;
  });
  // Reads expire what has lapsed by the wall clock first: the reaper's timer runs on the
  // monotonic clock and fires late after a forward step.
  api.handle('listActions', ({ query, principal }) => {
    approvals.expireLapsed();
    return actions.list(query, viewerOf(principal));
  });
  api.handle('getAction', ({ params, principal }) => {
    approvals.expireLapsed();
    const action = actions.get(params.id, viewerOf(principal));
    if (principal?.kind === 'agent') release.pickedUp(action);
    return action;
  });
  api.handle('withdrawAction', ({ params, principal, actor }) => {
    if (principal?.kind !== 'agent') {
      throw new HttpError(403, 'insufficient_scope', "only the action's own agent can withdraw it (use its agent key)");
    }
    return release.withdraw(params.id, principal.agentId, actor);
  });
  api.handle('completeAction', ({ params, body, principal, actor }) => actions.complete(params.id, body, actor, viewerOf(principal)));
  api.handle('getReceipt', ({ params, principal }) => actions.receipt(params.id, viewerOf(principal)));
  api.handle('evaluate', ({ body, principal }) => {
    checkArgsSize(body.action.args, guards.maxArgsBytes);
    let agentId = body.agent_id ?? null;
    if (principal?.kind === 'agent') {
      // An agent previews its own decisions; another agent's id is not visible to it.
      if (agentId !== null && agentId !== principal.agentId) throw new HttpError(404, 'not_found', `no agent with id ${agentId}`);
      agentId = principal.agentId;
    }
    if (agentId === null) return actions.dryRun(body.action, null);
    const mission = guards.missions.chargedMission(agentId, body.action.mission_id);
    return actions.dryRun(mission === null ? body.action : { ...body.action, mission_id: mission }, agentId);
  });
}
