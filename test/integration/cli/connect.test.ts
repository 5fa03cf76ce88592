/**
 * `warden connect claude-code` against a real server, and the hook command it writes run as
 * Claude Code runs it: through `sh -c` in a clean environment without `warden` on PATH (works),
 * with Warden's program unreachable (exit 2: Claude Code blocks), and PostToolUseFailure closing
 * failed calls so they never pile up against the concurrency quota.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeWiring, hookCommand, mergeClaudeSettings, wardenEntry } from '../../../electron/cli/claude-settings.js';
import { selfTest } from '../../../electron/cli/connect.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { buildCli, cli, repoRoot } from '../../support/cli-harness.js';

let t: TestApp;
let home: string;
let env: Record<string, string>;

/** `env -i PATH=/usr/bin:/bin … sh -c COMMAND` with `event` on stdin: Claude Code's way, minus everything else. */
function cleanShell(command: string, event: unknown, vars: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const assignments = Object.entries({ PATH: '/usr/bin:/bin', HOME: home, ...vars }).map(([k, v]) => `${k}=${v}`);
    const child = spawn('/usr/bin/env', ['-i', ...assignments, '/bin/sh', '-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a shell that never starts Node never reads stdin
    child.stdin.end(JSON.stringify(event));
  });
}

const preRead = (toolUseId: string, path = '/home/dev/shop/README.md') => ({
  hook_event_name: 'PreToolUse',
  cwd: '/home/dev/shop',
  tool_name: 'Read',
  tool_input: { file_path: path },
  tool_use_id: toolUseId,
});

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  home = mkdtempSync(join(tmpdir(), 'warden-connect-home-'));
  env = { HOME: home, WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'claude-basics',
    rules: [
      { tool: 'fs.read', decision: 'ALLOW' },
    ],
  } });
}, 300_000);

afterAll(async () => {
  await t?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the hook command in a clean shell', () => {
  it('works without `warden` on PATH: Node and the entry are absolute', async () => {
    const agent = await t.agent('clean-shell');
    const wiring = claudeCodeWiring(t.url, agent.key);
    const command = wiring.hooks.PreToolUse[0]!.hooks[0]!.command;
    expect(command).toBe(`${process.execPath} ${wardenEntry()} hook claude-code --wait 50 || exit 2`);
    expect(existsSync('/usr/bin/warden') || existsSync('/bin/warden')).toBe(false);

    const r = await cleanShell(command, preRead('toolu_clean_1'), wiring.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'allow' });
    const actions = (await t.api(t.op).call('listActions', { query: { agent_id: agent.id } })).data;
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ status: 'allowed', action: { tool: 'fs.read' } });

    // PostToolUseFailure through the same kind of command: completed as failed.
    const post = wiring.hooks.PostToolUseFailure[0]!.hooks[0]!.command;
    const done = await cleanShell(post, { ...preRead('toolu_clean_1'), hook_event_name: 'PostToolUseFailure', error: 'EACCES' }, wiring.env);
    expect(done.code).toBe(0);
    expect(await t.api(t.op).call('getAction', { params: { id: actions[0]!.id } })).toMatchObject({ status: 'completed', outcome: 'failed' });
  });

  it('a real deny still reaches Claude Code as a deny (exit 0, decision JSON), not as exit 2', async () => {
    const agent = await t.agent('clean-deny');
    await t.api(t.op).call('updateAgent', { params: { id: agent.id }, body: { status: 'disabled' } }); // every action BLOCKed
    const wiring = claudeCodeWiring(t.url, agent.key);
    const event = { hook_event_name: 'PreToolUse', cwd: '/tmp', tool_name: 'Bash', tool_input: { command: 'rm -rf /tmp/x' }, tool_use_id: 'toolu_deny' };
    const r = await cleanShell(wiring.hooks.PreToolUse[0]!.hooks[0]!.command, event, wiring.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: expect.stringContaining('disabled') });
  });

  it.each([
    ['Warden’s entry does not exist', () => [process.execPath, join(home, 'gone', 'bin', 'warden.js')]],
    ['Node does not exist', () => [join(home, 'gone', 'node'), wardenEntry()!]],
    ['a path with spaces that does not exist', () => [process.execPath, join(home, 'no such dir', 'warden.js')]],
  ])('exits 2 (Claude Code blocks) when %s', async (_what, program) => {
    const agent = await t.agent(`unreachable-${Math.random().toString(36).slice(2, 8)}`);
    const wiring = claudeCodeWiring(t.url, agent.key, { program: program() });
    for (const event of ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'] as const) {
      const r = await cleanShell(wiring.hooks[event][0]!.hooks[0]!.command, { ...preRead('toolu_gone'), hook_event_name: event }, wiring.env);
      expect(r.code, event).toBe(2);
    }
    // Nothing reached Warden, and nothing was allowed.
    expect((await t.api(t.op).call('listActions', { query: { agent_id: agent.id } })).data).toHaveLength(0);
  });

  it('the quoting survives a Warden installed under a path with spaces', () => {
    expect(hookCommand(['/opt/my tools/node', '/x/bin/warden.js'], 5)).toBe("'/opt/my tools/node' /x/bin/warden.js hook claude-code --wait 5 || exit 2");
  });
});

