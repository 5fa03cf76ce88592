/**
 * The real `warden` binary as child processes: `warden serve` prints its ready line and stops on
 * SIGTERM; agent add, the Claude Code hook over a real stdin pipe and `warden exec` exit codes
 * work end to end against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import { binPath, buildCli, cliProcess } from '../../support/cli-harness.js';

let server: ChildProcess;
let url: string;
let dataDir: string;
let key: string;

beforeAll(async () => {
  await buildCli();
  dataDir = mkdtempSync(join(tmpdir(), 'warden-bin-'));
  server = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const lines = createInterface({ input: server.stdout! });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('warden serve did not print its ready line')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    server.once('exit', (code) => reject(new Error(`warden serve exited ${code}`)));
  });
  expect(ready).toMatch(/^warden listening on http:\/\/127\.0\.0\.1:\d+$/);
  url = ready.slice('warden listening on '.length);
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('bin/warden.js', () => {
  it('agent add finds the operator token in --data-dir and prints the key', async () => {
    const r = await cliProcess(['agent', 'add', 'claude-code', '--data-dir', dataDir, '--url', url, '--json']);
    expect(r.code).toBe(0);
    key = r.json(routes.createAgent.response).api_key;
    expect(key).toMatch(/^wk_agent_/);
  });

  it('the hook reads a real stdin pipe and prints one decision line', async () => {
    const input = JSON.stringify({
      session_id: 's-1',
      cwd: '/tmp',
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'ls' },
      tool_use_id: 'toolu_bin_1',
    });
    // No policy: the operator is asked; with --wait 0 Claude Code is told to ask in the terminal.
    const r = await cliProcess(['hook', 'claude-code', '--wait', '0', '--state-dir', join(dataDir, 'hs')], { env: { WARDEN_URL: url, WARDEN_KEY: key }, stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });

    const garbage = await cliProcess(['hook', 'claude-code'], { env: { WARDEN_URL: url, WARDEN_KEY: key }, stdin: '{not json' });
    expect(garbage.code).toBe(0);
    expect(JSON.parse(garbage.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('exec passes the exit code through, and 126 when refused', async () => {
    const op = await cliProcess(['policy', 'test', '/nonexistent.yaml', '--data-dir', dataDir, '--url', url]);
    expect(op.code).toBe(1);
    // Allow the tool through the policy file route: apply a one-rule policy.
    const { writeFileSync } = await import('node:fs');
    const file = join(dataDir, 'p.yaml');
    writeFileSync(file, 'guardrails:\n  - name: bin-test\n    rules:\n      - tool: test.bin\n        decision: ALLOW\n');
    expect((await cliProcess(['policy', 'apply', file, '--yes', '--data-dir', dataDir, '--url', url])).code).toBe(0);

    const ran = await cliProcess(['exec', '--tool', 'test.bin', '--', process.execPath, '-e', "console.log('child out'); process.exit(7)"], { env: { WARDEN_URL: url, WARDEN_KEY: key } });
    expect(ran.code).toBe(7);
    expect(ran.stdout).toBe('child out\n');

    const refused = await cliProcess(['exec', '--wait', '0', '--', 'echo', 'never'], { env: { WARDEN_URL: url, WARDEN_KEY: key } });
    expect(refused.code).toBe(126);
    expect(refused.stdout).toBe('');
  });

  it('exits 1 quickly with the how-to-start message when nothing listens', async () => {
    const r = await cliProcess(['kill-switch', 'status', '--url', 'http://127.0.0.1:1', '--token', 'wk_op_x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warden: cannot reach Warden at http://127.0.0.1:1 — start it with `warden serve` or the desktop app\n');
  });

  it('warden serve stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
