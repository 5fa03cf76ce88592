/**
 * Method and path of every route, without its schemas: what a caller needs to build a request.
 * The renderer's bundle imports this instead of the contract, so zod never ships to the browser
 * (the server validates at the boundary). `test/unit/shared/route-table.test.ts` proves it equals
 * the contract in `index.ts`; a route added there and not here fails to compile.
 */
import type { HttpMethod } from './contract.js';
import type { RouteName } from './index.js';

export interface RouteEntry {
  method: HttpMethod;
  path: string;
  /** The response is not JSON (SSE, file export). */
  raw?: true;
}

export const routeTable = {
  health: { method: 'GET', path: '/v1/health' },
  openapi: { method: 'GET', path: '/openapi.json' },
  events: { method: 'GET', path: '/v1/events', raw: true },
  createAgent: { method: 'POST', path: '/v1/agents' },
  listAgents: { method: 'GET', path: '/v1/agents' },
  getAgent: { method: 'GET', path: '/v1/agents/:id' },
  updateAgent: { method: 'PATCH', path: '/v1/agents/:id' },
  listAgentKeys: { method: 'GET', path: '/v1/agents/:id/keys' },
  createAgentKey: { method: 'POST', path: '/v1/agents/:id/keys' },
  revokeAgentKey: { method: 'DELETE', path: '/v1/agents/:id/keys/:key_id' },
  createOperator: { method: 'POST', path: '/v1/operators' },
  listOperators: { method: 'GET', path: '/v1/operators' },
  revokeOperator: { method: 'DELETE', path: '/v1/operators/:id' },
  rotateOperator: { method: 'POST', path: '/v1/operators/:id/rotate' },
  me: { method: 'GET', path: '/v1/me' },
  listAudit: { method: 'GET', path: '/v1/audit' },
  verifyAudit: { method: 'GET', path: '/v1/audit/verify' },
  exportAudit: { method: 'GET', path: '/v1/audit/export', raw: true },
  createBackup: { method: 'POST', path: '/v1/backups' },
  listGuardrails: { method: 'GET', path: '/v1/guardrails' },
  createGuardrail: { method: 'POST', path: '/v1/guardrails' },
  getGuardrail: { method: 'GET', path: '/v1/guardrails/:id' },
  listGuardrailVersions: { method: 'GET', path: '/v1/guardrails/:id/versions' },
  updateGuardrail: { method: 'PATCH', path: '/v1/guardrails/:id' },
  deleteGuardrail: { method: 'DELETE', path: '/v1/guardrails/:id' },
  createStarterGuardrail: { method: 'POST', path: '/v1/guardrails/starter' },
  evaluateGuardrails: { method: 'POST', path: '/v1/guardrails/evaluate' },
  listTools: { method: 'GET', path: '/v1/tools' },
  createTool: { method: 'POST', path: '/v1/tools' },
  listToolPolicies: { method: 'GET', path: '/v1/tool-policies' },
  createToolPolicy: { method: 'POST', path: '/v1/tool-policies' },
  getToolPolicy: { method: 'GET', path: '/v1/tool-policies/:id' },
  updateToolPolicy: { method: 'PATCH', path: '/v1/tool-policies/:id' },
  deleteToolPolicy: { method: 'DELETE', path: '/v1/tool-policies/:id' },
  listRoleOverrides: { method: 'GET', path: '/v1/role-policy-overrides' },
  createRoleOverride: { method: 'POST', path: '/v1/role-policy-overrides' },
  deleteRoleOverride: { method: 'DELETE', path: '/v1/role-policy-overrides/:id' },
  getGovernanceSettings: { method: 'GET', path: '/v1/settings/governance' },
  updateGovernanceSettings: { method: 'PATCH', path: '/v1/settings/governance' },
  getQuota: { method: 'GET', path: '/v1/quota' },
  updateQuota: { method: 'PATCH', path: '/v1/quota' },
  listBudgets: { method: 'GET', path: '/v1/budgets' },
  getBudget: { method: 'GET', path: '/v1/budgets/:scope/:scope_id' },
  listBudgetPeriods: { method: 'GET', path: '/v1/budgets/:scope/:scope_id/periods' },
  setBudget: { method: 'POST', path: '/v1/budgets' },
  pauseBudget: { method: 'POST', path: '/v1/budgets/:scope/:scope_id/pause' },
  resumeBudget: { method: 'POST', path: '/v1/budgets/:scope/:scope_id/resume' },
  deleteBudget: { method: 'DELETE', path: '/v1/budgets/:scope/:scope_id' },
  recordSpend: { method: 'POST', path: '/v1/spend' },
  listSpend: { method: 'GET', path: '/v1/spend' },
  getKillSwitch: { method: 'GET', path: '/v1/kill-switch' },
  setKillSwitch: { method: 'POST', path: '/v1/kill-switch' },
  spendReport: { method: 'GET', path: '/v1/reports/spend' },
  createMission: { method: 'POST', path: '/v1/missions' },
  listMissions: { method: 'GET', path: '/v1/missions' },
  updateMission: { method: 'PATCH', path: '/v1/missions/:id' },
  createAction: { method: 'POST', path: '/v1/actions' },
  listActions: { method: 'GET', path: '/v1/actions' },
  getAction: { method: 'GET', path: '/v1/actions/:id' },
  completeAction: { method: 'POST', path: '/v1/actions/:id/complete' },
  withdrawAction: { method: 'POST', path: '/v1/actions/:id/withdraw' },
  getReceipt: { method: 'GET', path: '/v1/receipts/:id' },
  evaluate: { method: 'POST', path: '/v1/evaluate' },
  listApprovals: { method: 'GET', path: '/v1/approvals' },
  getApproval: { method: 'GET', path: '/v1/approvals/:id' },
  waitApproval: { method: 'GET', path: '/v1/approvals/:id/wait' },
  decideApproval: { method: 'POST', path: '/v1/approvals/:id/decision' },
  grantOptions: { method: 'GET', path: '/v1/approvals/:id/grant-options' },
  undoDecision: { method: 'POST', path: '/v1/approvals/:id/undo' },
  requestDelegation: { method: 'POST', path: '/v1/delegation-approvals' },
  listGrants: { method: 'GET', path: '/v1/grants' },
  revokeGrant: { method: 'DELETE', path: '/v1/grants/:id' },
  approvalHistory: { method: 'GET', path: '/v1/approval-history' },
  governanceReport: { method: 'GET', path: '/v1/reports/governance' },
  approvalsReport: { method: 'GET', path: '/v1/reports/approvals' },
} as const satisfies { [N in RouteName]: RouteEntry };