describe('PostToolUseFailure frees the concurrency slot', () => {
  it('after more failed calls than concurrent_executions, the agent is not quota-blocked', async () => {
    const agent = await t.agent('failing-tools');
    await t.api(t.op).call('updateQuota', { body: { agent_id: agent.id, concurrent_executions: 3 } });
    const stateDir = mkdtempSync(join(tmpdir(), 'warden-hook-state-'));
    const hookEnv = { WARDEN_URL: t.url, WARDEN_KEY: agent.key, HOME: home };
    try {
      for (let i = 0; i < 12; i++) {
        const pre = await cli(['hook', 'claude-code', '--state-dir', stateDir], { env: hookEnv, stdin: JSON.stringify(preRead(`toolu_fail_${i}`)) });
        expect(JSON.parse(pre.stdout).hookSpecificOutput.permissionDecision, `call ${i}`).toBe('allow');
        const failed = { ...preRead(`toolu_fail_${i}`), hook_event_name: 'PostToolUseFailure', error: 'file not found', is_interrupt: false };
        const post = await cli(['hook', 'claude-code', '--state-dir', stateDir], { env: hookEnv, stdin: JSON.stringify(failed) });
        expect(post.code).toBe(0);
      }
      const actions = (await t.api(t.op).call('listActions', { query: { agent_id: agent.id, limit: '50' } })).data;
      expect(actions).toHaveLength(12);
      expect(actions.every((a) => a.status === 'completed' && a.outcome === 'failed')).toBe(true);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('warden connect claude-code', () => {
  it('writes the project settings, keeps the user’s own, backs up, self-tests; a second run changes nothing', async () => {
    const project = mkdtempSync(join(home, 'project-'));
    mkdirSync(join(project, '.claude'));
    const file = join(project, '.claude', 'settings.local.json');
    const mine = {
      permissions: { allow: ['Bash(npm test:*)'] },
      env: { MY_VAR: '1' },
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'my-linter --check' }] }] },
    };
    writeFileSync(file, JSON.stringify(mine));

    const r = await cli(['connect', 'claude-code', '--project', project, '--wait', '3'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Self-test passed');
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.permissions).toEqual(mine.permissions);
    expect(written.env).toMatchObject({ MY_VAR: '1', WARDEN_URL: t.url, WARDEN_KEY: expect.stringMatching(/^wk_agent_/) });
    expect(written.hooks.PreToolUse[0]).toEqual(mine.hooks.PreToolUse[0]);
    expect(written.hooks.PreToolUse[1].hooks[0].command).toContain('hook claude-code --wait 3 || exit 2');
    expect(Object.keys(written.hooks).sort()).toEqual(['PostToolUse', 'PostToolUseFailure', 'PreToolUse']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const backups = readdirSync(join(project, '.claude')).filter((f) => f.startsWith('settings.local.json.backup-'));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(project, '.claude', backups[0]!), 'utf8'))).toEqual(mine);

    // The agent it registered was seen by Warden: the sample action exists and was completed.
    const agents = (await t.api(t.op).call('listAgents')).data;
    const agent = agents.find((a: { name: string }) => a.name === 'claude-code');
    expect(agent!.last_seen_at).toEqual(expect.any(String));
    const sample = (await t.api(t.op).call('listActions', { query: { agent_id: agent!.id } })).data;
    expect(sample).toHaveLength(1);
    expect(sample[0]).toMatchObject({ decision: 'ALLOW', status: 'completed', action: { tool: 'fs.read', args: { claude_tool: 'Read' } } });

    // The command as written, run the way Claude Code runs it, in a clean shell without `warden` on PATH.
    const ran = await cleanShell(written.hooks.PreToolUse[1].hooks[0].command, preRead('toolu_written'), written.env);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout).hookSpecificOutput.permissionDecision).toBe('allow');

    const again = await cli(['connect', 'claude-code', '--project', project, '--wait', '3', '--no-self-test'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('left unchanged');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(written);
    expect(readdirSync(join(project, '.claude')).filter((f) => f.startsWith('settings.local.json.backup-'))).toHaveLength(1);
  });

  it('--user writes ~/.claude/settings.json; a sample that waits for an operator is withdrawn by the self-test', async () => {
    const agent = await t.agent('asks-everything');
    await t.api(t.op).call('createGuardrail', { body: { name: 'ask-reads', rules: [{ tool: 'fs.read', agent_id: agent.id, decision: 'ALERT' }] } });
    const r = await cli(['connect', 'claude-code', '--user', '--key', agent.key, '--wait', '30'], { env: { ...env, HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'));
    expect(written.env.WARDEN_KEY).toBe(agent.key);
    expect(written.hooks.PreToolUse[0].hooks[0].timeout).toBe(40);
    expect(r.stdout).toContain('Self-test passed');
    expect(r.stdout).toContain('answered "ask"');
    // It did not wait 30 s for an operator: the sample was withdrawn, and nobody can allow it now.
    const [sample] = (await t.api(t.op).call('listActions', { query: { agent_id: agent.id } })).data;
    expect(sample).toMatchObject({ decision: 'ALERT', status: 'expired', withdrawn_at: expect.any(String) });
    const late = await t.raw('POST', `/v1/approvals/${sample!.approval_id}/decision`, { key: t.op, body: { decision: 'allow_once' } });
    expect(late.status).toBe(409);
  });

  it('bad input: both --project and --user (2), settings that are not JSON (1, file untouched), a dead key (1)', async () => {
    const both = await cli(['connect', 'claude-code', '--user', '--project', home], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('warden: choose one of --project DIR and --user\n');

    const project = mkdtempSync(join(home, 'broken-'));
    mkdirSync(join(project, '.claude'));
    writeFileSync(join(project, '.claude', 'settings.local.json'), '{ "env": ');
    const broken = await cli(['connect', 'claude-code', '--project', project], { env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/settings\.local\.json is not valid JSON/);
    expect(readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8')).toBe('{ "env": ');

    const dead = await cli(['connect', 'claude-code', '--project', mkdtempSync(join(home, 'dead-')), '--key', 'wk_agent_nope'], { env });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('--key is not a live agent key');
  });

  it('the self-test fails when the hook command cannot start', async () => {
    const agent = await t.agent('self-test-broken');
    const wiring = claudeCodeWiring(t.url, agent.key, { program: [process.execPath, join(home, 'missing', 'warden.js')] });
    const result = await selfTest(wiring, home, { PATH: '/usr/bin:/bin', HOME: home }, 3);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/the hook command failed \(exit 2/);
  });

  it('merging replaces earlier Warden hooks (a bare `warden hook claude-code` too) and keeps the rest', () => {
    const wiring = claudeCodeWiring('http://127.0.0.1:7419', 'wk_agent_x', { program: ['/n', '/w/bin/warden.js'] });
    const old = {
      hooks: {
        PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'warden hook claude-code --wait 50', timeout: 60 }] }],
        PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'warden hook claude-code' }, { type: 'command', command: 'notify-send done' }] }],
      },
    };
    const merged = mergeClaudeSettings(old, wiring) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    expect(merged.hooks.PreToolUse).toEqual(wiring.hooks.PreToolUse);
    expect(merged.hooks.PostToolUse!.map((g) => g.hooks.map((h) => h.command))).toEqual([['notify-send done'], ['/n /w/bin/warden.js hook claude-code || exit 2']]);
    expect(() => mergeClaudeSettings([], wiring)).toThrow('does not hold a JSON object');
    expect(() => mergeClaudeSettings({ hooks: { PreToolUse: {} } }, wiring)).toThrow('"hooks.PreToolUse" in the settings file is not a list');
  });
});

