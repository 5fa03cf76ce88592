/**
 * What `warden mcp proxy` does not govern passes through unchanged, both ways: the real
 * `@modelcontextprotocol/server-everything` behind the real binary, driven by the SDK's Client.
 * Resources, prompts, the server's own progress notifications, and a sampling request the server
 * sends back to the client in the middle of an allowed tool call.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { binPath, buildCli, repoRoot } from '../../support/cli-harness.js';

const everythingServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

let t: TestApp;
let client: Client;
const samplingRequests: unknown[] = [];

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  const agent = await t.agent('mcp-everything');
  const policy = await t.api(t.op).answer('createGuardrail', { body: { name: 'mcp-everything', rules: [{ tool: 'mcp.everything.*', decision: 'ALLOW' }] } });
  expect(policy.status).toBe(201);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binPath, 'mcp', 'proxy', '--name', 'everything', '--', process.execPath, everythingServer, 'stdio'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_URL: t.url, WARDEN_KEY: agent.key },
    stderr: 'pipe',
  });
  client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    samplingRequests.push(request.params);
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled by the test client' } };
  });
  await client.connect(transport);
}, 300_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
});

describe('warden mcp proxy passes the rest of MCP through', () => {
  it('resources: list and read', async () => {
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]?.uri).toBe(resources[0]!.uri);
  });

  it('prompts: list and get', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('simple-prompt');
    const prompt = await client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });

  it("the server's own progress notifications reach the client of an allowed call", async () => {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, {
      // An allowed call gets no "waiting for approval" notes: only the server's own steps.
      onprogress: (p) => seen.push(p.progress),
    });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('Long running operation completed');
    // Every step, the last one too, before the result.
    expect(seen).toEqual([1, 2, 3]);
  }, 30_000);

  it('a sampling request from the server reaches the client and its answer goes back', async () => {
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'say hi', maxTokens: 10 } });
    expect(result.isError).toBeFalsy();
    expect(samplingRequests).toHaveLength(1);
    expect(text(result)).toContain('sampled by the test client');
    // openWorldHint on the tool → the action carries external_comm.
    const res = await t.api(t.op).answer('listActions', { query: { limit: 50 } });
    const action = (res.body.data as { action: { tool: string; categories?: string[] } }[]).find((a) => a.action.tool === 'mcp.everything.trigger-sampling-request');
    expect(action?.action.categories).toEqual(['external_comm']);
  }, 30_000);
});
