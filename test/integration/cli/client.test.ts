/** The typed client the CLI, the renderer and TypeScript agents share: call, paginate, raw, events, ask, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenApiError, WardenClient } from '../../../shared/client.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let opClient: WardenClient;

beforeAll(async () => {
  t = await startTestApp({ heartbeatMs: 50 });
  opClient = new WardenClient({ baseUrl: `${t.url}/`, key: t.op });
});
afterAll(async () => {
  await t?.close();
});

describe('WardenClient', () => {
  it('paginate follows next_cursor across pages', async () => {
    for (let i = 0; i < 7; i++) await t.agent(`page-agent-${i}`);
    const names: string[] = [];
    for await (const a of opClient.paginate('listAgents', { query: { limit: 3 } })) names.push(a.name);
    expect(names).toHaveLength(7);
    expect(new Set(names).size).toBe(7);
  });

  it('errors carry status, code and param; a dead server is `unreachable`', async () => {
    const err = await opClient.call('createAgent', { body: { name: 'bad name!' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WardenApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_parameter', param: 'name', unreachable: false });

    const dead = new WardenClient({ baseUrl: 'http://127.0.0.1:1', key: t.op });
    const down = await dead.call('health').catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0, code: 'network_error', unreachable: true });
    expect((down as Error).message).toMatch(/^cannot reach Warden at http:\/\/127\.0\.0\.1:1: /);
  });

  it('a caller abort is thrown as such, not as an unreachable server', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await opClient.call('health', undefined, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(WardenApiError);
    expect((err as Error).name).toBe('AbortError');
  });

  it('raw hands back the Response for streaming', async () => {
    const res = await opClient.raw('exportAudit', { query: { format: 'jsonl' } });
    expect(res.headers.get('content-type')).toContain('ndjson');
    const lines = (await res.text()).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ object: 'audit_event' });
  });

  it('events iterates the SSE stream', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of opClient.events({ signal: ac.signal })) {
        seen.push(e.type);
        if (e.type === 'kill_switch.changed') break;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await opClient.call('setKillSwitch', { body: { engaged: true } });
    await reading;
    ac.abort();
    expect(seen).toContain('kill_switch.changed');
    await opClient.call('setKillSwitch', { body: { engaged: false } });
  });

  it('ask: ALLOW, BLOCK, and an ALERT answered while it waits', async () => {
    const { key } = await t.agent('asker');
    await opClient.call('createGuardrail', {
      body: { name: 'asker-rules', rules: [{ tool: 'ok.tool', decision: 'ALLOW' }, { tool: 'capped.tool', max_value: 5, decision: 'ALLOW' }, { tool: 'ask.tool', decision: 'ALERT' }] },
    });
    const agent = new WardenClient({ baseUrl: t.url, key });
    expect(await agent.ask({ tool: 'ok.tool' })).toMatchObject({ verdict: 'allowed', approval: null, action: { status: 'allowed' } });
    expect(await agent.ask({ tool: 'capped.tool', value: 9 })).toMatchObject({ verdict: 'blocked', action: { block_code: 'constraint_failed' } });

    const asking = agent.ask({ tool: 'ask.tool' }, { waitSeconds: 20 });
    let pending;
    for (let i = 0; i < 100 && !pending; i++) {
      pending = (await opClient.call('listApprovals', { query: { status: 'pending' } })).data[0];
      if (!pending) await new Promise((r) => setTimeout(r, 20));
    }
    await opClient.call('decideApproval', { params: { id: pending!.id }, body: { decision: 'deny', comment: 'nope' } });
    expect(await asking).toMatchObject({ verdict: 'denied', reason: 'denied by the operator: nope', approval: { status: 'denied' } });

    const waitless = await agent.ask({ tool: 'ask.tool' }, { waitSeconds: 0 });
    expect(waitless).toMatchObject({ verdict: 'pending', approval: { status: 'pending' } });
  });
});
