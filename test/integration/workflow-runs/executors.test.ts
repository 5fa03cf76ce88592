/**
 * Executors for real, each run from the outbox after its step committed: `cli` runs node as argv
 * in a declared folder; `rest` calls a local HTTP server through a declared connection (secret
 * headers never in run data), with an Idempotency-Key and backoff retries; `action` goes through
 * the six-layer pipeline (ALLOW proceeds, ALERT waits on its approval, BLOCK fails the step).
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import type { WorkflowDefinitionInput } from '../../../shared/workflows/definition.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { waitUntil } from '../../support/wait.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

const node = process.execPath;
const folder = realpathSync(mkdtempSync(join(tmpdir(), 'warden-wf-cwd-')));

const steps: WorkflowDefinitionInput = {
  name: 'executors',
  initial_state: 'start',
  states: {
    start: {
      transitions: {
        cli_ok: {
          target: 'done',
          executor: { kind: 'cli', argv: [node, '-e', 'process.stdout.write(JSON.stringify({ arg: process.argv[1], cwd: process.cwd() }))', '{{input.word}}'] },
          output: { printed: '$.output.stdout', code: '$.output.exit_code' },
        },
        cli_fail: { target: 'done', executor: { kind: 'cli', argv: [node, '-e', 'console.error("broken"); process.exit(3)'] } },
        cli_slow: { target: 'done', executor: { kind: 'cli', argv: [node, '-e', 'setTimeout(() => {}, 20000)'], timeout_ms: 300 } },
        cli_outside: { target: 'done', executor: { kind: 'cli', argv: [node, '-e', '1'], cwd: tmpdir() } },
        rest_ok: { target: 'done', executor: { kind: 'rest', connection: 'payroll', path: '/pay', body: { who: '$.workflow.input.word', note: 'for {{input.word}}' } }, output: { paid_id: '$.output.id' } },
        rest_flaky: { target: 'done', executor: { kind: 'rest', connection: 'payroll', path: '/flaky', max_attempts: 4 } },
        rest_down: { target: 'done', executor: { kind: 'rest', connection: 'payroll', path: '/down', max_attempts: 2 } },
        rest_unknown: { target: 'done', executor: { kind: 'rest', connection: 'nowhere', path: '/x' } },
        act_allow: { target: 'done', executor: { kind: 'action', tool: 'deploy.allowed', args: { service: '$.workflow.input.word' } }, output: { completed_at: '$.output.completed_at' } },
        act_alert: { target: 'done', executor: { kind: 'action', tool: 'deploy.asked' } },
        act_block: { target: 'done', executor: { kind: 'action', tool: 'deploy.blocked' } },
      },
    },
    done: { terminal: true },
  },
};

let t: TestApp;
let agent: { id: string; key: string };
let http: Server;
const seen: { path: string; key: string | undefined; auth: string | undefined; body: string }[] = [];
let flakyCalls = 0;

beforeAll(async () => {
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined, auth: req.headers.authorization, body });
      if (req.url === '/down') return res.writeHead(503).end('down');
      if (req.url === '/flaky' && ++flakyCalls < 3) return res.writeHead(500).end('try again');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `pay_${seen.length}`, echo: body }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t = await startTestApp({ workflowRuns: { folders: [folder], restBaseDelayMs: 5 } });
  const op = t.api(t.op);
  await op.answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  await op.answer('createGuardrail', { body: { name: 'deploys', rules: [{ tool: 'deploy.allowed', decision: 'ALLOW' }, { tool: 'deploy.blocked', decision: 'BLOCK' }] } });
  await op.answer('createConnection', { body: { name: 'payroll', base_url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, headers: { authorization: 'Bearer s3cret-token' } } });
  agent = await t.agent('runner');
  deployWorkflow(t.app, steps);
}, 60_000);
afterAll(async () => {
  await t.close();
  http.close();
});

async function runStep(transition: string, input: Record<string, unknown> = { word: 'hello' }): Promise<WorkflowRun> {
  const run = await t.api(agent.key).answer('startWorkflowRun', { params: { name: 'executors' }, body: { input } });
  const stepped = await t.api(agent.key).answer('takeWorkflowTransition', { params: { id: run.body.id, transition }, body: {} });
  expect(stepped.status).toBe(200);
  return stepped.body;
}

const settle = (id: string, until: (r: WorkflowRun) => boolean = (r) => r.status !== 'waiting') =>
  waitUntil(async () => (await t.api(t.op).answer('getWorkflowRun', { params: { id } })).body, until);

describe('cli executor', () => {
  it('runs argv without a shell in the declared folder; cli_output evidence; output into context', async () => {
    const queued = await runStep('cli_ok', { word: 'a b; rm -rf ~' });
    // The step committed first: the run waits on its executor, its state unchanged.
    expect(queued).toMatchObject({ status: 'waiting', state: 'start', pending_transition: 'cli_ok', links: [] });
    const run = await settle(queued.id);
    expect(run).toMatchObject({ status: 'completed', state: 'done', context: { code: 0 } });
    // The argument reached the command as one word: no shell split it or ran the rest.
    expect(JSON.parse(String(run.context.printed))).toEqual({ arg: 'a b; rm -rf ~', cwd: folder });
    const evidence = run.evidence.find((e) => e.kind === 'cli_output');
    expect(evidence).toMatchObject({ recorded_by: 'system', data: { exit_code: 0 } });
  });

  it('a non-zero exit fails the step: the state stays, the reason says why', async () => {
    const run = await settle((await runStep('cli_fail')).id);
    expect(run).toMatchObject({ status: 'active', state: 'start', pending_transition: null });
    expect(run.reason).toMatch(/exited with 3: broken/);
    expect(run.links.length).toBeGreaterThan(0);
  });

  it('a timeout kills the command and fails the step', async () => {
    const run = await settle((await runStep('cli_slow')).id);
    expect(run.reason).toMatch(/timed out after 300 ms/);
  });

  it('a working folder outside the declared ones is refused', async () => {
    const run = await settle((await runStep('cli_outside')).id);
    expect(run.reason).toMatch(/not inside a folder declared for workflows/);
  });
});

describe('rest executor', () => {
  it('calls the declared connection with its headers, a templated body and an Idempotency-Key; secrets stay out of run data', async () => {
    const queued = await runStep('rest_ok', { word: 'ada' });
    const run = await settle(queued.id);
    expect(run).toMatchObject({ status: 'completed', state: 'done' });
    const call = seen.find((s) => s.path === '/pay')!;
    expect(call.auth).toBe('Bearer s3cret-token');
    expect(JSON.parse(call.body)).toEqual({ who: 'ada', note: 'for ada' });
    expect(call.key).toBe(`wf-${run.id}-2`);
    expect(run.context.paid_id).toMatch(/^pay_/);
    expect(run.evidence.find((e) => e.kind === 'rest_response')).toMatchObject({ data: { status: 200, attempts: 1 } });
    const everything = JSON.stringify([run, (await t.api(t.op).answer('getWorkflowRunHistory', { params: { id: run.id } })).body, (await t.api(t.op).answer('listConnections')).body]);
    expect(everything).not.toContain('s3cret');
  });

  it('retries 5xx with backoff, the same Idempotency-Key each time', async () => {
    const run = await settle((await runStep('rest_flaky')).id);
    expect(run.status).toBe('completed');
    const calls = seen.filter((s) => s.path === '/flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(run.evidence.find((e) => e.kind === 'rest_response')?.data).toMatchObject({ attempts: 3 });
  });

  it('gives up after max_attempts; an unknown connection fails at once', async () => {
    const down = await settle((await runStep('rest_down')).id);
    expect(down).toMatchObject({ status: 'active', state: 'start' });
    expect(down.reason).toMatch(/answered 503 \(after 2 attempts\)/);
    const unknown = await settle((await runStep('rest_unknown')).id);
    expect(unknown.reason).toMatch(/no connection named nowhere/);
  });

  it('connections: header values never shown; 409 on a duplicate name; admin routes refuse agents', async () => {
    const list = await t.api(t.op).answer('listConnections');
    expect(list.body.data).toEqual([expect.objectContaining({ name: 'payroll', header_names: ['authorization'] })]);
    const dup = await t.raw('POST', '/v1/connections', { key: t.op, body: { name: 'payroll', base_url: 'http://127.0.0.1:1' } });
    expect(dup.status).toBe(409);
    expect((await t.raw('GET', '/v1/connections', { key: agent.key })).status).toBe(403);
    const bad = await t.raw('POST', '/v1/connections', { key: t.op, body: { name: 'x1', base_url: 'ftp://host' } });
    expect(errorBody(bad.body).error.param).toBe('base_url');
    const updated = await t.api(t.op).answer('createConnection', { body: { name: 'temp', base_url: 'http://127.0.0.1:9' } });
    expect(updated.status).toBe(201);
    expect((await t.api(t.op).answer('deleteConnection', { params: { name: 'temp' } })).body).toEqual({ ok: true });
    expect((await t.raw('DELETE', '/v1/connections/temp', { key: t.op })).status).toBe(404);
  });
});

describe('action executor', () => {
  it('ALLOW: the step proceeds with action_allowed evidence; output maps the completed action', async () => {
    const run = await settle((await runStep('act_allow', { word: 'api' })).id);
    expect(run).toMatchObject({ status: 'completed', state: 'done' });
    expect(run.context.completed_at).toEqual(expect.any(String));
    const evidence = run.evidence.find((e) => e.kind === 'action_allowed');
    expect(evidence?.data).toMatchObject({ tool: 'deploy.allowed', decision: 'ALLOW' });
    const action = await t.api(t.op).answer('getAction', { params: { id: String((evidence?.data as { action_id: string }).action_id) } });
    expect(action.body).toMatchObject({ agent_id: agent.id, status: 'completed', action: { tool: 'deploy.allowed', args: { service: 'api' } } });
  });

  it('ALERT: the run waits on the approval; allowing it proceeds', async () => {
    const waiting = await settle((await runStep('act_alert')).id, (r) => r.waiting_approval_id !== null);
    expect(waiting.status).toBe('waiting');
    const approval = await t.api(t.op).answer('getApproval', { params: { id: waiting.waiting_approval_id! } });
    expect(approval.body).toMatchObject({ kind: 'action', action: { tool: 'deploy.asked' } });
    await t.api(t.op).answer('decideApproval', { params: { id: waiting.waiting_approval_id! }, body: { decision: 'allow_once' } });
    const run = await settle(waiting.id, (r) => r.status !== 'waiting');
    expect(run).toMatchObject({ status: 'completed', state: 'done' });
  });

  it('ALERT denied: the step fails, the state stays', async () => {
    const waiting = await settle((await runStep('act_alert')).id, (r) => r.waiting_approval_id !== null);
    await t.api(t.op).answer('decideApproval', { params: { id: waiting.waiting_approval_id! }, body: { decision: 'deny', comment: 'not today' } });
    const run = await settle(waiting.id);
    expect(run).toMatchObject({ status: 'active', state: 'start' });
    expect(run.reason).toMatch(/denied: not today/);
  });

  it('BLOCK: the step fails with the receipt', async () => {
    const run = await settle((await runStep('act_block')).id);
    expect(run).toMatchObject({ status: 'active', state: 'start' });
    expect(run.reason).toMatch(/the action was blocked/);
    const finished = (await t.api(t.op).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data.find((h) => h.kind === 'executor_finished');
    expect(finished?.data).toMatchObject({ ok: false, receipt_id: expect.stringMatching(/^rcp_/), block_code: 'rule_blocked' });
  });
});
