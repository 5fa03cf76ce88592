/** Lets people type names where the API wants ids: `refund-bot` for `agt_…`. */
import type { WardenClient } from '../../shared/client.js';
import type { Agent } from '../../shared/api/agents.js';
import { CliError } from './io.js';

/** The agent with this id or name (operator token needed to list agents). */
export async function findAgent(client: WardenClient, idOrName: string): Promise<Agent> {
  if (idOrName.startsWith('agt_')) return client.call('getAgent', { params: { id: idOrName } });
  for await (const agent of client.paginate('listAgents', { query: { limit: 500 } })) {
    if (agent.name === idOrName) return agent;
  }
  throw new CliError(`no agent named ${JSON.stringify(idOrName)} (see \`warden agent list\`)`);
}
