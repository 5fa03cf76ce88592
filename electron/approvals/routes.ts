import type { Api } from '../server/api.js';
import { requireOperator } from '../server/principal.js';
import { requestDelegation, type DelegationDeps } from './delegation.js';

export function approvalRoutes(api: Api, deps: DelegationDeps): void {
  const { approvals, grants } = deps;
  api.handle('listApprovals', ({ query }) => approvals.list(query));
  api.handle('getApproval', ({ params }) => approvals.get(params.id));
  api.handle('waitApproval', ({ params, query, reply }) => approvals.waitFor(params.id, query.timeout_s, reply.raw, query.will_wait_s));
  api.handle('decideApproval', ({ params, body, principal }) =>
    approvals.decide(params.id, requireOperator(principal).operatorId, body),
  );
  api.handle('grantOptions', ({ params }) => approvals.grantOptions.options(params.id));
  api.handle('undoDecision', ({ params, principal }) => approvals.undo(params.id, requireOperator(principal).operatorId));
  api.handle('requestDelegation', ({ body, principal, actor, reply }) => requestDelegation(deps, body, principal, actor, reply.raw));
  api.handle('listGrants', ({ query }) => grants.list(query));
  api.handle('revokeGrant', ({ params, actor }) => grants.revoke(params.id, actor));
  api.handle('approvalHistory', ({ query }) => approvals.history(query));
}
