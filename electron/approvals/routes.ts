import type { Api } from '../server/api.js';
import type { Principal } from '../server/principal.js';
import { requireOperator } from '../server/principal.js';
import { requestDelegation, type DelegationDeps } from './delegation.js';
import type { Viewer } from './service.js';

const viewerOf = (p: Principal | null): Viewer => (p?.kind === 'agent' ? { agentId: p.agentId } : {});

export function approvalRoutes(api: Api, deps: DelegationDeps): void {
  const { approvals, grants } = deps;
  api.handle('listApprovals', ({ query, principal }) => approvals.list(query, viewerOf(principal)));
  api.handle('getApproval', ({ params, principal }) => approvals.get(params.id, viewerOf(principal)));
  api.handle('waitApproval', ({ params, query, principal, reply }) =>
    approvals.waitFor(params.id, query.timeout_s, viewerOf(principal), reply.raw),
  );
  api.handle('decideApproval', ({ params, body, principal }) =>
    approvals.decide(params.id, requireOperator(principal).operatorId, body),
  );
  api.handle('grantOptions', ({ params }) => approvals.grantOptions.options(params.id));
  api.handle('undoDecision', ({ params, principal }) => approvals.undo(params.id, requireOperator(principal).operatorId));
  api.handle('requestDelegation', ({ body, principal, actor, reply }) => requestDelegation(deps, body, principal, actor, reply.raw));
  api.handle('listGrants', ({ query, principal }) => {
    const viewer = viewerOf(principal);
    if (viewer.agentId && query.agent_id && query.agent_id !== viewer.agentId) {
      return { object: 'list' as const, data: [], has_more: false, next_cursor: null };
    }
    return grants.list({ ...query, agent_id: viewer.agentId ?? query.agent_id });
  });
  api.handle('revokeGrant', ({ params, actor }) => grants.revoke(params.id, actor));
  api.handle('approvalHistory', ({ query, principal }) => approvals.history(query, viewerOf(principal)));
}
