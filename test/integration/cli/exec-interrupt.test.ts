/**
 * `warden exec` interrupted (Ctrl-C) while it waits for an operator: it exits 130 without running
 * the command, and withdraws its request so nobody can allow it afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { binPath, buildCli } from '../../support/cli-harness.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-exec-interrupt-'));
}, 300_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('Ctrl-C while waiting: exit 130, the command does not run, the request is withdrawn', { timeout: 60_000 }, async () => {
  const agent = await t.agent('interrupted');
  const marker = join(dir, 'ran');
  const child = spawn(process.execPath, [binPath, 'exec', '--wait', '60', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], {
    env: { PATH: process.env.PATH, HOME: dir, WARDEN_URL: t.url, WARDEN_KEY: agent.key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));

  // Wait until its request is in the Inbox (no rule for shell.exec: ALERT).
  let approvalId: string | undefined;
  for (let i = 0; i < 200 && !approvalId; i++) {
    approvalId = (await t.api(t.op).answer('listApprovals', { query: { status: 'pending' } })).body.data.find((a: { agent_id: string }) => a.agent_id === agent.id)?.id;
    if (!approvalId) await new Promise((r) => setTimeout(r, 50));
  }
  expect(approvalId).toBeDefined();
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toMatch(/interrupted while waiting for Warden; not running/);
  expect(existsSync(marker)).toBe(false);

  const approval = (await t.api(t.op).answer('getApproval', { params: { id: approvalId! } })).body;
  expect(approval.withdrawn_at).toEqual(expect.any(String));
  const late = await t.raw('POST', `/v1/approvals/${approvalId}/decision`, { key: t.op, body: { decision: 'allow_once' } });
  expect(late.status).toBe(409);
});
