/**
 * The reference's expense-approval example, imported with `?format=flowgate`, runs end to end:
 * its `mcp` classifier is a registered MCP server (a real stdio process), called as a governed
 * action; its `rest` payroll step calls a declared connection (a real local HTTP server) with an
 * Idempotency-Key; its human steps refuse the agent and take the operator, whose permission the
 * guards check.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { waitUntil } from '../../support/wait.js';

const expenseYaml = readFileSync(new URL('../../fixtures/workflows/expense-approval.flowgate.yaml', import.meta.url), 'utf8');
const classifier = fileURLToPath(new URL('../../fixtures/workflows/expense-classifier-mcp.mjs', import.meta.url));

let t: TestApp;
let payroll: Server;
const payments: { key: string | undefined; body: unknown }[] = [];
let agent: { id: string; key: string };

beforeAll(async () => {
  payroll = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      payments.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) as unknown });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ reimbursement_id: `rb_${payments.length}` }));
    });
  });
  await new Promise<void>((r) => payroll.listen(0, '127.0.0.1', r));
  t = await startTestApp({ workflowRuns: { restBaseDelayMs: 5 } });
  const op = t.api(t.op);
  await op.call('createMcpServer', { body: { name: 'classifier', command: process.execPath, args: [classifier] } });
  await op.answer('createConnection', { body: { name: 'payroll', base_url: `http://127.0.0.1:${(payroll.address() as AddressInfo).port}`, headers: { authorization: 'Bearer payroll-secret' } } });
  await op.answer('createGuardrail', {
    body: { name: 'expenses', rules: [{ tool: 'workflow:*', decision: 'ALLOW' }, { tool: 'mcp.classifier.classify_expense', decision: 'ALLOW' }] },
  });
  agent = await t.agent('expense-bot');
}, 60_000);
afterAll(async () => {
  await t.close();
  payroll.close();
});

const read = (id: string) => t.api(t.op).answer('getWorkflowRun', { params: { id } }).then((r) => r.body);

describe('the expense-approval example, imported', () => {
  it('imports, then runs: classify (MCP), manager approval (human), reimbursement (REST), paid', async () => {
    const imported = await t.raw('POST', '/v1/workflows?format=flowgate', { key: t.op, rawBody: expenseYaml, headers: { 'content-type': 'application/yaml' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const name = (imported.body as { name: string }).name;

    const started = await t.api(agent.key).answer('startWorkflowRun', { params: { name }, body: { input: { employee: 'ada', amount: 420, category: 'travel' } } });
    expect(started.status).toBe(201);
    // The classifier runs on entering `submitted`, after the start committed.
    const classified = await waitUntil(() => read(started.body.id), (r: WorkflowRun) => r.status !== 'waiting');
    expect(classified).toMatchObject({ state: 'submitted', status: 'active', context: { policyOk: true, requiresFinance: false } });
    // by_guards: only the transition that applies is offered.
    expect(classified.links.map((l) => l.transition)).toEqual(['to_manager']);
    expect(classified.evidence.map((e) => e.kind)).toEqual(['action_allowed']);

    const atManager = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: classified.id, transition: 'to_manager' }, body: {} });
    expect(atManager.body.state).toBe('manager_review');
    const byAgent = await t.raw('POST', `/v1/workflow-runs/${classified.id}/transitions/approve`, { key: agent.key, body: {} });
    expect(byAgent.status).toBe(403);
    expect(errorBody(byAgent.body).error.code).toBe('actor_mismatch');

    const approved = await t.api(t.op).answer('takeWorkflowTransition', { params: { id: classified.id, transition: 'approve' }, body: {} });
    expect(approved.body).toMatchObject({ state: 'reimbursement', status: 'waiting' });
    const reimbursed = await waitUntil(() => read(classified.id), (r: WorkflowRun) => r.status !== 'waiting');
    expect(reimbursed).toMatchObject({ state: 'reimbursement', status: 'active' });
    expect(payments).toEqual([{ key: expect.stringMatching(new RegExp(`^wf-${classified.id}-`)) as string, body: { employee: 'ada', amount: 420 } }]);
    expect(reimbursed.evidence.map((e) => e.kind)).toEqual(['action_allowed', 'rest_response']);

    const paid = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: classified.id, transition: 'mark_paid' }, body: {} });
    expect(paid.body).toMatchObject({ state: 'paid', status: 'completed' });
    expect(JSON.stringify(paid.body)).not.toContain('payroll-secret');
  });
});
