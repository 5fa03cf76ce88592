/** `warden approvals list|show|decide` against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cli } from './cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
let agent: { id: string; key: string };

/** With no policies every action asks: each call opens a pending approval. */
async function ask(args: Record<string, unknown>, tool = 'shell.exec') {
  const res = await t.req('POST', '/v1/actions', { key: agent.key, body: { tool, args } });
  expect(res.body.status).toBe('pending_approval');
  return res.body as { id: string; approval_id: string };
}

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  agent = await t.agent('claude-code');
});
afterAll(async () => {
  await t?.close();
});

describe('approvals commands', () => {
  it('list shows pending requests with agent, tool, args and time left; --json for scripts', async () => {
    const a = await ask({ command: 'rm -rf build/' });
    const r = await cli(['approvals', 'list'], { env });
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+AGENT\s+TOOL\s+ARGS\s+STATUS\s+EXPLANATION$/);
    expect(row).toMatch(new RegExp(`^${a.approval_id}\\s+claude-code\\s+shell\\.exec\\s+rm -rf build/\\s+pending, \\d+m\\d\\ds left\\s+\\S`));

    const json = await cli(['approvals', 'list', '--json', '--agent', 'claude-code'], { env });
    expect(json.json()).toEqual([expect.objectContaining({ id: a.approval_id, status: 'pending', action_id: a.id })]);

    const show = await cli(['approvals', 'show', a.approval_id], { env });
    expect(show.stdout).toContain('args:        {"command":"rm -rf build/"}');
  });

  it('decide allow_once / deny with a comment; the agent sees the result; deciding twice is a 409 one-liner', async () => {
    const a = await ask({ command: 'npm publish' });
    const allowed = await cli(['approvals', 'decide', a.approval_id, 'allow'], { env });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toBe(`${a.approval_id} shell.exec: approved (allow_once)\n`);
    expect((await t.req('GET', `/v1/actions/${a.id}`, { key: agent.key })).body.status).toBe('allowed');

    const again = await cli(['approvals', 'decide', a.approval_id, 'deny'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^warden: .*\(already_resolved\)\n$/);

    const b = await ask({ command: 'git push --force' });
    const denied = await cli(['approvals', 'decide', b.approval_id, 'deny', '--comment', 'no force pushes', '--json'], { env });
    expect(denied.json()).toMatchObject({ status: 'denied', decisions: [{ decision: 'deny', comment: 'no force pushes' }] });
    expect((await t.req('GET', `/v1/actions/${b.id}`, { key: agent.key })).body).toMatchObject({ status: 'denied', reason: 'no force pushes' });
  });

  it('allow_always with an args pattern creates a grant', async () => {
    const a = await ask({ command: 'npm test' }, 'shell.test');
    const r = await cli(['approvals', 'decide', a.approval_id, 'always', '--args-pattern', '{"command": "npm test*"}'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${a.approval_id} shell\\.test: approved \\(allow_always\\); grant gnt_\\S+ created\\n$`));
    const grants = await t.req('GET', '/v1/grants', { key: t.op });
    expect(grants.body.data).toEqual([expect.objectContaining({ tool: 'shell.test', args_pattern: { command: 'npm test*' } })]);
  });

  it('bad decisions and options are usage errors (2); an agent key cannot decide (1, insufficient_scope)', async () => {
    const a = await ask({ command: 'ls' });
    expect((await cli(['approvals', 'decide', a.approval_id, 'maybe'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'deny', '--args-pattern', '{}'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'always', '--args-pattern', 'nope'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'list', '--status', 'weird'], { env })).code).toBe(2);
    const asAgent = await cli(['approvals', 'decide', a.approval_id, 'allow'], { env: { WARDEN_URL: t.url, WARDEN_KEY: agent.key } });
    expect(asAgent.code).toBe(1);
    expect(asAgent.stderr).toContain('(insufficient_scope)');
    expect((await cli(['approvals', 'list', '--status', 'all', '--json'], { env })).json().length).toBeGreaterThanOrEqual(4);
  });
});
