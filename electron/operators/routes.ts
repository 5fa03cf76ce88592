import type { Api } from '../server/api.js';
import type { OperatorService } from './service.js';

/**
 * The operator routes. Who may call each is the route's declared role (owner for every change),
 * checked by the request pipeline; any operator lists them.
 */
export function operatorRoutes(api: Api, operators: OperatorService): void {
  api.handle('createOperator', ({ body, actor }) => operators.create(body.name, body.role, actor), {
    oneTimeSecret: { renew: 'the operator exists; its token cannot be shown again: rotate it with POST /v1/operators/{id}/rotate' },
  });
  api.handle('updateOperator', ({ params, body, actor }) => operators.update(params.id, body, actor));
  api.handle('revokeOperator', ({ params, actor }) => operators.revoke(params.id, actor));
  api.handle('rotateOperator', ({ params, actor }) => operators.rotate(params.id, actor), {
    oneTimeSecret: { renew: 'rotate again with POST /v1/operators/{id}/rotate' },
  });
  api.handle('listOperators', ({ query }) => operators.list(query));
}
