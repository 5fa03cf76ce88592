/**
 * The `action` executor: a governed action submitted through the six-layer pipeline as the run's
 * agent. ALLOW: the step proceeds (the action is completed at once, output the action); ALERT:
 * the run waits on the approval, and an allow queues the step again to proceed; BLOCK: the step
 * fails with the receipt.
 */
import type { Executor } from '../../../shared/workflows/definition.js';
import type { ActionInput } from '../../../shared/core/types.js';
import type { ExecutorResult } from '../engine.js';
import type { RunGovernance } from '../governance.js';
import type { McpToolCaller } from './mcp-call.js';

type ActionExecutor = Extract<Executor, { kind: 'action' }>;

export type ActionStepResult = ExecutorResult & { waiting_approval_id?: string };

export function actionInputOf(executor: ActionExecutor, missionId: string | null): ActionInput {
  const value = typeof executor.value === 'number' && Number.isFinite(executor.value) ? executor.value : undefined;
  return {
    tool: executor.tool,
    ...(executor.connector ? { connector: executor.connector } : {}),
    ...(executor.args ? { args: executor.args } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(executor.categories ? { categories: executor.categories } : {}),
    ...(executor.cost_estimate_usd !== undefined ? { cost_estimate_micro_usd: Math.round(executor.cost_estimate_usd * 1_000_000) } : {}),
    ...(missionId ? { mission_id: missionId } : {}),
  };
}

/** The result of an allowed action: completed now, recorded as `action_allowed` evidence. */
export function allowedResult(governance: RunGovernance, actionId: string): ExecutorResult {
  const action = governance.completeAllowed(actionId);
  const data = { action_id: action.id, receipt_id: action.receipt_id, tool: action.action.tool, decision: action.decision };
  return { ok: true, output: action, evidence: { kind: 'action_allowed', data } };
}

/** Whether an action step governs a tool of a registered MCP server, which Warden calls once allowed. */
export function callsMcpTool(executor: ActionExecutor): boolean {
  return Boolean(executor.connector && executor.tool.startsWith('mcp.'));
}

/** An allowed action: completed now; a tool of a registered MCP server is then called, its result the output. */
async function proceed(executor: ActionExecutor, actionId: string, receiptId: string, governance: RunGovernance, callMcpTool?: McpToolCaller): Promise<ExecutorResult> {
  const allowed = allowedResult(governance, actionId);
  const called = callsMcpTool(executor) && callMcpTool ? await callMcpTool(executor.connector!, executor.tool, executor.args ?? {}) : null;
  if (!called) return allowed;
  return { ...called, evidence: allowed.evidence, details: { ...called.details, action_id: actionId, receipt_id: receiptId } };
}

/**
 * The step of an action an operator allowed after its ALERT, queued again so the allowed action
 * proceeds from the outbox (a tool of a registered MCP server is called now, not before).
 */
export function resumeAllowedAction(executor: ActionExecutor, actionId: string, governance: RunGovernance, callMcpTool?: McpToolCaller): Promise<ExecutorResult> {
  const action = governance.action(actionId);
  if (action.status !== 'allowed') {
    return Promise.resolve({ ok: false, reason: `the action was ${action.status} at release${action.reason ? `: ${action.reason}` : ''}`, details: { action_id: actionId } });
  }
  return proceed(executor, actionId, action.receipt_id, governance, callMcpTool);
}

export async function runAction(
  executor: ActionExecutor,
  run: { agent_id: string; mission_id: string | null },
  governance: RunGovernance,
  callMcpTool?: McpToolCaller,
): Promise<ActionStepResult> {
  const action = await governance.submit(run.agent_id, actionInputOf(executor, run.mission_id), `agent:${run.agent_id}`);
  if (action.decision === 'ALLOW') return proceed(executor, action.id, action.receipt_id, governance, callMcpTool);
  if (action.decision === 'ALERT' && action.approval_id) {
    return { ok: false, waiting_approval_id: action.approval_id, details: { action_id: action.id, receipt_id: action.receipt_id } };
  }
  return {
    ok: false,
    reason: `the action was blocked: ${action.explanation}`,
    details: { action_id: action.id, receipt_id: action.receipt_id, block_code: action.block_code },
  };
}
