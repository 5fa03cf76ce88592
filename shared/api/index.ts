/**
 * Every route of the Warden API, by name. Each domain declares its routes in its own file;
 * this index only gathers them. The server, the OpenAPI document and the client all read it.
 */
import { actionRoutes } from './actions.js';
import { agentRoutes } from './agents.js';
import { auditRoutes } from './audit.js';
import { backupRoutes } from './backups.js';
import { policyRoutes } from './policies.js';
import { budgetRoutes } from './budgets.js';
import { missionRoutes } from './missions.js';
import { mcpRoutes } from './mcp.js';
import { systemRoutes } from './system.js';

export const routes = {
  ...systemRoutes,
  ...agentRoutes,
  ...auditRoutes,
  ...backupRoutes,
  // [policies] routes
  ...policyRoutes,
  // [budgets] routes
  ...budgetRoutes,
  ...missionRoutes,
  // [actions] routes
  ...actionRoutes,
  ...mcpRoutes,
};

export type Routes = typeof routes;
export type RouteName = keyof Routes;
