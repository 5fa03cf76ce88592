/**
 * `warden mcp proxy` end to end: the real binary as a child process, driven by the SDK's own
 * Client over stdio, with the real filesystem server from npm as the upstream and a real Warden on
 * port 0 deciding. An allowed read comes back; a blocked or tool-denied write never reaches the
 * server; an ALERT waits (with progress) for the operator's Allow once or Deny; a cancelled wait
 * forwards nothing; Warden stopped → the next call is refused, not forwarded.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { binPath, buildCli, repoRoot } from '../../support/cli-harness.js';

const filesystemServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

let t: TestApp;
let dir: string;
let client: Client;
let stderr = '';

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function pendingApprovalFor(tool: string): Promise<{ id: string; status: string }> {
  for (;;) {
    const res = await t.api(t.op).answer('listApprovals', { query: { status: 'pending' } });
    const found = (res.body.data as { id: string; status: string; action: { tool: string } }[]).find((a) => a.action.tool === tool);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function actionsOf(tool: string): Promise<{ status: string; outcome: string | null; action: { categories?: string[]; connector?: string; resource?: unknown } }[]> {
  const res = await t.api(t.op).answer('listActions', { query: { limit: 100 } });
  return (res.body.data as { action: { tool: string } }[]).filter((a) => a.action.tool === tool) as never;
}

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-mcp-fs-'));
  writeFileSync(join(dir, 'notes.txt'), 'hello from the filesystem server\n');
  writeFileSync(join(dir, 'keep.txt'), 'original\n');
  const agent = await t.agent('mcp-agent');
  const policy = await t.api(t.op).answer('createGuardrail', { body: {
      name: 'mcp-fs',
      rules: [
        { tool: 'mcp.fs.read_*', decision: 'ALLOW' },
        { tool: 'mcp.fs.list_*', decision: 'ALLOW' },
        { tool: 'mcp.fs.write_file', decision: 'ALERT' },
        { tool: 'mcp.fs.move_file', decision: 'BLOCK' },
        { tool: 'mcp.fs.edit_file', decision: 'ALLOW' },
      ],
    } });
  expect(policy.status).toBe(201);
  // Tool access denies edit_file outright: hidden from tools/list, refused if called anyway.
  expect((await t.api(t.op).answer('createTool', { body: { name: 'mcp.fs.edit_file' } })).status).toBe(201);
  expect((await t.api(t.op).answer('createToolPolicy', { body: { tool_name: 'mcp.fs.edit_file', allowed: false } })).status).toBe(201);

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binPath, 'mcp', 'proxy', '--name', 'fs', '--wait', '60', '--cost-micro-usd', '1500', '--', process.execPath, filesystemServer, dir],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_URL: t.url, WARDEN_KEY: agent.key },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  client = new Client({ name: 'warden-test', version: '1.0.0' });
  await client.connect(transport);
}, 300_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('warden mcp proxy with the filesystem server', () => {
  it('passes initialize through: the client sees the real server', () => {
    expect(client.getServerVersion()?.name).toBe('secure-filesystem-server');
    expect(client.getServerCapabilities()?.tools).toBeTruthy();
  });

  it('lists the server tools without the one tool access denies', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('read_text_file');
    expect(names).toContain('write_file');
    expect(names).not.toContain('edit_file');
  });

  it('an allowed read comes back, and the action is completed with its cost', async () => {
    const result = await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'notes.txt') } });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('hello from the filesystem server');
    let actions = await actionsOf('mcp.fs.read_text_file');
    // Completion is reported just after the result is passed on.
    while (actions[0]?.status !== 'completed') {
      await new Promise((r) => setTimeout(r, 50));
      actions = await actionsOf('mcp.fs.read_text_file');
    }
    const [action] = actions as unknown as { outcome: string; cost_micro_usd: number; action: { connector: string; resource: unknown; categories?: string[]; cost_estimate_micro_usd: number } }[];
    expect(action!.outcome).toBe('succeeded');
    expect(action!.cost_micro_usd).toBe(1500);
    expect(action!.action.connector).toBe('fs');
    expect(action!.action.resource).toEqual({ type: 'mcp_server', id: 'fs' });
    expect(action!.action.categories ?? []).toEqual([]);
  });

  it('a blocked move never reaches the server: the file stays where it was', async () => {
    const result = await client.callTool({ name: 'move_file', arguments: { source: join(dir, 'keep.txt'), destination: join(dir, 'moved.txt') } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Warden blocked mcp\.fs\.move_file/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('original\n');
    expect(existsSync(join(dir, 'moved.txt'))).toBe(false);
    const [action] = await actionsOf('mcp.fs.move_file');
    expect(action!.action.categories).toEqual(['destructive']);
  });

  it('a tool denied by tool access is refused even when called without listing it', async () => {
    const result = await client.callTool({ name: 'edit_file', arguments: { path: join(dir, 'keep.txt'), edits: [{ oldText: 'original', newText: 'edited' }] } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('mcp.fs.edit_file');
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('original\n');
  });

  it('a write that asks waits with progress past the client timeout, and Allow once writes the file', async () => {
    const target = join(dir, 'approved.txt');
    let progressCount = 0;
    const call = client.callTool({ name: 'write_file', arguments: { path: target, content: 'written after approval' } }, undefined, {
      timeout: 3_000,
      resetTimeoutOnProgress: true,
      onprogress: () => {
        progressCount += 1;
      },
    });
    const approval = await pendingApprovalFor('mcp.fs.write_file');
    // Held past the client's own 3 s timeout: only the progress notifications keep it alive.
    while (progressCount < 4) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(target)).toBe(false);
    const decided = await t.api(t.op).answer('decideApproval', { params: { id: approval.id }, body: { decision: 'allow_once' } });
    expect(decided.status).toBe(200);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(readFileSync(target, 'utf8')).toBe('written after approval');
  }, 60_000);

  it('Deny → the file never exists and the result says why', async () => {
    const target = join(dir, 'denied.txt');
    const call = client.callTool({ name: 'write_file', arguments: { path: target, content: 'never' } });
    const approval = await pendingApprovalFor('mcp.fs.write_file');
    await t.api(t.op).answer('decideApproval', { params: { id: approval.id }, body: { decision: 'deny', comment: 'not today' } });
    const result = await call;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(approval.id);
    expect(text(result)).toContain('not today');
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  it('a client cancellation while waiting forwards nothing and leaves the approval open', async () => {
    const target = join(dir, 'cancelled.txt');
    const abort = new AbortController();
    const call = client.callTool({ name: 'write_file', arguments: { path: target, content: 'never' } }, undefined, { signal: abort.signal });
    const approval = await pendingApprovalFor('mcp.fs.write_file');
    abort.abort();
    await expect(call).rejects.toThrow();
    // Give the proxy the cancellation before the operator answers.
    await new Promise((r) => setTimeout(r, 300));
    const still = await t.api(t.op).answer('getApproval', { params: { id: approval.id } });
    expect(still.body.status).toBe('pending');
    await t.api(t.op).answer('decideApproval', { params: { id: approval.id }, body: { decision: 'allow_once' } });
    // A later call's answer shows the proxy is past that point; the cancelled write never ran.
    await client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  it('Warden stopped mid-session → the next call is refused, not forwarded', async () => {
    await t.stop();
    const target = join(dir, 'after-stop.txt');
    const result = await client.callTool({ name: 'write_file', arguments: { path: target, content: 'never' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/not reachable/);
    expect(existsSync(target)).toBe(false);
    const read = await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'notes.txt') } });
    expect(read.isError).toBe(true);
    expect(text(read)).not.toContain('hello from the filesystem server');
  }, 60_000);
});
