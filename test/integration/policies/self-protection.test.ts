/**
 * Warden protects itself: with a policy that allows reads and shell commands (the one docs/cli.md
 * used to recommend), no agent reaches Warden's data folder or the files that wire it, through
 * any path an agent has: a REST action, the Claude Code hook (Read, Write, Edit, Bash) and
 * `warden exec`. Also: the hostile patterns that used to freeze the server answer at once.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let agent: { id: string; key: string };
let stateDir: string;
let env: Record<string, string>;
let n = 0;

const lastAction = async () => (await t.api(t.op).call('listActions', { query: { agent_id: agent.id, limit: '1' } })).data[0];

function hookInput(tool_name: string, tool_input: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: 'sess-self-protection',
    cwd: '/home/dev/shop',
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
    tool_use_id: `toolu_self_${++n}`,
  });
}
const hook = (stdin: string) => cli(['hook', 'claude-code', '--state-dir', stateDir, '--wait', '1'], { env, stdin });

beforeAll(async () => {
  t = await startTestApp();
  stateDir = mkdtempSync(join(tmpdir(), 'warden-selfprot-'));
  agent = await t.agent('claude-code', { role: 'coder' });
  env = { WARDEN_URL: t.url, WARDEN_KEY: agent.key };
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'permissive',
    rules: [
      { tool: 'fs.read', decision: 'ALLOW' },
      { tool: 'fs.write', decision: 'ALLOW' },
      { tool: 'shell.exec', decision: 'ALLOW' },
    ],
  } });
});

afterAll(async () => {
  await t?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('built-in self-protection', () => {
  it('REST: reading the operator token is BLOCKed by the built-in rule, though a policy allows fs.read', async () => {
    const res = await t.api(agent.key).answer('createAction', { body: { tool: 'fs.read', args: { path: join(t.dataDir, 'operator.token') } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'BLOCK', status: 'blocked', block_code: 'self_protection' });
    expect(res.body.explanation).toContain('warden-data-folder');
    expect(res.body.layers[0]).toMatchObject({ layer: 'self_protection', verdict: 'BLOCK' });
    // The same policy still allows an ordinary read.
    const ok = await t.api(agent.key).answer('createAction', { body: { tool: 'fs.read', args: { path: '/home/dev/shop/README.md' } } });
    expect(ok.body.decision).toBe('ALLOW');
  });

  it('REST: the receipt names the built-in rule', async () => {
    const res = await t.api(agent.key).answer('createAction', { body: { tool: 'fs.write', args: { path: join(t.dataDir, 'warden.db') } } });
    const receipt = await t.api(t.op).call('getReceipt', { params: { id: res.body.receipt_id } });
    expect(receipt.layers[0]!.detail).toContain('warden-data-folder');
  });

  it.each([
    ['Read of the token', () => hookInput('Read', { file_path: join(t.dataDir, 'operator.token') })],
    ['Edit of the database', () => hookInput('Edit', { file_path: join(t.dataDir, 'warden.db'), old_string: 'a', new_string: 'b' })],
    ['Write of the project settings', () => hookInput('Write', { file_path: '/home/dev/shop/.claude/settings.local.json', content: '{}' })],
    ['Bash cat of the token', () => hookInput('Bash', { command: `cat ${join(t.dataDir, 'operator.token')}` })],
    ['Bash cp of the WAL', () => hookInput('Bash', { command: `cp ${join(t.dataDir, 'warden.db-wal')} /tmp/x` })],
    ['Bash sed -i on the settings', () => hookInput('Bash', { command: "sed -i 's/hook//' .claude/settings.json" })],
  ])('hook: %s → deny, naming the built-in rule', async (_name, input) => {
    const r = await hook(input());
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hookSpecificOutput.permissionDecision).toBe('deny');
    const action = await lastAction();
    expect(action).toMatchObject({ decision: 'BLOCK', block_code: 'self_protection' });
  });

  it('warden exec: cat of the token is refused (126) and does not run', async () => {
    const marker = join(stateDir, 'ran');
    const r = await cli(['exec', '--', 'sh', '-c', `cat ${join(t.dataDir, 'operator.token')} > ${marker}`], { env });
    expect(r.code).toBe(126);
    expect(existsSync(marker)).toBe(false);
    expect(await lastAction()).toMatchObject({ decision: 'BLOCK', block_code: 'self_protection' });
  });
});

describe('patterns match in linear time', () => {
  it('the dry run with a many-star tool glob answers (it froze the server before)', async () => {
    const res = await t.api(agent.key).answer('evaluateGuardrails', {
      body: { action: { tool: 'a'.repeat(128) }, policies: [{ rules: [{ tool: '*a*a*a*a*a*a*a*a*a*b', decision: 'ALLOW' }] }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('ALERT');
  });

  it('a pattern with too many stars is refused with its param', async () => {
    const res = await t.raw('POST', '/v1/guardrails/evaluate', {
      key: agent.key,
      body: { action: { tool: 'x' }, policies: [{ rules: [{ tool: `${'*a'.repeat(20)}*`, decision: 'ALLOW' }] }] },
    });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('policies[0].rules[0].tool');
  });

  it('a folder grant against the largest path an action may carry answers (the matcher itself is tested on 1 MB in the unit tests)', async () => {
    await t.api(t.op).call('createGuardrail', { body: { name: 'ask-writes', rules: [{ tool: 'doc.write', decision: 'ALERT' }] } });
    const first = await t.api(agent.key).answer('createAction', { body: { tool: 'doc.write', args: { path: '/repo/src/a.ts' } } });
    await t.api(t.op).call('decideApproval', { params: { id: first.body.approval_id! }, body: { decision: 'allow_always', grant: { args_pattern: { path: '*/src/*.ts' } } } });
    // args are limited to 64 KiB: the longest path that still reaches the grant matcher.
    const huge = await t.api(agent.key).answer('createAction', { body: { tool: 'doc.write', args: { path: '/src/'.repeat(12_000) } } });
    expect(huge.status).toBe(200);
    expect(huge.body.decision).toBe('ALERT');
  });
});
