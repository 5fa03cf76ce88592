/** Wires the MCP gateway into the app: the registrations' routes and `/mcp/NAME`. */
import type { FastifyInstance } from 'fastify';
import type { ActionService } from '../actions/service.js';
import type { AgentService } from '../agents/service.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';
import type { Api } from '../server/api.js';
import type { McpGateway } from './gateway.js';
import { McpServerRegistry } from './registry.js';
import { mcpRoutes } from './routes.js';
import { UpstreamPool } from './upstreams.js';

export interface McpGatewayDeps {
  api: Api;
  http: FastifyInstance;
  db: Db;
  audit: AuditService;
  clock: Clock;
  agents: AgentService;
  actions: ActionService;
  ownUrl: () => string;
  notice: (line: string) => void;
}

export interface McpGatewayHandle {
  registry: McpServerRegistry;
  /** Clients of the registered servers (workflow steps call their tools through it). */
  pool: UpstreamPool;
}

export function installMcpGateway(deps: McpGatewayDeps): McpGatewayHandle {
  const registry = new McpServerRegistry({ db: deps.db, audit: deps.audit, clock: deps.clock });
  const pool = new UpstreamPool(registry, (line) => deps.notice(`warden: ${line}`));
  mcpRoutes(deps.api, registry, pool, deps.actions);
  // The gateway (and the MCP SDK under it) loads on the first /mcp request, not at start.
  let gateway: Promise<McpGateway> | null = null;
  const load = () =>
    (gateway ??= import('./gateway.js').then(
      ({ McpGateway }) => new McpGateway({ registry, pool, agents: deps.agents, ownUrl: deps.ownUrl, log: (line) => deps.notice(`warden: ${line}`) }),
    ));
  deps.http.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp/:name',
    // The governed calls inside (POST /v1/actions, …) count against the agent's rate; the
    // envelope carrying them is not counted twice.
    config: { rateLimit: false },
    handler: async (request, reply) => (await load()).handle(request, reply),
  });
  deps.http.addHook('onClose', async () => {
    if (gateway) await (await gateway).close();
    else await pool.closeAll();
  });
  return { registry, pool };
}
