/**
 * An `action` step on a tool of a registered MCP server that the pipeline ALERTs: the run waits on
 * the approval, and the tool is called only once an operator allows it (after that commit, from
 * the outbox); a denial fails the step and the tool is never called.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { waitUntil } from '../../support/wait.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

const classifier = fileURLToPath(new URL('../../fixtures/workflows/expense-classifier-mcp.mjs', import.meta.url));

/** Classifies on entering `classifying`; `done` once the classifier's verdict is in context. */
const FLOW = {
  name: 'classify-after-ask',
  initial_state: 'classifying',
  states: {
    classifying: {
      on_enter: {
        executor: { kind: 'action' as const, tool: 'mcp.classifier.classify_expense', connector: 'classifier', args: { amount: 10 } },
        output: { verdict: '$.output' },
      },
      transitions: { finish: { target: 'done' } },
    },
    done: { terminal: true },
  },
};

let t: TestApp;
let agent: { id: string; key: string };
const calls = join(mkdtempSync(join(tmpdir(), 'warden-mcp-calls-')), 'calls.log');

beforeAll(async () => {
  t = await startTestApp();
  const op = t.api(t.op);
  // The classifier appends a line to CLASSIFIER_CALLS on every call.
  await op.call('createMcpServer', { body: { name: 'classifier', command: process.execPath, args: [classifier], env: { CLASSIFIER_CALLS: calls } } });
  await op.answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  await op.answer('createGuardrail', { body: { name: 'ask-classifier', rules: [{ tool: 'mcp.classifier.classify_expense', decision: 'ALERT' }] } });
  deployWorkflow(t.app, FLOW);
  agent = await t.agent('classify-bot');
}, 60_000);
afterAll(() => t.close());

const read = (id: string) => t.api(t.op).answer('getWorkflowRun', { params: { id } }).then((r) => r.body);
const callCount = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);

async function startWaiting(): Promise<WorkflowRun> {
  const started = await t.api(agent.key).answer('startWorkflowRun', { params: { name: FLOW.name }, body: { input: {} } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return waitUntil(() => read(started.body.id), (r: WorkflowRun) => r.waiting_approval_id !== null);
}

describe('an MCP action step that asks first', () => {
  it('calls the tool only after the operator allows it, and its result is the output', async () => {
    const before = callCount();
    const waiting = await startWaiting();
    expect(waiting.status).toBe('waiting');
    expect(callCount()).toBe(before);

    const decided = await t.api(t.op).answer('decideApproval', { params: { id: waiting.waiting_approval_id! }, body: { decision: 'allow_once' } });
    expect(decided.status).toBe(200);
    const after = await waitUntil(() => read(waiting.id), (r: WorkflowRun) => r.status !== 'waiting');
    expect(after).toMatchObject({ state: 'classifying', status: 'active', context: { verdict: { policyOk: true, requiresFinance: false } } });
    expect(after.evidence.map((e) => e.kind)).toEqual(['action_allowed']);
    expect(callCount()).toBe(before + 1);
  });

  it('never calls the tool when the operator denies it; the step fails', async () => {
    const before = callCount();
    const waiting = await startWaiting();
    await t.api(t.op).answer('decideApproval', { params: { id: waiting.waiting_approval_id! }, body: { decision: 'deny', comment: 'not now' } });
    const after = await waitUntil(() => read(waiting.id), (r: WorkflowRun) => r.status !== 'waiting');
    expect(after.status).toBe('failed');
    expect(callCount()).toBe(before);
  });
});
