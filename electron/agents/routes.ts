import type { Api } from '../server/api.js';
import type { AgentService } from './service.js';
import type { OperatorService } from '../operators/service.js';
import { AGENT_SCOPES } from '../../shared/api/contract.js';

export function agentRoutes(api: Api, agents: AgentService, operators: OperatorService): void {
  api.handle('createAgent', ({ body, actor }) => agents.create(body, actor));
  api.handle('listAgents', ({ query }) => agents.list(query));
  api.handle('getAgent', ({ params }) => agents.get(params.id));
  api.handle('updateAgent', ({ params, body, actor }) => agents.update(params.id, body, actor));
  api.handle('listAgentKeys', ({ params }) => agents.listKeys(params.id));
  api.handle('createAgentKey', ({ params, body, actor }) => agents.issueKey(params.id, body?.scopes ?? [...AGENT_SCOPES], actor));
  api.handle('revokeAgentKey', ({ params, actor }) => agents.revokeKey(params.id, params.key_id, actor));
  api.handle('createOperator', ({ body, actor }) => operators.create(body.name, actor));
  api.handle('listOperators', ({ query }) => operators.list(query));
  api.handle('me', ({ principal }) => {
    if (!principal) return undefined; // unreachable: the route needs a key
    if (principal.kind === 'operator') return operators.get(principal.operatorId);
    return { ...agents.get(principal.agentId), scopes: [...principal.scopes], key_id: principal.keyId };
  });
}
