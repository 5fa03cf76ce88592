/**
 * The HTTP gateway: the operator registers the real filesystem server (with a secret env), and
 * agents reach it at `/mcp/fs` on Warden's own port with the SDK's Streamable HTTP client. The
 * same governance as the stdio proxy (allowed read, tool-access denial hidden, BLOCK, ALERT →
 * Allow once / Deny), the API's Host/Origin guards, sessions bound to their agent, secrets never
 * returned or audited, one upstream process shared and stopped when unregistered.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { rawRequest } from '../../support/raw-http.js';
import { repoRoot } from '../../support/cli-harness.js';

const filesystemServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
const SECRET = 'sekrit-value-4711';

let t: TestApp;
let dir: string;
let alice: { id: string; key: string };
let bob: { id: string; key: string };
const clients: Client[] = [];

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function connectAs(key: string, name = 'fs'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${name}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

async function pendingApprovalFor(tool: string): Promise<{ id: string }> {
  for (;;) {
    const res = await t.api(t.op).answer('listApprovals', { query: { status: 'pending' } });
    const found = (res.body.data as { id: string; action: { tool: string } }[]).find((a) => a.action.tool === tool);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

beforeAll(async () => {
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-mcp-gw-'));
  writeFileSync(join(dir, 'notes.txt'), 'hello through the gateway\n');
  alice = await t.agent('alice');
  bob = await t.agent('bob');
  const policy = await t.api(t.op).answer('createGuardrail', { body: {
      name: 'mcp-gateway-fs',
      rules: [
        { tool: 'mcp.fs.read_*', decision: 'ALLOW' },
        { tool: 'mcp.fs.list_*', decision: 'ALLOW' },
        { tool: 'mcp.fs.write_file', decision: 'ALERT' },
        { tool: 'mcp.fs.move_file', decision: 'BLOCK' },
      ],
    } });
  expect(policy.status).toBe(201);
  await t.api(t.op).answer('createTool', { body: { name: 'mcp.fs.edit_file' } });
  await t.api(t.op).answer('createToolPolicy', { body: { tool_name: 'mcp.fs.edit_file', allowed: false } });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('registrations', () => {
  it('registers a stdio server; env values are never returned or audited', async () => {
    const created = await t.api(t.op).answer('createMcpServer', { body: { name: 'fs', command: process.execPath, args: [filesystemServer, dir], env: { FS_TOKEN: SECRET } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'mcp_server', name: 'fs', transport: 'stdio', env_keys: ['FS_TOKEN'], endpoint: '/mcp/fs', state: 'idle' });
    const listed = await t.api(t.op).answer('listMcpServers');
    const one = await t.api(t.op).answer('getMcpServer', { params: { name: 'fs' } });
    const audit = await t.api(t.op).answer('listAudit', { query: { limit: 500 } });
    for (const body of [created.body, listed.body, one.body, audit.body]) expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(JSON.stringify(audit.body)).toContain('mcp_server.created');
  });

  it('bad input is a 4xx with the API error body and changes nothing', async () => {
    const bad = await t.raw('POST', '/v1/mcp-servers', { key: t.op, body: { name: 'bad name', command: 'x' } });
    expect(bad.status).toBe(400);
    expect(errorBody(bad.body).error.code).toBe('invalid_parameter');
    const both = await t.raw('POST', '/v1/mcp-servers', { key: t.op, body: { name: 'both', command: 'x', url: 'http://127.0.0.1:1/mcp' } });
    expect(both.status).toBe(400);
    const taken = await t.raw('POST', '/v1/mcp-servers', { key: t.op, body: { name: 'fs', url: 'http://127.0.0.1:1/mcp' } });
    expect(taken.status).toBe(409);
    const asAgent = await t.raw('POST', '/v1/mcp-servers', { key: alice.key, body: { name: 'mine', url: 'http://127.0.0.1:1/mcp' } });
    expect(asAgent.status).toBe(403);
    const list = await t.api(t.op).answer('listMcpServers');
    expect(list.body.data.map((s: { name: string }) => s.name)).toEqual(['fs']);
  });
});

describe('/mcp/NAME', () => {
  let client: Client;

  beforeAll(async () => {
    ({ client } = await connectAs(alice.key));
  }, 60_000);

  it('initialize reaches the real server; tools/list hides the tool-access denial', async () => {
    expect(client.getServerVersion()?.name).toBe('secure-filesystem-server');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('read_text_file');
    expect(names).not.toContain('edit_file');
    expect((await t.api(t.op).answer('getMcpServer', { params: { name: 'fs' } })).body.state).toBe('running');
  });

  it('an allowed read comes back; a blocked move and a denied edit never reach the server', async () => {
    const read = await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'notes.txt') } });
    expect(text(read)).toContain('hello through the gateway');
    const moved = await client.callTool({ name: 'move_file', arguments: { source: join(dir, 'notes.txt'), destination: join(dir, 'gone.txt') } });
    expect(moved.isError).toBe(true);
    expect(text(moved)).toMatch(/^Warden blocked mcp\.fs\.move_file/);
    const edited = await client.callTool({ name: 'edit_file', arguments: { path: join(dir, 'notes.txt'), edits: [{ oldText: 'hello', newText: 'bye' }] } });
    expect(edited.isError).toBe(true);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('hello through the gateway\n');
    expect(existsSync(join(dir, 'gone.txt'))).toBe(false);
  });

  it('ALERT: Allow once writes the file; Deny leaves none and says why', async () => {
    const allowedPath = join(dir, 'allowed.txt');
    const call = client.callTool({ name: 'write_file', arguments: { path: allowedPath, content: 'yes' } });
    const approval = await pendingApprovalFor('mcp.fs.write_file');
    expect(existsSync(allowedPath)).toBe(false);
    await t.api(t.op).answer('decideApproval', { params: { id: approval.id }, body: { decision: 'allow_once' } });
    expect((await call).isError).toBeFalsy();
    expect(readFileSync(allowedPath, 'utf8')).toBe('yes');

    const deniedPath = join(dir, 'denied.txt');
    const denied = client.callTool({ name: 'write_file', arguments: { path: deniedPath, content: 'no' } });
    const second = await pendingApprovalFor('mcp.fs.write_file');
    await t.api(t.op).answer('decideApproval', { params: { id: second.id }, body: { decision: 'deny', comment: 'no writes' } });
    const result = await denied;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('no writes');
    expect(existsSync(deniedPath)).toBe(false);
  }, 60_000);

  it('a call held for approval stays alive past the client timeout on progress; a cancelled wait forwards nothing', async () => {
    const held = join(dir, 'held.txt');
    let progressCount = 0;
    const call = client.callTool({ name: 'write_file', arguments: { path: held, content: 'held' } }, undefined, {
      timeout: 3_000,
      resetTimeoutOnProgress: true,
      onprogress: () => {
        progressCount += 1;
      },
    });
    const approval = await pendingApprovalFor('mcp.fs.write_file');
    while (progressCount < 4) await new Promise((r) => setTimeout(r, 100));
    await t.api(t.op).answer('decideApproval', { params: { id: approval.id }, body: { decision: 'allow_once' } });
    expect((await call).isError).toBeFalsy();
    expect(readFileSync(held, 'utf8')).toBe('held');

    const cancelled = join(dir, 'cancelled.txt');
    const abort = new AbortController();
    const waiting = client.callTool({ name: 'write_file', arguments: { path: cancelled, content: 'never' } }, undefined, { signal: abort.signal });
    const open = await pendingApprovalFor('mcp.fs.write_file');
    abort.abort();
    await expect(waiting).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.api(t.op).answer('getApproval', { params: { id: open.id } })).body.status).toBe('pending');
    await t.api(t.op).answer('decideApproval', { params: { id: open.id }, body: { decision: 'allow_once' } });
    await client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(cancelled)).toBe(false);
  }, 60_000);

  it("another agent cannot use alice's session, and each agent sees only its own actions", async () => {
    const { client: bobs } = await connectAs(bob.key);
    await bobs.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'notes.txt') } });
    const sessionId = (clients[0]!.transport as StreamableHTTPClientTransport).sessionId!;
    const hijack = await rawRequest(t.url, {
      method: 'POST',
      path: '/mcp/fs',
      headers: {
        host: new URL(t.url).host,
        authorization: `Bearer ${bob.key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
    });
    expect(hijack.status).toBe(404);
    const bobActions = await t.api(bob.key).answer('listActions', { query: { limit: 100 } });
    expect(bobActions.body.data.length).toBeGreaterThan(0);
    expect(bobActions.body.data.every((a: { agent_id: string }) => a.agent_id === bob.id)).toBe(true);
    const aliceActions = await t.api(alice.key).answer('listActions', { query: { limit: 100 } });
    expect(aliceActions.body.data.every((a: { agent_id: string }) => a.agent_id === alice.id)).toBe(true);
    const server = await t.api(t.op).answer('getMcpServer', { params: { name: 'fs' } });
    expect(server.body.calls.total).toBe(bobActions.body.data.length + aliceActions.body.data.length);
  });

  it('no key → 401, the operator token → 403, a foreign Host or Origin → 403', async () => {
    const host = new URL(t.url).host;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await rawRequest(t.url, { method: 'POST', path: '/mcp/fs', headers: { ...headers, host }, body: initialize });
    expect(none.status).toBe(401);
    const op = await rawRequest(t.url, { method: 'POST', path: '/mcp/fs', headers: { ...headers, host, authorization: `Bearer ${t.op}` }, body: initialize });
    expect(op.status).toBe(403);
    const foreignHost = await rawRequest(t.url, { method: 'POST', path: '/mcp/fs', headers: { ...headers, host: 'evil.example', authorization: `Bearer ${alice.key}` }, body: initialize });
    expect(foreignHost.status).toBe(403);
    expect(errorBody(foreignHost.body).error.code).toBe('forbidden_host');
    const foreignOrigin = await rawRequest(t.url, {
      method: 'POST',
      path: '/mcp/fs',
      headers: { ...headers, host, origin: 'http://evil.example', authorization: `Bearer ${alice.key}` },
      body: initialize,
    });
    expect(foreignOrigin.status).toBe(403);
    expect(errorBody(foreignOrigin.body).error.code).toBe('forbidden_origin');
  });

  it("the operator previews each tool's decision for an agent", async () => {
    const res = await t.api(t.op).answer('listMcpServerTools', { params: { name: 'fs' }, query: { agent_id: alice.id } });
    expect(res.status).toBe(200);
    const byName = new Map((res.body.data as { name: string; status: string; block_code: string | null; warden_tool: string }[]).map((x) => [x.name, x]));
    expect(byName.get('read_text_file')).toMatchObject({ status: 'allowed', warden_tool: 'mcp.fs.read_text_file' });
    expect(byName.get('write_file')?.status).toBe('pending_approval');
    expect(byName.get('edit_file')).toMatchObject({ status: 'blocked', block_code: 'tool_denied' });
  });

  it('unregistering stops it: /mcp/fs answers 404', async () => {
    const deleted = await t.api(t.op).answer('deleteMcpServer', { params: { name: 'fs' } });
    expect(deleted.status).toBe(200);
    const host = new URL(t.url).host;
    const after = await rawRequest(t.url, {
      method: 'POST',
      path: '/mcp/fs',
      headers: { host, authorization: `Bearer ${alice.key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: initialize,
    });
    expect(after.status).toBe(404);
    expect((await t.raw('GET', '/v1/mcp-servers/fs', { key: t.op })).status).toBe(404);
  });
});
