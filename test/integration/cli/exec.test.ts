/** `warden exec -- CMD …` against a real server: runs only when allowed, completes the action, passes exit codes through, 126 when refused. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let clock: ManualClock;
let agent: { id: string; key: string };
let env: Record<string, string>;
let dir: string;
const node = process.execPath;

const lastAction = async () => (await t.api(t.op).call('listActions', { query: { agent_id: agent.id, limit: '1' } })).data[0];
const exec = (args: string[], extraEnv: Record<string, string | undefined> = {}) => cli(['exec', ...args], { env: { ...env, ...extraEnv } });

async function pendingApproval() {
  for (let i = 0; i < 250; i++) {
    const apr = (await t.api(t.op).call('listApprovals', { query: { status: 'pending', agent_id: agent.id } })).data[0];
    if (apr) return apr;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no pending approval');
}

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  t = await startTestApp({ clock });
  agent = await t.agent('build-script');
  env = { WARDEN_URL: t.url, WARDEN_KEY: agent.key };
  dir = mkdtempSync(join(tmpdir(), 'warden-exec-'));
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'exec-tests',
    rules: [
      { tool: 'test.ok', decision: 'ALLOW' },
      { tool: 'test.capped', max_value: 10, decision: 'ALLOW' },
      { tool: 'test.ask', decision: 'ALERT' },
    ],
  } });
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('warden exec', () => {
  it('ALLOW: runs the command, passes output and exit 0 through, completes the action as succeeded', async () => {
    const r = await exec(['--tool', 'test.ok', '--', node, '-e', "console.log('hello from the child')"]);
    expect(r).toMatchObject({ code: 0, stdout: 'hello from the child\n', stderr: '' });
    const action = await lastAction();
    expect(action).toMatchObject({
      decision: 'ALLOW',
      status: 'completed',
      outcome: 'succeeded',
      action: { tool: 'test.ok', args: { command: `${node} -e 'console.log('\\''hello from the child'\\'')'`, argv: [node, '-e', "console.log('hello from the child')"] } },
    });
  });

  it("passes the child's non-zero exit code through and completes the action as failed", async () => {
    const r = await exec(['--tool', 'test.ok', '--', node, '-e', "process.stderr.write('boom\\n'); process.exit(3)"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('boom\n');
    expect(await lastAction()).toMatchObject({ status: 'completed', outcome: 'failed' });
  });

  it('a child killed by a signal exits 128+N', async () => {
    const r = await exec(['--tool', 'test.ok', '--', node, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(r.code).toBe(143);
    expect(await lastAction()).toMatchObject({ status: 'completed', outcome: 'failed' });
  });

  it('BLOCK: does not run the command, says why on stderr, exits 126', async () => {
    const marker = join(dir, 'blocked-ran');
    const r = await exec(['--tool', 'test.capped', '--value', '50', '--', node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`]);
    const action = await lastAction();
    expect(action).toMatchObject({ decision: 'BLOCK', block_code: 'constraint_failed', status: 'blocked', action: { value: 50 } });
    expect(r.code).toBe(126);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`warden: blocked test.capped: ${action!.explanation}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('ALERT then approval: waits, then runs', async () => {
    const running = exec(['--tool', 'test.ask', '--wait', '20', '--', node, '-e', "console.log('approved run')"]);
    const apr = await pendingApproval();
    expect(apr.action).toMatchObject({ tool: 'test.ask' });
    await t.api(t.op).call('decideApproval', { params: { id: apr.id }, body: { decision: 'allow_once' } });
    const r = await running;
    expect(r).toMatchObject({ code: 0, stdout: 'approved run\n' });
    expect(await t.api(t.op).call('getAction', { params: { id: apr.action_id! } })).toMatchObject({ status: 'completed', outcome: 'succeeded' });
  });

  it('ALERT then denial: 126 with the operator’s reason, nothing run', async () => {
    const marker = join(dir, 'denied-ran');
    const running = exec(['--tool', 'test.ask', '--', node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`]);
    const apr = await pendingApproval();
    await t.api(t.op).call('decideApproval', { params: { id: apr.id }, body: { decision: 'deny', comment: 'not during the freeze' } });
    const r = await running;
    expect(r.code).toBe(126);
    expect(r.stderr).toBe('warden: test.ask was denied by the operator: not during the freeze\n');
    expect(existsSync(marker)).toBe(false);
  });

  it('ALERT with no answer in --wait: 126, and the request is withdrawn so nobody can allow it late', async () => {
    const r = await exec(['--wait', '0', '--', 'echo', 'hi']);
    const action = await lastAction();
    expect(action).toMatchObject({ status: 'expired', withdrawn_at: expect.any(String), action: { tool: 'shell.exec', args: { command: 'echo hi' } } });
    expect(r.code).toBe(126);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`warden: no answer to ${action!.approval_id} for shell.exec within 0 s (request withdrawn; rerun with a longer --wait)\n`);
    const late = await t.raw('POST', `/v1/approvals/${action!.approval_id}/decision`, { key: t.op, body: { decision: 'allow_once' } });
    expect(late.status).toBe(409);
  });

  it('a command that does not exist: 127, the action completed as failed', async () => {
    const r = await exec(['--tool', 'test.ok', '--', 'warden-no-such-command-xyz']);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('warden: cannot run warden-no-such-command-xyz: command not found\n');
    expect(await lastAction()).toMatchObject({ status: 'completed', outcome: 'failed' });
  });

  it('options after the command belong to the command', async () => {
    const r = await exec(['--tool', 'test.ok', node, '-e', 'console.log(process.argv.slice(1).join(","))', '--', '--json', '-x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('--json,-x\n');
  });

  it('no key, a bad key, or Warden down: 126 and the command does not run', async () => {
    const noKey = await exec(['--', 'echo', 'hi'], { WARDEN_KEY: undefined });
    expect(noKey.code).toBe(126);
    expect(noKey.stderr).toContain('no agent key: set WARDEN_KEY');
    const badKey = await exec(['--', 'echo', 'hi'], { WARDEN_KEY: 'wk_agent_nope' });
    expect(badKey.code).toBe(126);
    expect(badKey.stderr).toContain('(unauthenticated)');
    const down = await exec(['--', 'echo', 'hi'], { WARDEN_URL: 'http://127.0.0.1:1' });
    expect(down).toMatchObject({ code: 126, stdout: '' });
    expect(down.stderr).toBe('warden: cannot reach Warden at http://127.0.0.1:1 — start it with `warden serve` or the desktop app; not running echo hi\n');
  });

  it('a command line too large to send whole: 126, never shortened, nothing asked, nothing run', async () => {
    const marker = join(dir, 'too-large-ran');
    const before = await lastAction();
    const pad = Array.from({ length: 3 }, () => 'x'.repeat(100 * 1024)); // 600 KiB as command + argv; each under the OS's per-argument limit
    const r = await exec(['--tool', 'test.ok', '--', node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`, ...pad]);
    expect(r).toMatchObject({ code: 126, stdout: '' });
    expect(r.stderr).toMatch(/^warden: the command is too large for Warden to evaluate \(\d+ bytes of JSON, over the 524288-byte limit\); not running it\n$/);
    expect(existsSync(marker)).toBe(false);
    expect((await lastAction())!.id).toBe(before!.id);
  });

  it('an agent key without approvals:read: 126, and the hint names the scope the agent key needs, not the operator token', async () => {
    const limited = (await t.api(t.op).call('createAgentKey', { params: { id: agent.id }, body: { scopes: ['actions:write'] } })).api_key as string;
    const r = await exec(['--tool', 'test.ask', '--wait', '0', '--', 'echo', 'never'], { WARDEN_KEY: limited });
    const action = await lastAction();
    // It gave up: the request it could not wait for is withdrawn.
    expect(action).toMatchObject({ status: 'expired', withdrawn_at: expect.any(String), action: { tool: 'test.ask' } });
    expect(r).toMatchObject({ code: 126, stdout: '' });
    expect(r.stderr).toBe(
      'warden: this key lacks the approvals:read scope (insufficient_scope)' +
        ' (the agent key from WARDEN_KEY needs the approvals:read scope: issue one with `warden key create AGENT --scopes actions:write,approvals:read` and use it instead); not running echo never\n',
    );
    expect(r.stderr).not.toContain('operator');
  });

  it('no command is a usage error (2)', async () => {
    expect((await exec([])).code).toBe(2);
  });
});