it('the repo has the entry the hook command names', () => {
  expect(wardenEntry()).toBe(join(repoRoot, 'bin', 'warden.js'));
});

describe('warden connect claude-code on a fresh Warden', () => {
  it('adds the starter policy when there is none, so a project Read is allowed at once; never twice; --no-starter adds none', async () => {
    const fresh = await startTestApp();
    const freshHome = mkdtempSync(join(tmpdir(), 'warden-connect-fresh-'));
    try {
      const freshEnv = { HOME: freshHome, WARDEN_URL: fresh.url, WARDEN_DATA_DIR: fresh.dataDir };
      const policies = async () => (await fresh.api(fresh.op).answer('listGuardrails')).body.data.map((p: { name: string }) => p.name);

      const skipped = await cli(['connect', 'claude-code', '--project', join(freshHome, 'other'), '--no-starter', '--no-self-test'], { env: freshEnv });
      expect(skipped.code).toBe(0);
      expect(await policies()).toEqual([]);

      const project = join(freshHome, 'shop');
      mkdirSync(project, { recursive: true });
      const r = await cli(['connect', 'claude-code', '--project', project], { env: freshEnv });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('added coding-agent-starter');
      expect(await policies()).toEqual(['coding-agent-starter']);

      const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8'));
      const command = settings.hooks.PreToolUse[0].hooks[0].command as string;
      const read = await cleanShell(command, { ...preRead('toolu_fresh_1', join(project, 'README.md')), cwd: project }, settings.env);
      expect(read.code).toBe(0);
      expect(JSON.parse(read.stdout).hookSpecificOutput.permissionDecision).toBe('allow');
      expect((await fresh.api(fresh.op).answer('listApprovals', { query: { status: 'pending' } })).body.data).toEqual([]);

      const again = await cli(['connect', 'claude-code', '--project', project, '--no-self-test'], { env: freshEnv });
      expect(again.code).toBe(0);
      expect(again.stdout).not.toContain('added coding-agent-starter');
      expect(await policies()).toEqual(['coding-agent-starter']);
    } finally {
      await fresh.close();
      rmSync(freshHome, { recursive: true, force: true });
    }
  });
});
