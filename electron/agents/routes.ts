import type { Api } from '../server/api.js';
import type { AgentService } from './service.js';
import type { OperatorService } from '../operators/service.js';
import { AGENT_SCOPES } from '../../shared/vocabulary.js';
import type { AgentActivityReport } from './activity.js';

/** The agent routes and `GET /v1/me`, which answers for an agent key or an operator token. */
export function agentRoutes(api: Api, agents: AgentService, operators: OperatorService, activity: AgentActivityReport): void {
  api.handle('agentActivity', () => ({ object: 'agent_activity' as const, data: activity.all() }));
  api.handle('createAgent', ({ body, actor }) => agents.create(body, actor), {
    oneTimeSecret: { renew: 'the agent exists; issue it a new key with POST /v1/agents/{id}/keys (GET /v1/agents finds the id)' },
  });
  api.handle('listAgents', ({ query }) => agents.list(query));
  api.handle('getAgent', ({ params }) => agents.get(params.id));
  api.handle('updateAgent', ({ params, body, actor }) => agents.update(params.id, body, actor));
  api.handle('deleteAgent', ({ params, actor }) => agents.remove(params.id, actor));
  api.handle('listAgentKeys', ({ params, query }) => agents.listKeys(params.id, query));
  api.handle('createAgentKey', ({ params, body, actor }) => agents.issueKey(params.id, body?.scopes ?? [...AGENT_SCOPES], actor), {
    oneTimeSecret: { renew: 'issue another with POST /v1/agents/{id}/keys and revoke the lost one with DELETE /v1/agents/{id}/keys/{key_id}' },
  });
  api.handle('revokeAgentKey', ({ params, actor }) => agents.revokeKey(params.id, params.key_id, actor));
  api.handle('me', ({ principal }) => {
    if (!principal) return undefined; // unreachable: the route needs a key
    if (principal.kind === 'operator') return operators.get(principal.operatorId);
    return { ...agents.get(principal.agentId), scopes: [...principal.scopes], key_id: principal.keyId };
  });
}
