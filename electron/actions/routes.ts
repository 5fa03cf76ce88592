import type { ApprovalService } from '../approvals/service.js';
import { HttpError } from '../server/errors.js';
import type { Api } from '../server/api.js';
import type { Principal } from '../server/principal.js';
import type { ActionService, Viewer } from './service.js';
import type { ActionRelease } from './withdraw.js';

const viewerOf = (p: Principal | null): Viewer => (p?.kind === 'agent' ? { agentId: p.agentId } : {});

export function actionRoutes(api: Api, actions: ActionService, approvals: ApprovalService, release: ActionRelease): void {
  api.handle('createAction', async ({ body, query, principal, actor, reply }) => {
    const { agent_id, ...input } = body;
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
    const action = await actions.submit(agentId, input, actor, startedBy);
    if (query.wait_s <= 0 || action.status !== 'pending_approval' || !action.approval_id) return action;
    await approvals.waitFor(action.approval_id, query.wait_s, {}, reply.raw);
    const final = actions.get(action.id);
    if (principal?.kind === 'agent') release.pickedUp(final);
    return final;
  });
  api.handle('listActions', ({ query, principal }) => actions.list(query, viewerOf(principal)));
  api.handle('getAction', ({ params, principal }) => {
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
    let agentId = body.agent_id ?? null;
    if (principal?.kind === 'agent') {
      // An agent previews its own decisions; another agent's id is not visible to it.
      if (agentId !== null && agentId !== principal.agentId) throw new HttpError(404, 'not_found', `no agent with id ${agentId}`);
      agentId = principal.agentId;
    }
    return actions.dryRun(body.action, agentId);
  });
}
