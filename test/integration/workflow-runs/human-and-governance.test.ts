/**
 * Human steps in the Inbox (allow records human_approval per operator and advances, deny keeps
 * the state with its reason, expiry is its own outcome), SSE announcements, and runs under
 * governance: the kill-switch, a paused budget and a disabled agent stop starts and steps; a
 * run's start counts against the hourly quota; a guardrail ALERT on the start makes it wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import type { WorkflowDefinitionInput } from '../../../shared/workflows/definition.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

const review: WorkflowDefinitionInput = {
  name: 'review-flow',
  input_schema: { type: 'object', required: ['service'], properties: { service: { type: 'string' } } },
  initial_state: 'draft',
  states: {
    draft: {
      transitions: {
        request_review: { target: 'approved', executor: { kind: 'human', queue: 'releases', prompt: 'Review release of {{input.service}}' } },
      },
    },
    approved: {
      transitions: { ship: { target: 'shipped', guards: [{ kind: 'evidence', requires: [{ kind: 'human_approval', count: 1 }] }] } },
    },
    shipped: { terminal: true },
  },
};

let t: TestApp;
let clock: ManualClock;
let agent: { id: string; key: string };
const events: { type: string; data: unknown }[] = [];

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  t = await startTestApp({ clock });
  await t.api(t.op).answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  agent = await t.agent('reviewer-bot');
  deployWorkflow(t.app, review);
  t.app.bus.subscribe((e) => events.push({ type: e.type, data: e.data }));
}, 60_000);
afterAll(() => t.close());

async function requestReview(): Promise<WorkflowRun> {
  const run = await t.api(agent.key).answer('startWorkflowRun', { params: { name: 'review-flow' }, body: { input: { service: 'billing' } } });
  const waiting = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: run.body.id, transition: 'request_review' }, body: {} });
  return waiting.body;
}

describe('human executor', () => {
  it('opens a workflow_step approval in the Inbox with its queue and rendered prompt; the run waits', async () => {
    const run = await requestReview();
    expect(run).toMatchObject({ status: 'waiting', state: 'draft', pending_transition: 'request_review', links: [] });
    const approval = await t.api(t.op).answer('getApproval', { params: { id: run.waiting_approval_id! } });
    expect(approval.body).toMatchObject({ kind: 'workflow_step', status: 'pending', workflow_run_id: run.id, queue: 'releases', prompt: 'Review release of billing', agent_id: agent.id, grantable: false });
    const inbox = await t.api(t.op).answer('listApprovals', { query: { status: 'pending', kind: 'workflow_step' } });
    expect(inbox.body.data.map((a) => a.id)).toContain(run.waiting_approval_id);
    expect(events.some((e) => e.type === 'workflow_run.waiting' && (e.data as { approval_id: string }).approval_id === run.waiting_approval_id)).toBe(true);
  });

  it('allow records human_approval evidence with the operator and fires the transition', async () => {
    const run = await requestReview();
    const decided = await t.api(t.op).answer('decideApproval', { params: { id: run.waiting_approval_id! }, body: { decision: 'allow_once' } });
    const operatorId = decided.body.decisions[0]!.operator;
    const after = (await t.api(agent.key).answer('getWorkflowRun', { params: { id: run.id } })).body;
    expect(after).toMatchObject({ status: 'active', state: 'approved', waiting_approval_id: null });
    expect(after.evidence).toEqual([expect.objectContaining({ kind: 'human_approval', operator_id: operatorId, recorded_by: `operator:${operatorId}` })]);
    expect(after.links.map((l) => l.transition)).toEqual(['ship']);
    // The allow moved the run on at once: undo says so and changes nothing.
    const undo = await t.raw('POST', `/v1/approvals/${run.waiting_approval_id!}/undo`, { key: t.op });
    expect(undo.status).toBe(409);
    expect(errorBody(undo.body).error.message).toContain(`moved run ${run.id} on`);
    expect((await t.api(agent.key).answer('getWorkflowRun', { params: { id: run.id } })).body.state).toBe('approved');
    const shipped = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: run.id, transition: 'ship' }, body: {} });
    expect(shipped.body.status).toBe('completed');
    expect(events.some((e) => e.type === 'workflow_run.changed' && (e.data as WorkflowRun).id === run.id && (e.data as WorkflowRun).status === 'completed')).toBe(true);
  });

  it('deny keeps the state and records the reason; the step can be asked again', async () => {
    const run = await requestReview();
    await t.api(t.op).answer('decideApproval', { params: { id: run.waiting_approval_id! }, body: { decision: 'deny', comment: 'missing changelog' } });
    const after = (await t.api(agent.key).answer('getWorkflowRun', { params: { id: run.id } })).body;
    expect(after).toMatchObject({ status: 'active', state: 'draft', reason: 'denied: missing changelog', evidence: [] });
    const history = (await t.api(agent.key).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data;
    expect(history.find((h) => h.kind === 'approval_resolved')?.data).toMatchObject({ outcome: 'denied', reason: 'missing changelog' });
    const again = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: run.id, transition: 'request_review' }, body: {} });
    expect(again.body.status).toBe('waiting');
  });

  it('expiry is its own outcome: the state stays, the reason says it expired', async () => {
    const run = await requestReview();
    clock.advance(48 * 3_600_000);
    t.app.services.approvals.expireDue();
    const after = (await t.api(agent.key).answer('getWorkflowRun', { params: { id: run.id } })).body;
    expect(after).toMatchObject({ status: 'active', state: 'draft', reason: 'the approval expired' });
    const history = (await t.api(agent.key).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data;
    expect(history.find((h) => h.kind === 'approval_resolved')?.data).toMatchObject({ outcome: 'expired' });
  });

  it('cancelling a waiting run withdraws its approval', async () => {
    const run = await requestReview();
    await t.api(t.op).answer('cancelWorkflowRun', { params: { id: run.id }, body: { reason: 'superseded' } });
    const approval = await t.api(t.op).answer('getApproval', { params: { id: run.waiting_approval_id! } });
    expect(approval.body.status).toBe('expired');
    expect((await t.api(t.op).answer('getWorkflowRun', { params: { id: run.id } })).body.status).toBe('cancelled');
  });
});

describe('governance of runs', () => {
  it('the kill-switch stops starts and steps; released, they go on', async () => {
    const run = (await t.api(agent.key).answer('startWorkflowRun', { params: { name: 'review-flow' }, body: { input: { service: 'x' } } })).body;
    await t.api(t.op).answer('setKillSwitch', { body: { engaged: true, reason: 'incident' } });
    const step = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, { key: agent.key, body: {} });
    expect(step.status).toBe(409);
    expect(errorBody(step.body).error.message).toMatch(/cannot step/);
    const start = await t.raw('POST', '/v1/workflows/review-flow/runs', { key: agent.key, body: { input: { service: 'x' } } });
    expect(start.status).toBe(409);
    expect(errorBody(start.body).error.message).toMatch(/cannot start/);
    await t.api(t.op).answer('setKillSwitch', { body: { engaged: false } });
    expect((await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, { key: agent.key, body: {} })).status).toBe(200);
  });

  it('a paused agent budget and a disabled agent stop steps', async () => {
    const other = await t.agent('paused-bot');
    const run = (await t.api(other.key).answer('startWorkflowRun', { params: { name: 'review-flow' }, body: { input: { service: 'x' } } })).body;
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: other.id, limit_usd_cents: 1000 } });
    await t.api(t.op).answer('pauseBudget', { params: { scope: 'agent', scope_id: other.id }, body: { reason: 'hold' } });
    const paused = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, { key: other.key, body: {} });
    expect(paused.status).toBe(409);
    await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: other.id }, body: {} });
    await t.api(t.op).answer('updateAgent', { params: { id: other.id }, body: { status: 'disabled' } });
    const disabled = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, { key: t.op, body: {} });
    expect(disabled.status).toBe(409);
  });

  it('the start-check hook (gates) can refuse a workflow\'s starts; a throwing check refuses too', async () => {
    const governance = t.app.services.workflowRuns.governance;
    governance.startCheck = (name) => (name === 'review-flow' ? { allowed: false, reason: 'the release gate is closed' } : { allowed: true, reason: '' });
    try {
      const refused = await t.raw('POST', '/v1/workflows/review-flow/runs', { key: agent.key, body: { input: { service: 'x' } } });
      expect(refused.status).toBe(409);
      expect(errorBody(refused.body).error.message).toMatch(/the release gate is closed/);
      governance.startCheck = () => {
        throw new Error('boom');
      };
      expect((await t.raw('POST', '/v1/workflows/review-flow/runs', { key: agent.key, body: { input: { service: 'x' } } })).status).toBe(409);
    } finally {
      governance.startCheck = () => ({ allowed: true, reason: '' });
    }
  });

  it('each start counts against the hourly quota', async () => {
    const quota = await t.agent('quota-bot');
    await t.api(t.op).answer('updateQuota', { body: { agent_id: quota.id, runs_per_hour: 2 } });
    const starts = [];
    for (let i = 0; i < 3; i++) starts.push(await t.raw('POST', '/v1/workflows/review-flow/runs', { key: quota.key, body: { input: { service: 'x' } } }));
    expect(starts.map((s) => s.status)).toEqual([201, 201, 409]);
    expect((starts[2]!.body as { error: { details: { block_code: string } } }).error.details.block_code).toBe('quota_exceeded');
  });

  it('a guardrail ALERT on workflow:NAME makes the start ask first: the run waits, then enters its first state', async () => {
    deployWorkflow(t.app, { ...review, name: 'asked-flow' });
    await t.api(t.op).answer('createGuardrail', { body: { name: 'ask-asked-flow', rules: [{ tool: 'workflow:asked-flow', decision: 'ALERT' }] } });
    const run = (await t.api(agent.key).answer('startWorkflowRun', { params: { name: 'asked-flow' }, body: { input: { service: 'x' } } })).body;
    expect(run).toMatchObject({ status: 'waiting', state: 'draft' });
    const approval = await t.api(t.op).answer('getApproval', { params: { id: run.waiting_approval_id! } });
    expect(approval.body).toMatchObject({ kind: 'action', action: { tool: 'workflow:asked-flow' } });
    await t.api(t.op).answer('decideApproval', { params: { id: run.waiting_approval_id! }, body: { decision: 'allow_once' } });
    const after = (await t.api(agent.key).answer('getWorkflowRun', { params: { id: run.id } })).body;
    expect(after).toMatchObject({ status: 'active', state: 'draft' });
    expect(after.links.map((l) => l.transition)).toEqual(['request_review']);
  });

  it('the approvals report counts the approvals runs asked for, by workflow', async () => {
    const report = await t.api(t.op).answer('approvalsReport', { query: {} });
    expect(report.body.by_workflow).toEqual([
      { workflow: 'review-flow', total: 7, approved: 1, rejected: 1 },
      { workflow: 'asked-flow', total: 1, approved: 1, rejected: 0 },
    ]);
  });
});
