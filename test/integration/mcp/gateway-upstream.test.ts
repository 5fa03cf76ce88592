/**
 * The gateway's upstream process: the registered env reaches the server (and Warden's own
 * variables do not), one child serves every session, and a child that dies is started again.
 * The real `@modelcontextprotocol/server-everything` (its `get-env` tool prints its environment).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { repoRoot } from '../../support/cli-harness.js';

const everythingServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

let t: TestApp;
let agent: { id: string; key: string };
const clients: Client[] = [];

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function connect(): Promise<Client> {
  const client = new Client({ name: 'upstream-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/everything`), { requestInit: { headers: { authorization: `Bearer ${agent.key}` } } }));
  clients.push(client);
  return client;
}

/** Pids of this process's children running the everything server. */
function upstreamPids(): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((line) => line.includes('server-everything'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

beforeAll(async () => {
  process.env.WARDEN_GATEWAY_TEST_OWN = 'warden-process-only';
  t = await startTestApp();
  agent = await t.agent('gateway-upstream');
  await t.api(t.op).answer('createGuardrail', { body: { name: 'mcp-everything-gw', rules: [{ tool: 'mcp.everything.*', decision: 'ALLOW' }] } });
  const created = await t.api(t.op).answer('createMcpServer', { body: { name: 'everything', command: process.execPath, args: [everythingServer, 'stdio'], env: { EVERYTHING_SECRET: 'given-to-the-server' } } });
  expect(created.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await t?.close();
  delete process.env.WARDEN_GATEWAY_TEST_OWN;
});

describe('the upstream process of a registered server', () => {
  it('gets its registered env and not the variables of the Warden process', async () => {
    const client = await connect();
    const env = JSON.parse(text(await client.callTool({ name: 'get-env', arguments: {} })));
    expect(env.EVERYTHING_SECRET).toBe('given-to-the-server');
    expect(env.WARDEN_GATEWAY_TEST_OWN).toBeUndefined();
  });

  it('one child serves every session, and a child that dies is started again', async () => {
    const second = await connect();
    await second.callTool({ name: 'echo', arguments: { message: 'two sessions' } });
    const pids = upstreamPids();
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    // Restarted on its own (with backoff), not on the next call.
    for (;;) {
      const now = upstreamPids();
      const state = (await t.api(t.op).answer('getMcpServer', { params: { name: 'everything' } })).body.state;
      if (now.length === 1 && now[0] !== pids[0] && state === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // A session opened before the restart goes on with the new process, as does a new one.
    const echoed = await second.callTool({ name: 'echo', arguments: { message: 'after restart' } });
    expect(text(echoed)).toContain('after restart');
    const third = await connect();
    expect(text(await third.callTool({ name: 'echo', arguments: { message: 'new session' } }))).toContain('new session');
  }, 60_000);
});
