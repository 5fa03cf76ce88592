/**
 * Method and path of every route, without its schemas: what a caller needs to build a request.
 * The renderer's bundle imports this instead of the contract, so zod never ships to the browser
 * (the server validates at the boundary). `test/unit/shared/route-table.test.ts` proves it equals
 * the contract in `index.ts`; a route added there and not here fails to compile.
 */
import type { HttpMethod } from './contract.js';
import type { RouteName } from './index.js';
import type { OperatorRole } from '../vocabulary.js';

export interface RouteEntry {
  method: HttpMethod;
  path: string;
  /** The response is not JSON (SSE, file export). */
  raw?: true;
  /** The least operator role the route needs, when it changes something (reads: viewer). */
  role?: OperatorRole;
}

export const routeTable = {
  health: { method: 'GET', path: '/v1/health' },
  openapi: { method: 'GET', path: '/openapi.json' },
  events: { method: 'GET', path: '/v1/events', raw: true },
  createAgent: { method: 'POST', path: '/v1/agents', role: 'admin' },
  listAgents: { method: 'GET', path: '/v1/agents' },
  getAgent: { method: 'GET', path: '/v1/agents/:id' },
  updateAgent: { method: 'PATCH', path: '/v1/agents/:id', role: 'admin' },
  listAgentKeys: { method: 'GET', path: '/v1/agents/:id/keys' },
  createAgentKey: { method: 'POST', path: '/v1/agents/:id/keys', role: 'admin' },
  revokeAgentKey: { method: 'DELETE', path: '/v1/agents/:id/keys/:key_id', role: 'admin' },
  createOperator: { method: 'POST', path: '/v1/operators', role: 'owner' },
  listOperators: { method: 'GET', path: '/v1/operators' },
  revokeOperator: { method: 'DELETE', path: '/v1/operators/:id', role: 'owner' },
  updateOperator: { method: 'PATCH', path: '/v1/operators/:id', role: 'owner' },
  rotateOperator: { method: 'POST', path: '/v1/operators/:id/rotate', role: 'owner' },
  me: { method: 'GET', path: '/v1/me' },
  listAudit: { method: 'GET', path: '/v1/audit' },
  verifyAudit: { method: 'GET', path: '/v1/audit/verify' },
  exportAudit: { method: 'GET', path: '/v1/audit/export', raw: true },
  createBackup: { method: 'POST', path: '/v1/backups', role: 'owner' },
  listGuardrails: { method: 'GET', path: '/v1/guardrails' },
  createGuardrail: { method: 'POST', path: '/v1/guardrails', role: 'admin' },
  getGuardrail: { method: 'GET', path: '/v1/guardrails/:id' },
  listGuardrailVersions: { method: 'GET', path: '/v1/guardrails/:id/versions' },
  updateGuardrail: { method: 'PATCH', path: '/v1/guardrails/:id', role: 'admin' },
  deleteGuardrail: { method: 'DELETE', path: '/v1/guardrails/:id', role: 'admin' },
  createStarterGuardrail: { method: 'POST', path: '/v1/guardrails/starter', role: 'admin' },
  evaluateGuardrails: { method: 'POST', path: '/v1/guardrails/evaluate', role: 'viewer' },
  listTools: { method: 'GET', path: '/v1/tools' },
  createTool: { method: 'POST', path: '/v1/tools', role: 'admin' },
  listToolPolicies: { method: 'GET', path: '/v1/tool-policies' },
  createToolPolicy: { method: 'POST', path: '/v1/tool-policies', role: 'admin' },
  getToolPolicy: { method: 'GET', path: '/v1/tool-policies/:id' },
  updateToolPolicy: { method: 'PATCH', path: '/v1/tool-policies/:id', role: 'admin' },
  deleteToolPolicy: { method: 'DELETE', path: '/v1/tool-policies/:id', role: 'admin' },
  listRoleOverrides: { method: 'GET', path: '/v1/role-policy-overrides' },
  createRoleOverride: { method: 'POST', path: '/v1/role-policy-overrides', role: 'admin' },
  deleteRoleOverride: { method: 'DELETE', path: '/v1/role-policy-overrides/:id', role: 'admin' },
  getGovernanceSettings: { method: 'GET', path: '/v1/settings/governance' },
  updateGovernanceSettings: { method: 'PATCH', path: '/v1/settings/governance', role: 'owner' },
  getQuota: { method: 'GET', path: '/v1/quota' },
  updateQuota: { method: 'PATCH', path: '/v1/quota', role: 'owner' },
  listBudgets: { method: 'GET', path: '/v1/budgets' },
  getBudget: { method: 'GET', path: '/v1/budgets/:scope/:scope_id' },
  listBudgetPeriods: { method: 'GET', path: '/v1/budgets/:scope/:scope_id/periods' },
  setBudget: { method: 'POST', path: '/v1/budgets', role: 'admin' },
  pauseBudget: { method: 'POST', path: '/v1/budgets/:scope/:scope_id/pause', role: 'admin' },
  resumeBudget: { method: 'POST', path: '/v1/budgets/:scope/:scope_id/resume', role: 'admin' },
  deleteBudget: { method: 'DELETE', path: '/v1/budgets/:scope/:scope_id', role: 'admin' },
  recordSpend: { method: 'POST', path: '/v1/spend', role: 'member' },
  listSpend: { method: 'GET', path: '/v1/spend' },
  getKillSwitch: { method: 'GET', path: '/v1/kill-switch' },
  setKillSwitch: { method: 'POST', path: '/v1/kill-switch', role: 'admin' },
  engageKillSwitch: { method: 'POST', path: '/v1/kill-switch/engage', role: 'member' },
  releaseKillSwitch: { method: 'POST', path: '/v1/kill-switch/release', role: 'admin' },
  spendReport: { method: 'GET', path: '/v1/reports/spend' },
  createMission: { method: 'POST', path: '/v1/missions', role: 'admin' },
  listMissions: { method: 'GET', path: '/v1/missions' },
  updateMission: { method: 'PATCH', path: '/v1/missions/:id', role: 'admin' },
  createAction: { method: 'POST', path: '/v1/actions', role: 'member' },
  listActions: { method: 'GET', path: '/v1/actions' },
  getAction: { method: 'GET', path: '/v1/actions/:id' },
  completeAction: { method: 'POST', path: '/v1/actions/:id/complete', role: 'member' },
  withdrawAction: { method: 'POST', path: '/v1/actions/:id/withdraw', role: 'member' },
  getReceipt: { method: 'GET', path: '/v1/receipts/:id' },
  evaluate: { method: 'POST', path: '/v1/evaluate', role: 'viewer' },
  listApprovals: { method: 'GET', path: '/v1/approvals' },
  getApproval: { method: 'GET', path: '/v1/approvals/:id' },
  waitApproval: { method: 'GET', path: '/v1/approvals/:id/wait' },
  decideApproval: { method: 'POST', path: '/v1/approvals/:id/decision', role: 'member' },
  grantOptions: { method: 'GET', path: '/v1/approvals/:id/grant-options' },
  undoDecision: { method: 'POST', path: '/v1/approvals/:id/undo', role: 'member' },
  requestDelegation: { method: 'POST', path: '/v1/delegation-approvals', role: 'member' },
  listGrants: { method: 'GET', path: '/v1/grants' },
  revokeGrant: { method: 'DELETE', path: '/v1/grants/:id', role: 'member' },
  approvalHistory: { method: 'GET', path: '/v1/approval-history' },
  governanceReport: { method: 'GET', path: '/v1/reports/governance' },
  approvalsReport: { method: 'GET', path: '/v1/reports/approvals' },
  createMcpServer: { method: 'POST', path: '/v1/mcp-servers', role: 'owner' },
  listMcpServers: { method: 'GET', path: '/v1/mcp-servers' },
  getMcpServer: { method: 'GET', path: '/v1/mcp-servers/:name' },
  updateMcpServer: { method: 'PATCH', path: '/v1/mcp-servers/:name', role: 'owner' },
  deleteMcpServer: { method: 'DELETE', path: '/v1/mcp-servers/:name', role: 'admin' },
  listMcpServerTools: { method: 'GET', path: '/v1/mcp-servers/:name/tools' },
} as const satisfies { [N in RouteName]: RouteEntry };
