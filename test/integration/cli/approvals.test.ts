/** `warden approvals list|show|decide` against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
let agent: { id: string; key: string };

/** With no policies every action asks: each call opens a pending approval. */
async function ask(args: Record<string, unknown>, tool = 'shell.exec') {
  const res = await t.api(agent.key).answer('createAction', { body: { tool, args } });
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
    // A bidi override never reaches the terminal as such: it is shown as a marker.
    const bidi = await ask({ command: 'cat invoice\u202Efdp.exe' });
    expect((await cli(['approvals', 'show', bidi.approval_id], { env })).stdout).toContain('args:        {"command":"cat invoice⟨U+202E⟩fdp.exe"}');
  });

  it('decide allow_once / deny with a comment; the agent sees the result; deciding twice is a 409 one-liner', async () => {
    const a = await ask({ command: 'npm publish' });
    const allowed = await cli(['approvals', 'decide', a.approval_id, 'allow'], { env });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toBe(`${a.approval_id} shell.exec: approved (allow_once)\n`);
    expect((await t.api(agent.key).answer('getAction', { params: { id: a.id } })).body.status).toBe('allowed');

    const again = await cli(['approvals', 'decide', a.approval_id, 'deny'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^warden: .*\(already_resolved\)\n$/);

    const b = await ask({ command: 'git push --force' });
    const denied = await cli(['approvals', 'decide', b.approval_id, 'deny', '--comment', 'no force pushes', '--json'], { env });
    expect(denied.json()).toMatchObject({ status: 'denied', decisions: [{ decision: 'deny', comment: 'no force pushes' }] });
    expect((await t.api(agent.key).answer('getAction', { params: { id: b.id } })).body).toMatchObject({ status: 'denied', reason: 'no force pushes' });
  });

  it('allow_always with an args pattern creates a grant; a wider scope on a high-risk tool needs --confirm', async () => {
    const a = await ask({ command: 'npm test' }, 'shell.test');
    const unconfirmed = await cli(['approvals', 'decide', a.approval_id, 'always', '--args-pattern', '{"command": "npm test*"}'], { env });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/high-risk tool.*grant\.confirm/);
    const r = await cli(['approvals', 'decide', a.approval_id, 'always', '--args-pattern', '{"command": "npm test*"}', '--grant-expires', 'never', '--confirm'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${a.approval_id} shell\\.test: approved \\(allow_always\\); grant gnt_\\S+ created\\n$`));
    const grants = await t.api(t.op).answer('listGrants');
    expect(grants.body.data).toEqual([expect.objectContaining({ tool: 'shell.test', args_pattern: { command: 'npm test*' }, expires_at: null })]);
  });

  it('scopes lists the proposed grants with their previews; undo takes an allow back', async () => {
    const a = await ask({ command: 'git push origin main' });
    const scopes = await cli(['approvals', 'scopes', a.approval_id], { env });
    expect(scopes.code).toBe(0);
    expect(scopes.stdout).toContain('high risk: shell.exec is a high-risk tool (shell.*); a wider scope needs --confirm');
    expect(scopes.stdout).toMatch(/^exact\s+\{"command":"git push origin main"\}\s+any\s+1 of \d+$/m);
    expect(scopes.stdout).toMatch(/^command_prefix_3\s+\{"command":"git push origin \*"\}/m);
    expect((await cli(['approvals', 'scopes', a.approval_id, '--json'], { env })).json()).toMatchObject({ object: 'grant_options', grantable: true });

    await cli(['approvals', 'decide', a.approval_id, 'always'], { env });
    const undone = await cli(['approvals', 'undo', a.approval_id], { env });
    expect(undone.code).toBe(0);
    expect(undone.stdout).toMatch(new RegExp(`^${a.approval_id}: undone; grant gnt_\\S+ revoked; request withdrawn`));
    const shown = await cli(['approvals', 'list', '--status', 'denied'], { env });
    expect(shown.stdout).toMatch(new RegExp(`${a.approval_id}.*denied \\(deny\\), undone`));
    const again = await cli(['approvals', 'undo', a.approval_id], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already undone.*\(state_conflict\)/);
  });

  it('bad decisions and options are usage errors (2); an agent key cannot decide (1, insufficient_scope)', async () => {
    const a = await ask({ command: 'ls' });
    expect((await cli(['approvals', 'decide', a.approval_id, 'maybe'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'deny', '--args-pattern', '{}'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'always', '--args-pattern', 'nope'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'always', '--max-value', '-3'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'decide', a.approval_id, 'deny', '--confirm'], { env })).code).toBe(2);
    expect((await cli(['approvals', 'list', '--status', 'weird'], { env })).code).toBe(2);
    const asAgent = await cli(['approvals', 'decide', a.approval_id, 'allow'], { env: { WARDEN_URL: t.url, WARDEN_KEY: agent.key } });
    expect(asAgent.code).toBe(1);
    expect(asAgent.stderr).toContain('(insufficient_scope)');
    expect((await cli(['approvals', 'list', '--status', 'all', '--json'], { env })).json(z.array(z.unknown())).length).toBeGreaterThanOrEqual(4);
  });
});
