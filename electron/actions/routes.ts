import type { ApprovalService } from '../approvals/service.js';
import { HttpError } from '../server/errors.js';
import type { Api } from '../server/api.js';
import type { MissionService } from '../budgets/missions.js';
import type { ActionService } from './service.js';
import type { ActionRelease } from './withdraw.js';

/** 413 `payload_too_large` (param `args`) when an action's args serialize to more than `max` bytes. */
export function checkArgsSize(args: Record<string, unknown> | undefined, max: number): void {
  if (args === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(args), 'utf8');
  if (bytes > max) throw new HttpError(413, 'payload_too_large', `args is ${bytes} bytes serialized; the limit is ${max}`, 'args');
}

export interface ActionGuards {
  maxArgsBytes: number;
  missions: MissionService;
}

export function actionRoutes(api: Api, actions: ActionService, approvals: ApprovalService, release: ActionRelease, guards: ActionGuards): void {
  api.handle('createAction', async ({ body, query, principal, actor, reply }) => {
    // An agent key's own id is filled in by the row authorizer; the operator names the agent.
    const { agent_id: agentId, ...input } = body;
    checkArgsSize(input.args, guards.maxArgsBytes);
    if (agentId === undefined) {
      throw new HttpError(400, 'missing_parameter', 'agent_id is required when the operator submits an action', 'agent_id');
    }
    const startedBy = principal?.kind === 'operator' ? principal.operatorId : null;
    const mission = guards.missions.chargedMission(agentId, input.mission_id);
    const charged = mission === null ? input : { ...input, mission_id: mission };
    const action = await actions.submit(agentId, charged, actor, startedBy);
    if (query.wait_s <= 0 || action.status !== 'pending_approval' || !action.approval_id) return action;
    await approvals.waitFor(action.approval_id, query.wait_s, reply.raw, query.will_wait_s);
    const final = actions.get(action.id);
    if (principal?.kind === 'agent') release.pickedUp(final);
    return final;
  });
  // Reads expire what has lapsed by the wall clock first: the reaper's timer runs on the
  // monotonic clock and fires late after a forward step.
  api.handle('listActions', ({ query }) => {
    approvals.expireLapsed();
    return actions.list(query);
  });
  api.handle('getAction', ({ params, principal }) => {
    approvals.expireLapsed();
    const action = actions.get(params.id);
    if (principal?.kind === 'agent') release.pickedUp(action);
    return action;
  });
  api.handle('withdrawAction', ({ params, principal, actor }) => {
    if (principal?.kind !== 'agent') {
      throw new HttpError(403, 'insufficient_scope', "only the action's own agent can withdraw it (use its agent key)");
    }
    return release.withdraw(params.id, actor);
  });
  api.handle('completeAction', ({ params, body, actor }) => actions.complete(params.id, body, actor));
  api.handle('getReceipt', ({ params }) => actions.receipt(params.id));
  api.handle('evaluate', ({ body }) => {
    checkArgsSize(body.action.args, guards.maxArgsBytes);
    const agentId = body.agent_id ?? null;
    if (agentId === null) return actions.dryRun(body.action, null);
    const mission = guards.missions.chargedMission(agentId, body.action.mission_id);
    return actions.dryRun(mission === null ? body.action : { ...body.action, mission_id: mission }, agentId);
  });
}
