/**
 * An agent cannot flood Warden: its requests are rate limited (429 rate_limited with
 * Retry-After), an action's args have a size limit (413, param args), and the blocked actions of
 * a disabled agent are stored without their args (only their hash and size).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

const open: TestApp[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});
async function start(config: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(config);
  open.push(t);
  return t;
}

describe('per-agent rate limit', () => {
  it('past its burst an agent gets 429 rate_limited with Retry-After; another agent and the operator are not limited', async () => {
    const t = await start({ rateLimit: { perSecond: 5, burst: 10 } });
    const noisy = await t.agent('noisy');
    const quiet = await t.agent('quiet');
    const results = await Promise.all(Array.from({ length: 30 }, () => t.raw('GET', '/v1/me', { key: noisy.key })));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    expect(errorBody(limited[0]!.body).error.code).toBe('rate_limited');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A limited POST changes nothing.
    const act = await t.raw('POST', '/v1/actions', { key: noisy.key, body: { tool: 'shell.exec', args: { command: 'ls' } } });
    expect(act.status).toBe(429);
    expect(t.app.db.prepare('SELECT COUNT(*) AS n FROM actions').get()).toEqual({ n: 0 });

    expect((await t.api(quiet.key).answer('me')).status).toBe(200);
    for (let i = 0; i < 15; i++) expect((await t.api(t.op).answer('listAgents')).status).toBe(200);
    expect((await t.api().answer('health')).status).toBe(200);
  });

  it('all agents together have a limit too: many agents each within their own cannot flood the server', async () => {
    const t = await start({ rateLimit: { perSecond: 5, burst: 10, total: { perSecond: 10, burst: 20 } } });
    const agents = await Promise.all(['a1', 'a2', 'a3', 'a4'].map((n) => t.agent(n)));
    const results = await Promise.all(agents.flatMap((a) => Array.from({ length: 8 }, () => t.raw('GET', '/v1/me', { key: a.key }))));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(20);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(12);
    // The operator is not an agent: still answered.
    expect((await t.api(t.op).answer('listAgents')).status).toBe(200);
  });

  it('is on by default', async () => {
    const saved = process.env.WARDEN_RATE_LIMIT;
    delete process.env.WARDEN_RATE_LIMIT;
    const t = await start().finally(() => {
      if (saved !== undefined) process.env.WARDEN_RATE_LIMIT = saved;
    });
    const agent = await t.agent('flood');
    const results = await Promise.all(Array.from({ length: 120 }, () => t.raw('GET', '/v1/me', { key: agent.key })));
    expect(results.some((r) => r.status === 429)).toBe(true);
  });
});

describe('action bodies', () => {
  it('args over the limit are 413 payload_too_large with param args, and nothing is recorded', async () => {
    const t = await start({ maxArgsBytes: 1024 });
    const agent = await t.agent('big');
    const res = await t.raw('POST', '/v1/actions', { key: agent.key, body: { tool: 'file.write', args: { content: 'x'.repeat(2000) } } });
    expect(res.status).toBe(413);
    expect(errorBody(res.body).error).toMatchObject({ code: 'payload_too_large', param: 'args' });
    expect(t.app.db.prepare('SELECT COUNT(*) AS n FROM actions').get()).toEqual({ n: 0 });
    const ok = await t.api(agent.key).answer('createAction', { body: { tool: 'file.write', args: { content: 'x'.repeat(500) } } });
    expect(ok.status).toBe(200);
  });

  it('the default limit is 64 KiB', async () => {
    const t = await start();
    const agent = await t.agent('big');
    const res = await t.raw('POST', '/v1/actions', { key: agent.key, body: { tool: 'file.write', args: { content: 'x'.repeat(70 * 1024) } } });
    expect(res.status).toBe(413);
  });

  it("a disabled agent's blocked actions keep only the args' hash and size", async () => {
    const t = await start();
    const agent = await t.agent('off');
    expect((await t.api(t.op).answer('updateAgent', { params: { id: agent.id }, body: { status: 'disabled' } })).status).toBe(200);
    const content = 'y'.repeat(30_000);
    const res = await t.api(agent.key).answer('createAction', { body: { tool: 'file.write', args: { path: '/tmp/a', content } } });
    expect(res.body).toMatchObject({ decision: 'BLOCK', block_code: 'agent_disabled' });
    expect(res.body.action.args).toEqual({ _omitted: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: JSON.stringify({ path: '/tmp/a', content }).length });
    const stored = t.app.db.prepare('SELECT action FROM receipts WHERE action_id = ?').get(res.body.id) as { action: string };
    expect(stored.action).not.toContain('yyyy');
    expect(stored.action.length).toBeLessThan(500);
    const got = await t.api(t.op).answer('getAction', { params: { id: res.body.id } });
    expect(got.body.action.args!._omitted).toBe(true);
  });
});
