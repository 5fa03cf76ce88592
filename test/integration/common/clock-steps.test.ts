/**
 * Steps of the wall clock (an operator or NTP setting it) change neither durations nor
 * irreversible decisions: timers and long-polls run on the monotonic clock, an approval past its
 * `expires_at` reads as expired even when no timer fired, a budget period rolls only on a step
 * that holds, and ids keep sorting in creation order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSystemClock, ManualClock } from '../../../electron/common/clock.js';
import { clockIds } from '../../../electron/common/ids.js';
import { DEFAULT_SETTLE_MS, SteadyWallClock } from '../../../electron/common/steady-clock.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { harness, type Harness } from '../../support/actions-harness.js';

const open: (TestApp | Harness)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('timers', () => {
  it("the system clock's timers ignore a backward step of the wall clock", async () => {
    // The wall clock steps back 20 s right after the timer is set; the monotonic one is real.
    let stepped = false;
    const clock = createSystemClock({ wall: () => Date.now() - (stepped ? 20_000 : 0) });
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      clock.setTimer(50, () => {
        order.push('clock timer (50 ms)');
        resolve();
      });
      stepped = true;
      // A plain timer as the yardstick: a timer measured on the wall clock would re-arm for
      // another 20 s and fire long after it.
      setTimeout(() => {
        order.push('yardstick (1 s)');
        resolve();
      }, 1000);
    });
    await done;
    expect(order[0]).toBe('clock timer (50 ms)');
  });

  it('a long-poll times out after its own duration whatever the wall clock does', async () => {
    const h = await harness();
    open.push(h);
    const a = await h.agent('waiter');
    const asked = (await h.act(a.key, { tool: 'shell.exec', args: { command: 'ls' } })).body;
    let answered = false;
    const poll = h.api(h.op).answer('waitApproval', { params: { id: asked.approval_id! }, query: { timeout_s: '5' } }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    h.clock.step(-20_000);
    h.clock.advance(4_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    h.clock.advance(1);
    const res = await poll;
    expect(res.body).toMatchObject({ id: asked.approval_id, status: 'pending' });
  });
});

describe('approval expiry', () => {
  it('after a forward step past expires_at, reads and waits say expired before any timer fires', async () => {
    const h = await harness();
    open.push(h);
    const a = await h.agent('late');
    const asked = (await h.act(a.key, { tool: 'shell.exec', args: { command: 'ls' } })).body;
    h.clock.step(10 * MINUTE); // the TTL is 5 minutes; no time passed, so the reaper's timer is still armed
    const read = await h.api(h.op).answer('getApproval', { params: { id: asked.approval_id! } });
    expect(read.body.status).toBe('expired');
    const listed = await h.api(h.op).answer('listApprovals', { query: { status: 'pending' } });
    expect(listed.body.data).toEqual([]);
    const action = await h.api(a.key).answer('getAction', { params: { id: asked.id } });
    expect(action.body.status).not.toBe('pending_approval');
    const late = await h.decideRaw(asked.approval_id!, { decision: 'allow_once' });
    expect(late.status).toBe(409);
    expect(errorBody(late.body).error.code).toBe('approval_expired');
  });

  it('after a forward step, the agent reading its action first sees it expired, not still pending', async () => {
    const h = await harness();
    open.push(h);
    const a = await h.agent('late-action');
    const asked = (await h.act(a.key, { tool: 'shell.exec', args: { command: 'ls' } })).body;
    h.clock.step(10 * MINUTE);
    const action = await h.api(a.key).answer('getAction', { params: { id: asked.id } });
    expect(action.body.status).toBe('expired');
    const listed = await h.api(h.op).answer('listActions', { query: { agent_id: a.id } });
    expect(listed.body.data[0]!.status).toBe('expired');
  });

  it('a long-poll on an approval that lapsed by a step answers expired at once', async () => {
    const h = await harness();
    open.push(h);
    const a = await h.agent('late2');
    const asked = (await h.act(a.key, { tool: 'shell.exec', args: { command: 'ls' } })).body;
    h.clock.step(10 * MINUTE);
    const res = await h.api(h.op).answer('waitApproval', { params: { id: asked.approval_id! }, query: { timeout_s: '30' } });
    expect(res.body.status).toBe('expired');
  });
});

describe('budget periods', () => {
  async function pausedDayBudget() {
    const clock = new ManualClock(Date.parse('2026-01-05T23:50:00Z'));
    const t = await startTestApp({ clock, timeZone: 'UTC', backups: false });
    open.push(t);
    const a = await t.agent('spender');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap', period: 'day' } });
    expect((await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 120_000 } })).body.paused).toBe(true);
    const read = async () => (await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body;
    return { clock, t, read };
  }

  it('a forward glitch past midnight that is corrected does not roll a paused budget into tomorrow', async () => {
    const { clock, read } = await pausedDayBudget();
    clock.step(DAY);
    expect(await read()).toMatchObject({ status: 'paused', spent_micro_usd: 120_000, period_starts_at: '2026-01-05T00:00:00.000Z' });
    clock.advance(MINUTE);
    expect(await read()).toMatchObject({ status: 'paused', period_starts_at: '2026-01-05T00:00:00.000Z' });
    clock.step(-DAY);
    clock.advance(MINUTE);
    expect(await read()).toMatchObject({ status: 'paused', spent_micro_usd: 120_000, period_starts_at: '2026-01-05T00:00:00.000Z' });
  });

  it('a forward step that holds is accepted once it has held; time that passes rolls at once', async () => {
    const held = await pausedDayBudget();
    held.clock.step(DAY);
    expect((await held.read()).status).toBe('paused');
    held.clock.advance(DEFAULT_SETTLE_MS);
    expect(await held.read()).toMatchObject({ status: 'active', spent_micro_usd: 0, period_starts_at: '2026-01-06T00:00:00.000Z' });

    const passing = await pausedDayBudget();
    passing.clock.advance(10 * MINUTE); // real time to 00:00
    expect(await passing.read()).toMatchObject({ status: 'active', spent_micro_usd: 0, period_starts_at: '2026-01-06T00:00:00.000Z' });
  });

  it('the steady clock trusts small drift and backward steps at once', () => {
    const clock = new ManualClock(Date.parse('2026-01-05T12:00:00Z'));
    const steady = new SteadyWallClock(clock);
    clock.step(2_000); // within tolerance: NTP slewing
    expect(steady.now()).toBe(clock.now());
    clock.step(-60_000);
    expect(steady.now()).toBe(clock.now());
    clock.step(3_600_000);
    expect(steady.now()).toBe(clock.now() - 3_600_000);
  });
});

describe('reservations', () => {
  it('a forward glitch does not release live reservations as abandoned; time that passes does', async () => {
    const h = await harness();
    open.push(h);
    await h.allow('x.run');
    const a = await h.agent('reserver');
    await h.api(h.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 1000, mode: 'cap' } });
    const act = await h.act(a.key, { tool: 'x.run', cost_estimate_micro_usd: 5_000_000 });
    expect(act.body.status).toBe('allowed');
    const reserved = async () => (await h.api(h.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body.reserved_micro_usd;
    expect(await reserved()).toBe(5_000_000);
    h.clock.step(2 * 60 * MINUTE); // past the 1 h reservation timeout on the wall clock only
    h.clock.advance(MINUTE); // the reaper's turn
    expect(await reserved()).toBe(5_000_000);
    h.clock.step(-2 * 60 * MINUTE);
    h.clock.advance(61 * MINUTE);
    expect(await reserved()).toBe(0);
  });
});

describe('ids', () => {
  it('keep sorting in creation order across a backward step and within one millisecond', () => {
    const clock = new ManualClock(Date.parse('2026-01-05T12:00:00Z'));
    const ids = clockIds(clock);
    const made: string[] = [];
    for (let i = 0; i < 500; i++) made.push(ids.next('act'));
    clock.step(-20_000);
    for (let i = 0; i < 500; i++) made.push(ids.next('act'));
    clock.advance(1);
    for (let i = 0; i < 500; i++) made.push(ids.next('act'));
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    for (const id of made) expect(id).toMatch(/^act_[0-9a-z]{9}[A-Za-z0-9_-]{12}$/);
  });
});
