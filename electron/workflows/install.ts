/** Wires workflow definitions into the app: services, routes, the YAML body parser, the catalog runs read. */
import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { Db } from '../db/connection.js';
import type { Api } from '../server/api.js';
import { WorkflowCatalog } from './catalog.js';
import type { ConnectionLookup } from './import-flowgate.js';
import { WorkflowRegistry } from './registry.js';
import { workflowRoutes } from './routes.js';
import { WorkflowService } from './service.js';
import { installYamlBodies } from './yaml-body.js';

export interface WorkflowDeps {
  api: Api;
  http: FastifyInstance;
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  /** REST connections runs can call (declared by the runs side); none known by default. */
  restConnection?: (name: string) => boolean;
}

export interface Workflows {
  catalog: WorkflowCatalog;
  definitions: WorkflowService;
  registry: WorkflowRegistry;
}

export function installWorkflows(deps: WorkflowDeps): Workflows {
  const { db, audit, clock, ids } = deps;
  const definitions = new WorkflowService({ db, audit, clock, ids });
  const registry = new WorkflowRegistry({ db, audit, clock, ids, workflows: definitions });
  const mcpServer = db.prepare<[string], { name: string }>('SELECT name FROM mcp_servers WHERE name = ?');
  const connections: ConnectionLookup = {
    mcpServer: (name) => mcpServer.get(name) !== undefined,
    restConnection: (name) => deps.restConnection?.(name) ?? false,
  };
  installYamlBodies(deps.http);
  workflowRoutes(deps.api, definitions, registry, connections);
  return { catalog: new WorkflowCatalog(db), definitions, registry };
}
