/**
 * The stdio proxy's timing toward its client, with the SDK's Client in front and a raw server
 * behind (in-memory transports, which hand a message over synchronously): a call's own progress
 * reaches the client before its result even when the server writes them back to back, and the
 * proxy's "waiting for approval" notes start only once Warden's answer is ALERT.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { isJSONRPCRequest, LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect, it } from 'vitest';
import type { DecideOptions, Decision, Governor } from '../../../electron/mcp/governance.js';
import { McpProxy } from '../../../electron/mcp/proxy.js';

const WAITING = 'waiting for approval in Warden';

/** Answers after `delayMs`; on ALERT it says so first (as Warden's answer arrives), then waits. */
class FakeGovernor implements Governor {
  readonly options = { server: 'fake', waitSeconds: 5 };
  completed: string[] = [];
  constructor(
    private readonly answer: 'ALLOW' | 'ALERT',
    private readonly delayMs: number,
  ) {}

  async decide(_tool: string, _args: unknown, _annotations: unknown, opts: DecideOptions = {}): Promise<Decision> {
    if (this.answer === 'ALERT') opts.onWaiting?.();
    await new Promise((r) => setTimeout(r, this.delayMs));
    return { forward: true, actionId: 'act_fake' };
  }

  complete(actionId: string): Promise<string | undefined> {
    this.completed.push(actionId);
    return Promise.resolve(undefined);
  }

  deniedTools(): Promise<Set<string>> {
    return Promise.resolve(new Set());
  }
}

/** A server that answers a call with three progress steps and its result, written back to back. */
function rawServer(transport: InMemoryTransport): void {
  const send = (message: JSONRPCMessage) => void transport.send(message);
  transport.onmessage = (message) => {
    if (!isJSONRPCRequest(message)) return;
    const { id, method } = message;
    if (method === 'initialize') {
      send({ jsonrpc: '2.0', id, result: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } });
    } else if (method === 'tools/list') {
      send({ jsonrpc: '2.0', id, result: { tools: [{ name: 'work', inputSchema: { type: 'object' } }] } });
    } else if (method === 'tools/call') {
      const progressToken = (message.params as { _meta?: { progressToken?: string | number } })._meta?.progressToken;
      for (const progress of [1, 2, 3]) {
        if (progressToken !== undefined) send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress, total: 3 } });
      }
      send({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'done' }] } });
    }
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((c) => c()));
});

async function connect(governor: Governor): Promise<Client> {
  const [clientSide, proxyDown] = InMemoryTransport.createLinkedPair();
  const [proxyUp, serverSide] = InMemoryTransport.createLinkedPair();
  rawServer(serverSide);
  const proxy = new McpProxy(proxyDown, proxyUp, governor, { progressIntervalMs: 10 });
  await proxy.start();
  const client = new Client({ name: 'order-test', version: '1' });
  await client.connect(clientSide);
  closers.push(() => client.close(), () => proxy.close());
  return client;
}

it("a call's progress reaches the client before its result, however close together the server wrote them", async () => {
  const governor = new FakeGovernor('ALLOW', 0);
  const client = await connect(governor);
  for (let round = 0; round < 5; round++) {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'work', arguments: {} }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(seen).toEqual([1, 2, 3]);
  }
  expect(governor.completed).toHaveLength(5);
});

it('no waiting notes while Warden takes its time to allow; they come once the answer is ALERT', async () => {
  const slowAllow = await connect(new FakeGovernor('ALLOW', 150));
  const allowNotes: string[] = [];
  await slowAllow.callTool({ name: 'work', arguments: {} }, undefined, { onprogress: (p) => p.message && allowNotes.push(p.message) });
  expect(allowNotes).toEqual([]);

  const alert = await connect(new FakeGovernor('ALERT', 150));
  const alertNotes: string[] = [];
  await alert.callTool({ name: 'work', arguments: {} }, undefined, { onprogress: (p) => p.message && alertNotes.push(p.message) });
  expect(alertNotes.length).toBeGreaterThan(0);
  expect(new Set(alertNotes)).toEqual(new Set([WAITING]));
});
