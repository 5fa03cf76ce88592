/**
 * Commit safety across a real crash. A server process (built from the same sources) commits a
 * step whose executor is queued in the outbox, and is killed with SIGKILL before the executor
 * runs (its outbox held, so the window is certain); restarted, the outbox resumes and the
 * executor runs exactly once, and a further restart runs nothing again. A REST step killed while
 * its call is in flight is called again on restart with the same Idempotency-Key, so the
 * endpoint sees one key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import { WardenClient } from '../../../shared/client.js';
import { WorkflowDefinitionSchema, type WorkflowDefinitionInput } from '../../../shared/workflows/definition.js';
import { compiledServer, tempDirs } from '../../support/compiled-server.js';
import { waitUntil } from '../../support/wait.js';

const DIST = compiledServer('wfruns-crash-test', 300_000);
const tempDir = tempDirs('warden-wf-crash-');

/** The server: deploys the workflow (first start only), prints URL and token, serves. */
const SERVER = `
const cfg = JSON.parse(process.env.WF_CHILD);
const { createApp } = await import(cfg.dist + '/electron/app.js');
const app = await createApp({ dataDir: cfg.dataDir, port: 0, rendererDir: null, timeZone: 'UTC', backups: false,
  workflowRuns: { outbox: cfg.hold ? 'hold' : 'run', folders: [cfg.dataDir], restBaseDelayMs: 10 } });
if (!app.db.prepare('SELECT 1 FROM workflows WHERE name = ?').get(cfg.definition.name)) {
  const now = new Date().toISOString();
  app.db.prepare("INSERT INTO workflows (name, latest_version, created_at, created_by, updated_at) VALUES (?, 1, ?, 'test', ?)").run(cfg.definition.name, now, now);
  app.db.prepare("INSERT INTO workflow_versions (workflow, version, source, source_format, definition_json, deployed_at, deployed_by) VALUES (?, 1, ?, 'json', ?, ?, 'test')")
    .run(cfg.definition.name, JSON.stringify(cfg.definition), JSON.stringify(cfg.definition), now);
}
const url = await app.start();
process.stdout.write(JSON.stringify({ url, token: app.operatorToken }) + '\\n');
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
`;

interface Child {
  child: ChildProcess;
  url: string;
  token: string;
}

function startServer(dataDir: string, definition: unknown, hold: boolean): Promise<Child> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
      env: { ...process.env, WF_CHILD: JSON.stringify({ dist: DIST, dataDir, definition, hold }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolvePromise({ child, ...(JSON.parse(line) as { url: string; token: string }) });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

const killed = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

async function stopGracefully(s: Child): Promise<void> {
  s.child.kill('SIGTERM');
  await killed(s.child);
}

async function prepare(s: Child): Promise<{ agentKey: string }> {
  const op = new WardenClient({ baseUrl: s.url, key: s.token });
  await op.answer('createGuardrail', { body: { name: 'allow-workflow-starts', rules: [{ tool: 'workflow:*', decision: 'ALLOW' }] } });
  const created = await op.call('createAgent', { body: { name: 'runner' } });
  return { agentKey: created.api_key };
}

async function startAndStep(s: Child, agentKey: string, name: string, transition: string): Promise<WorkflowRun> {
  const agent = new WardenClient({ baseUrl: s.url, key: agentKey });
  const run = await agent.answer('startWorkflowRun', { params: { name }, body: { input: {} } });
  const stepped = await agent.answer('takeWorkflowTransition', { params: { id: run.body.id, transition }, body: {} });
  expect(stepped.body).toMatchObject({ status: 'waiting', pending_transition: transition });
  return stepped.body;
}

const readRun = (s: Child, id: string) => new WardenClient({ baseUrl: s.url, key: s.token }).answer('getWorkflowRun', { params: { id } }).then((r) => r.body);

describe('crash between a step’s commit and its executor', () => {
  it('SIGKILL, restart: the cli executor runs exactly once', async () => {
    const dataDir = tempDir();
    const marker = join(dataDir, 'ran.txt');
    const definition = WorkflowDefinitionSchema.parse({
      name: 'crashy',
      initial_state: 'start',
      states: {
        start: { transitions: { go: { target: 'done', executor: { kind: 'cli', argv: [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'ran\\n')`] } } } },
        done: { terminal: true },
      },
    } satisfies WorkflowDefinitionInput);

    const first = await startServer(dataDir, definition, true);
    const { agentKey } = await prepare(first);
    const run = await startAndStep(first, agentKey, 'crashy', 'go');
    first.child.kill('SIGKILL');
    await killed(first.child);
    expect(existsSync(marker)).toBe(false);

    const second = await startServer(dataDir, definition, false);
    const done = await waitUntil(() => readRun(second, run.id), (r) => r.status !== 'waiting');
    expect(done).toMatchObject({ status: 'completed', state: 'done' });
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    await stopGracefully(second);

    const third = await startServer(dataDir, definition, false);
    expect((await readRun(third, run.id)).status).toBe('completed');
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    await stopGracefully(third);
  }, 120_000);

  it('SIGKILL while a REST call is in flight: called again with the same Idempotency-Key, applied once', async () => {
    const keys: string[] = [];
    let hold = true;
    let arrived: () => void = () => {};
    const firstCall = new Promise<void>((r) => (arrived = r));
    const http: Server = createServer((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      if (hold) {
        hold = false;
        arrived();
        return; // never answered: the server dies waiting
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const dataDir = tempDir();
    const definition = WorkflowDefinitionSchema.parse({
      name: 'paying',
      initial_state: 'start',
      states: { start: { transitions: { pay: { target: 'done', executor: { kind: 'rest', connection: 'payroll', path: '/pay', body: { n: 1 } } } } }, done: { terminal: true } },
    } satisfies WorkflowDefinitionInput);

    const first = await startServer(dataDir, definition, false);
    const { agentKey } = await prepare(first);
    await new WardenClient({ baseUrl: first.url, key: first.token }).answer('createConnection', {
      body: { name: 'payroll', base_url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` },
    });
    const run = await startAndStep(first, agentKey, 'paying', 'pay');
    await firstCall;
    first.child.kill('SIGKILL');
    await killed(first.child);

    const second = await startServer(dataDir, definition, false);
    const done = await waitUntil(() => readRun(second, run.id), (r) => r.status !== 'waiting');
    expect(done).toMatchObject({ status: 'completed', state: 'done' });
    expect(keys).toHaveLength(2);
    expect(new Set(keys)).toEqual(new Set([`wf-${run.id}-2`]));
    await stopGracefully(second);
    http.close();
  }, 120_000);
});
