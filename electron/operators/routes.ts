import type { Api } from '../server/api.js';
import type { OperatorService } from './service.js';
import { requireOperator } from '../server/principal.js';

/** The operator routes: only the owner adds, revokes or rotates operators; any operator lists them. */
export function operatorRoutes(api: Api, operators: OperatorService): void {
  api.handle('createOperator', ({ body, actor, principal }) => {
    operators.requireOwner(requireOperator(principal).operatorId);
    return operators.create(body.name, body.role, actor);
  }, {
    oneTimeSecret: { renew: 'the operator exists; its token cannot be shown again: rotate it with POST /v1/operators/{id}/rotate' },
  });
  api.handle('revokeOperator', ({ params, actor, principal }) => {
    operators.requireOwner(requireOperator(principal).operatorId);
    return operators.revoke(params.id, actor);
  });
  api.handle('rotateOperator', ({ params, actor, principal }) => {
    operators.requireOwner(requireOperator(principal).operatorId);
    return operators.rotate(params.id, actor);
  }, {
    oneTimeSecret: { renew: 'rotate again with POST /v1/operators/{id}/rotate' },
  });
  api.handle('listOperators', ({ query }) => operators.list(query));
}
