import type { ApprovalService } from '../approvals/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, type Db } from '../db/connection.js';
import type { Api } from '../server/api.js';
import type { AgentService } from './service.js';
import type { OperatorService } from '../operators/service.js';
import { AGENT_SCOPES } from '../../shared/vocabulary.js';
import type { AgentActivityReport } from './activity.js';

/** The agent routes and `GET /v1/me`, which answers for an agent key or an operator token. */
/** What deleting an agent also does, in the same transaction: withdraw its pending requests. */
export interface AgentRemoval {
  db: Db;
  clock: Clock;
  approvals: Pick<ApprovalService, 'withdrawAllOf'>;
}

export function agentRoutes(api: Api, agents: AgentService, operators: OperatorService, activity: AgentActivityReport, removal: AgentRemoval): void {
  api.handle('agentActivity', () => ({ object: 'agent_activity' as const, data: activity.all() }));
  api.handle('createAgent', ({ body, actor }) => agents.create(body, actor), {
    oneTimeSecret: { renew: 'the agent exists; issue it a new key with POST /v1/agents/{id}/keys (GET /v1/agents finds the id)' },
  });
  api.handle('listAgents', ({ query }) => agents.list(query));
  api.handle('getAgent', ({ params }) => agents.get(params.id));
  api.handle('updateAgent', ({ params, body, actor }) => agents.update(params.id, body, actor));
  api.handle('deleteAgent', ({ params, actor }) =>
    immediate(removal.db, () => {
      const agent = agents.remove(params.id, actor);
      // Nothing a deleted agent asked can still be allowed: its requests leave the Inbox, saying why.
      removal.approvals.withdrawAllOf(agent.id, agent.deleted_at ?? toIso(removal.clock.now()), actor, `withdrawn: agent ${agent.name} was deleted`);
      return agent;
    }),
  );
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
