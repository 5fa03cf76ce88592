/**
 * Enforcement: the check endpoint, default closed for governed resources, and the pipeline's
 * gates layer — BLOCK before review, ALLOW after clearance, BLOCK again when the policy gains a
 * stage, until its new gate passes. Also resource types and the metrics rollup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { onePolicy, securityPolicy } from './fixtures.js';

let t: TestApp;
let reviewer: string;

beforeAll(async () => {
  t = await startTestApp();
  await t.api(t.op).call('createGuardrail', { body: { name: 'allow-all', rules: [{ tool: '*', decision: 'ALLOW' }] } });
  await t.api(t.op).call('updateQuota', { body: { concurrent_executions: 1000 } });
  reviewer = (await t.api(t.op).call('createOperator', { body: { name: 'reviewer' } })).token as string;
});
afterAll(async () => {
  await t.close();
});

const ask = async (key: string, tool: string) => t.api(key).call('createAction', { body: { tool } });
const check = (type: string, id: string) => t.api(t.op).call('enforcementCheck', { query: { resource_type: type, resource_id: id } });

async function pass(solutionId: string, policyId: string, gate: string, data: Record<string, unknown> = {}) {
  const sub = await t.api(t.op).call('submitGate', { params: { id: solutionId, gate_id: gate }, body: { policy_id: policyId, data } });
  return t.api(reviewer).call('decideGateSubmission', { params: { id: sub.id }, body: { decision: 'approved' } });
}

describe('the enforcement check', () => {
  it('allows what no active policy governs, and closes a governed resource no solution holds', async () => {
    expect(await check('connector', 'stripe')).toMatchObject({ allowed: true, governed: false, blocking: [] });
    const policy = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['connector'], { name: 'Connectors' }) });
    const closed = await check('connector', 'stripe');
    expect(closed).toMatchObject({ allowed: false, governed: true, solution_id: null });
    expect(closed.blocking).toEqual([expect.objectContaining({ policy_id: policy.id, policy_name: 'Connectors', status: 'missing', solution_id: null })]);
    // A draft or inactive policy gates nothing.
    await t.api(t.op).call('updateGatePolicy', { params: { id: policy.id }, body: { is_draft: true } });
    expect((await check('connector', 'stripe')).allowed).toBe(true);
    await t.api(t.op).call('updateGatePolicy', { params: { id: policy.id }, body: { is_draft: false, is_active: false } });
    expect((await check('connector', 'stripe')).allowed).toBe(true);
    expect((await t.raw('GET', '/v1/enforcement/check?resource_type=connector', { key: t.op })).status).toBe(400);
  });

  it('lists the resource types', async () => {
    const types = await t.api(t.op).call('listResourceTypes');
    expect(types.map((r) => r.id)).toEqual(expect.arrayContaining(['agent', 'workflow', 'tool', 'mcp_server', 'connector', 'model', 'prompt', 'skill', 'mission', 'project', 'code_session']));
    expect(types.find((r) => r.id === 'mcp_server')?.label).toBe('MCP server');
  });
});

describe('the gates layer of the decision pipeline', () => {
  it('blocks an MCP server under review, allows it once cleared, and blocks again when the policy gains a stage', async () => {
    const agent = await t.agent('fs-agent');
    expect((await ask(agent.key, 'mcp.filesystem.read_file')).decision).toBe('ALLOW');

    const policy = await t.api(t.op).call('createGatePolicy', { body: securityPolicy() });
    const before = await ask(agent.key, 'mcp.filesystem.read_file');
    expect(before).toMatchObject({ decision: 'BLOCK', block_code: 'gate_pending', status: 'blocked' });
    expect(before.explanation).toBe('mcp_server filesystem needs MCP security review and no solution holds it');
    // Other tools are not governed.
    expect((await ask(agent.key, 'llm.call')).decision).toBe('ALLOW');

    const sol = await t.api(t.op).call('createSolution', { body: { name: 'filesystem', resources: [{ type: 'mcp_server', id: 'filesystem' }] } });
    const waiting = await ask(agent.key, 'mcp.filesystem.read_file');
    expect(waiting.explanation).toBe('mcp_server filesystem is waiting for Security review (stage 1 of 2)');
    const receipt = await t.api(t.op).call('getReceipt', { params: { id: waiting.receipt_id } });
    expect(receipt.layers.find((l) => l.layer === 'gates')?.gates).toEqual([
      expect.objectContaining({ policy_id: policy.id, policy_name: 'MCP security', stage_id: 'security', stage_position: 1, stage_count: 2, gate_id: 'sec', status: 'missing', solution_id: sol.id }),
    ]);

    await pass(sol.id, policy.id, 'sec');
    expect((await ask(agent.key, 'mcp.filesystem.read_file')).explanation).toBe('mcp_server filesystem is waiting for Legal sign-off (stage 2 of 2)');
    await pass(sol.id, policy.id, 'legal-check', { answers: { dpa: 'signed' } });
    const after = await ask(agent.key, 'mcp.filesystem.read_file');
    expect(after).toMatchObject({ decision: 'ALLOW', status: 'allowed' });
    expect(after.layers.find((l) => l.layer === 'gates')?.detail).toContain('passed its review');

    // The policy gains a third stage: the server is closed again until it passes.
    const stages = [...policy.stages, { id: 'privacy', name: 'Privacy review', gates: [{ id: 'dpo', type: 'approval' as const }] }];
    await t.api(t.op).call('updateGatePolicy', { params: { id: policy.id }, body: { stages } });
    expect((await t.api(t.op).call('getSolution', { params: { id: sol.id } })).status).toBe('in_review');
    const again = await ask(agent.key, 'mcp.filesystem.read_file');
    expect(again).toMatchObject({ decision: 'BLOCK', block_code: 'gate_pending' });
    expect(again.explanation).toBe('mcp_server filesystem is waiting for Privacy review (stage 3 of 3)');
    await pass(sol.id, policy.id, 'dpo');
    expect((await ask(agent.key, 'mcp.filesystem.read_file')).decision).toBe('ALLOW');

    // Deleting the solution closes the server again.
    await t.raw('DELETE', `/v1/solutions/${sol.id}`, { key: t.op });
    expect((await ask(agent.key, 'mcp.filesystem.read_file')).block_code).toBe('gate_pending');
    await t.raw('DELETE', `/v1/gate-policies/${policy.id}`, { key: t.op });
    expect((await ask(agent.key, 'mcp.filesystem.read_file')).decision).toBe('ALLOW');
  });

  it('gates a new agent before its first action, and an action’s resource', async () => {
    const agentPolicy = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['agent', 'model'], { name: 'Onboarding' }) });
    const agent = await t.agent('newcomer');
    const first = await ask(agent.key, 'llm.call');
    expect(first).toMatchObject({ decision: 'BLOCK', block_code: 'gate_pending' });
    expect(first.explanation).toBe('agent newcomer needs Onboarding review and no solution holds it');
    const sol = await t.api(agent.key).call('createSolution', { body: { name: 'onboard me', resources: [{ type: 'model', id: 'gpt-x' }] } });
    await pass(sol.id, agentPolicy.id, 'ok');
    expect((await ask(agent.key, 'llm.call')).decision).toBe('ALLOW');
    const withModel = await t.api(agent.key).call('createAction', { body: { tool: 'llm.call', resource: { type: 'model', id: 'gpt-y' } } });
    expect(withModel.explanation).toBe('model gpt-y needs Onboarding review and no solution holds it');
    await t.raw('DELETE', `/v1/gate-policies/${agentPolicy.id}`, { key: t.op });
  });

  it('an approval released after its resource came under review is blocked at release', async () => {
    await t.api(t.op).call('createGuardrail', { body: { name: 'ask-github', rules: [{ tool: 'mcp.github.*', decision: 'ALERT' }] } });
    const agent = await t.agent('asker');
    const asked = await ask(agent.key, 'mcp.github.create_issue');
    expect(asked.status).toBe('pending_approval');
    const policy = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['mcp_server'], { name: 'Servers' }) });
    await t.api(t.op).call('decideApproval', { params: { id: asked.approval_id! }, body: { decision: 'allow_once' } });
    const released = await t.api(t.op).call('getAction', { params: { id: asked.id } });
    expect(released).toMatchObject({ status: 'blocked', block_code: 'gate_pending' });
    await t.raw('DELETE', `/v1/gate-policies/${policy.id}`, { key: t.op });
  });

  it('the workflow-run start asks the same check', async () => {
    const policy = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['workflow'], { name: 'Workflows' }) });
    expect(t.app.services.gates.check('workflow', 'wf_deploy')).toMatchObject({ allowed: false, governed: true });
    const sol = await t.api(t.op).call('createSolution', { body: { name: 'deploy wf', resources: [{ type: 'workflow', id: 'wf_deploy' }] } });
    await pass(sol.id, policy.id, 'ok');
    expect(t.app.services.gates.check('workflow', 'wf_deploy')).toMatchObject({ allowed: true, solution_id: sol.id });
    await t.raw('DELETE', `/v1/gate-policies/${policy.id}`, { key: t.op });
  });
});

describe('metrics', () => {
  it('roll up policies, solutions, submissions, reviews and blocked actions', async () => {
    const policy = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['skill'], { name: 'Skills', severity: 'critical' }) });
    const passed = await t.api(t.op).call('createSolution', { body: { name: 'skill a', resources: [{ type: 'skill', id: 'a' }] } });
    await pass(passed.id, policy.id, 'ok');
    const waiting = await t.api(t.op).call('createSolution', { body: { name: 'skill b', resources: [{ type: 'skill', id: 'b' }] } });
    await t.api(t.op).call('submitGate', { params: { id: waiting.id, gate_id: 'ok' }, body: { policy_id: policy.id } });
    const m = await t.api(t.op).call('gateMetrics');
    expect(m.policies).toMatchObject({ active: 1, by_severity: expect.objectContaining({ critical: 1 }) });
    expect(m.solutions.by_status).toMatchObject({ approved: 1, in_review: 1 });
    expect(m.submissions.by_status).toMatchObject({ approved: 1, submitted: 1 });
    expect(m.pending_reviews).toBe(1);
    expect(m.waivers).toBe(0);
    expect(m.object).toBe('gate_metrics');
    expect(m.policies.inactive).toBe(1);
    expect(m.blocked_actions_last_7_days).toBeGreaterThanOrEqual(6);
    expect(m.median_time_to_decision_minutes).not.toBeNull();
    expect(Object.keys(m.solutions.by_status).sort()).toEqual(['approved', 'approved_with_conditions', 'draft', 'in_review', 'rejected']);
    const agent = await t.agent('no-metrics');
    expect((await t.raw('GET', '/v1/gates/metrics', { key: agent.key })).status).toBe(403);
  });
});
