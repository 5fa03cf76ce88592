/**
 * The HTTP gateway governs in Warden's own process: a governed `tools/call` makes no request to
 * Warden's HTTP API, and leaves the trail the API would (the agent's own action, audited as the
 * agent, completed, with a receipt). It fails closed as the API does: an action the API would
 * refuse (args over the size limit) is refused and never reaches the server. The agent's rate
 * limit counts each /mcp message instead.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { repoRoot } from '../../support/cli-harness.js';

const filesystemServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

let t: TestApp;
let dir: string;
let agent: { id: string; key: string };
let client: Client;
/** Every URL this process fetches while set (the app runs in this process too). */
let fetched: string[] | null = null;

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

beforeAll(async () => {
  // Before anything starts, so a client built later with the global fetch goes through it too.
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    fetched?.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
  t = await startTestApp({ maxArgsBytes: 512 });
  dir = mkdtempSync(join(tmpdir(), 'warden-mcp-inproc-'));
  writeFileSync(join(dir, 'notes.txt'), 'read in process\n');
  agent = await t.agent('inproc');
  const policy = await t.api(t.op).answer('createGuardrail', {
    body: { name: 'mcp-inproc', rules: [{ tool: 'mcp.fs.*', decision: 'ALLOW' }] },
  });
  expect(policy.status).toBe(201);
  const server = await t.api(t.op).answer('createMcpServer', { body: { name: 'fs', command: process.execPath, args: [filesystemServer, dir] } });
  expect(server.status).toBe(201);
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/fs`), { requestInit: { headers: { authorization: `Bearer ${agent.key}` } } });
  client = new Client({ name: 'inproc-test', version: '1.0.0' });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await client?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("a governed call asks no route of Warden's API, and leaves the API's trail: the agent's action, audited as the agent, completed, with a receipt", async () => {
  const urls: string[] = [];
  fetched = urls;
  let result;
  try {
    result = await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'notes.txt') } });
  } finally {
    fetched = null;
  }
  expect(text(result)).toContain('read in process');
  expect(urls.length).toBeGreaterThan(0);
  expect(urls.filter((u) => new URL(u).pathname.startsWith('/v1/'))).toEqual([]);

  const actions = (await t.api(agent.key).answer('listActions', { query: { limit: 10 } })).body.data;
  const action = actions.find((a) => a.action.tool === 'mcp.fs.read_text_file');
  expect(action).toMatchObject({ agent_id: agent.id, status: 'completed', decision: 'ALLOW', action: { connector: 'fs' } });
  const receipt = await t.api(agent.key).answer('getReceipt', { params: { id: action!.receipt_id } });
  expect(receipt.status).toBe(200);
  const audit = (await t.api(t.op).answer('listAudit', { query: { agent_id: agent.id, event_type: 'action.*', limit: 100 } })).body.data;
  expect(audit.filter((e) => e.subject_id === action!.id).map((e) => [e.event_type, e.actor])).toEqual(
    expect.arrayContaining([
      ['action.evaluated', `agent:${agent.id}`],
      ['action.completed', `agent:${agent.id}`],
    ]),
  );
});

it('fails closed as the API does: args over the size limit are refused with the reason, and the server never sees the call', async () => {
  const path = join(dir, 'too-big.txt');
  const result = await client.callTool({ name: 'write_file', arguments: { path, content: 'x'.repeat(2_000) } });
  expect(result.isError).toBe(true);
  expect(text(result)).toMatch(/^Warden could not decide on mcp\.fs\.write_file, so it was not run: args is \d+ bytes serialized; the limit is 512 \(payload_too_large\)\.$/);
  expect(existsSync(path)).toBe(false);
});

it("each /mcp message counts against the agent's rate (the governed steps inside are no requests of their own)", async () => {
  const limited = await startTestApp({ rateLimit: { perSecond: 5, burst: 10 } });
  try {
    const noisy = await limited.agent('noisy');
    const body = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const results = await Promise.all(
      Array.from({ length: 30 }, () => limited.raw('POST', '/mcp/nothing-registered', { key: noisy.key, body, headers: { accept: 'application/json, text/event-stream' } })),
    );
    expect(results.filter((r) => r.status === 404).length).toBeLessThanOrEqual(10);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(20);
  } finally {
    await limited.close();
  }
});
