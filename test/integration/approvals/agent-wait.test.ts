/**
 * The agent's own remaining wait: a long-poll tells Warden how long the agent keeps waiting in
 * all (`will_wait_s`), shown on the pending approval as `agent_waiting_until` and announced as
 * `approval.waiting`; a client that goes away, or a wait that runs out, is no longer waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, toIso } from '../../../electron/common/clock.js';
import type { WardenEvent } from '../../../shared/events.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup() {
  const clock = new ManualClock();
  const app = await startTestApp({ clock, timeZone: 'UTC' });
  t = app;
  const events: WardenEvent[] = [];
  app.app.bus.subscribe((e) => events.push(e));
  const agent = await app.agent('waiter');
  const act = (await app.api(agent.key).answer('createAction', { body: { tool: 'shell.exec', args: { command: 'make deploy' } } })).body;
  expect(act.status).toBe('pending_approval');
  const id = act.approval_id!;
  const approval = async () => (await app.api(app.op).answer('getApproval', { params: { id } })).body;
  const waitingEvents = () => events.filter((e) => e.type === 'approval.waiting').map((e) => (e.data as { agent_waiting_until: string | null }).agent_waiting_until);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };
  return { app, clock, agent, id, approval, waitingEvents, until };
}

describe('agent_waiting_until', () => {
  it('is null until the agent waits, then the wait the agent declared, kept across its polls until it runs out', async () => {
    const { app, clock, agent, id, approval, waitingEvents, until } = await setup();
    expect((await approval()).agent_waiting_until).toBeNull();
    const start = clock.now();
    const poll = app.api(agent.key).answer('waitApproval', { params: { id }, query: { timeout_s: 30, will_wait_s: 200 } });
    await until(() => waitingEvents().length === 1);
    expect(waitingEvents()).toEqual([toIso(start + 200_000)]);
    expect((await approval()).agent_waiting_until).toBe(toIso(start + 200_000));

    // The poll times out; the agent polls again with what is left: the same wait, no new event.
    clock.advance(30_000);
    expect((await poll).body.status).toBe('pending');
    expect((await approval()).agent_waiting_until).toBe(toIso(start + 200_000));
    const again = app.api(agent.key).answer('waitApproval', { params: { id }, query: { timeout_s: 30, will_wait_s: 170 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(waitingEvents()).toHaveLength(1);
    clock.advance(30_000);
    await again;

    // Its wait runs out: no longer waiting.
    clock.advance(141_000);
    expect((await approval()).agent_waiting_until).toBeNull();
  });

  it('never past the request\'s own expiry', async () => {
    const { app, agent, id, approval, waitingEvents, until } = await setup();
    const expiresAt = (await approval()).expires_at;
    const poll = app.api(agent.key).answer('waitApproval', { params: { id }, query: { timeout_s: 30, will_wait_s: 86_400 } });
    await until(() => waitingEvents().length === 1);
    expect(waitingEvents()).toEqual([expiresAt]);
    expect((await approval()).agent_waiting_until).toBe(expiresAt);
    await app.api(app.op).answer('decideApproval', { params: { id }, body: { decision: 'deny' } });
    await poll;
  });

  it('without will_wait_s, a long-poll waits its own timeout; a decision clears the wait', async () => {
    const { app, clock, agent, id, approval, waitingEvents, until } = await setup();
    const start = clock.now();
    const poll = app.api(agent.key).answer('waitApproval', { params: { id }, query: { timeout_s: 40 } });
    await until(() => waitingEvents().length === 1);
    expect((await approval()).agent_waiting_until).toBe(toIso(start + 40_000));
    await app.api(app.op).answer('decideApproval', { params: { id }, body: { decision: 'deny' } });
    expect((await poll).body).toMatchObject({ status: 'denied', agent_waiting_until: null });
    expect((await approval()).agent_waiting_until).toBeNull();
  });

  it('a client that goes away is no longer waiting, and every Inbox is told', async () => {
    const { app, id, approval, waitingEvents, until, agent } = await setup();
    const abort = new AbortController();
    const poll = fetch(`${app.url}/v1/approvals/${id}/wait?timeout_s=30&will_wait_s=900`, { headers: { authorization: `Bearer ${agent.key}` }, signal: abort.signal });
    await until(() => waitingEvents().length === 1);
    expect((await approval()).agent_waiting_until).not.toBeNull();
    abort.abort();
    await poll.catch(() => undefined);
    await until(() => waitingEvents().length === 2);
    expect(waitingEvents()[1]).toBeNull();
    expect((await approval()).agent_waiting_until).toBeNull();
  });

  it('the typed client tells its whole wait with each poll', async () => {
    const { app, agent, waitingEvents, until, clock } = await setup();
    const start = clock.now();
    const asked = app.api(agent.key).ask({ tool: 'shell.exec', args: { command: 'make release' } }, { waitSeconds: 300 });
    await until(() => waitingEvents().length >= 1);
    // The second request of this test: its declared end is about 300 s after it was asked.
    const declared = Date.parse(waitingEvents().at(-1)!);
    expect(declared - start).toBeGreaterThan(290_000);
    expect(declared - start).toBeLessThanOrEqual(301_000);
    const pending = (await app.api(app.op).answer('listApprovals', { query: { status: 'pending' } })).body.data;
    const mine = pending.find((a) => a.action.args?.command === 'make release')!;
    await app.api(app.op).answer('decideApproval', { params: { id: mine.id }, body: { decision: 'deny' } });
    expect((await asked).verdict).toBe('denied');
  });

  it('rejects a wait over a day', async () => {
    const { app, agent, id } = await setup();
    const res = await app.raw('GET', `/v1/approvals/${id}/wait?timeout_s=1&will_wait_s=90000`, { key: agent.key });
    expect(res.status).toBe(400);
  });
});
