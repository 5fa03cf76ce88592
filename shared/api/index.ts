/**
 * Every route of the Warden API, by name. Each domain declares its routes in its own file;
 * this index only gathers them. The server, the OpenAPI document and the client all read it.
 */
import { actionRoutes } from './actions.js';
import { agentRoutes } from './agents.js';
import { approvalRoutes } from './approvals.js';
import { auditRoutes } from './audit.js';
import { backupRoutes } from './backups.js';
import { budgetRoutes } from './budgets.js';
import { gateRoutes } from './gates.js';
import { grantRoutes } from './grants.js';
import { missionRoutes } from './missions.js';
import { mcpRoutes } from './mcp.js';
import { operatorRoutes } from './operators.js';
import { policyRoutes } from './policies.js';
import { reportRoutes } from './reports.js';
import { systemRoutes } from './system.js';
import { workflowRunRoutes } from './workflow-runs.js';
import { workflowRoutes } from './workflows.js';

export const routes = {
  ...systemRoutes,
  ...agentRoutes,
  ...operatorRoutes,
  ...auditRoutes,
  ...backupRoutes,
  ...policyRoutes,
  ...budgetRoutes,
  ...missionRoutes,
  ...actionRoutes,
  ...approvalRoutes,
  ...grantRoutes,
  ...reportRoutes,
  ...mcpRoutes,
  ...workflowRunRoutes,
  ...workflowRoutes,
  ...gateRoutes,
};

export type Routes = typeof routes;
export type RouteName = keyof Routes;
