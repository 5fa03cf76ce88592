/**
 * GET /v1/agents/activity: per agent, pending approval requests and spend this period — its agent
 * budget's current period, or today (operator's time zone) without a budget — in one read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /v1/agents/activity', () => {
  it('counts pending requests and this period’s spend per agent, leaving deleted agents out', async () => {
    const clock = new ManualClock(Date.parse('2026-03-10T12:00:00Z'));
    t = await startTestApp({ clock, timeZone: 'UTC' });
    const app = t;
    const budgeted = await app.agent('budgeted');
    const loose = await app.agent('loose');
    const gone = await app.agent('gone');
    await app.api(app.op).answer('setBudget', { body: { scope: 'agent', scope_id: budgeted.id, limit_usd_cents: 1000, period: 'week' } });
    // Yesterday's spend counts for the week, not for today.
    clock.set('2026-03-09T12:00:00Z');
    await app.api(budgeted.key).answer('recordSpend', { body: { amount_micro_usd: 300_000 } });
    await app.api(loose.key).answer('recordSpend', { body: { amount_micro_usd: 111 } });
    clock.set('2026-03-10T12:00:00Z');
    await app.api(budgeted.key).answer('recordSpend', { body: { amount_micro_usd: 200_000 } });
    await app.api(loose.key).answer('recordSpend', { body: { amount_micro_usd: 42 } });
    for (const cmd of ['a', 'b']) await app.api(loose.key).answer('createAction', { body: { tool: 'shell.exec', args: { command: cmd } } });
    await app.api(budgeted.key).answer('createAction', { body: { tool: 'shell.exec', args: { command: 'c' } } });
    await app.api(app.op).answer('deleteAgent', { params: { id: gone.id } });

    const res = await app.api(app.op).answer('agentActivity');
    const by = new Map(res.body.data.map((r) => [r.agent_id, r]));
    expect(by.has(gone.id)).toBe(false);
    expect(by.get(budgeted.id)).toEqual({
      agent_id: budgeted.id, pending_approvals: 1, spent_micro_usd: 500_000, period: 'week', period_starts_at: '2026-03-09T00:00:00.000Z', budgeted: true,
    });
    expect(by.get(loose.id)).toEqual({
      agent_id: loose.id, pending_approvals: 2, spent_micro_usd: 42, period: 'day', period_starts_at: '2026-03-10T00:00:00.000Z', budgeted: false,
    });

    // Next week, before anything rolls the budget: nothing spent in the new period.
    clock.set('2026-03-16T01:00:00Z');
    const next = new Map((await app.api(app.op).answer('agentActivity')).body.data.map((r) => [r.agent_id, r]));
    expect(next.get(budgeted.id)).toMatchObject({ spent_micro_usd: 0, period_starts_at: '2026-03-16T00:00:00.000Z' });
  });

  it('is an operator route', async () => {
    t = await startTestApp();
    const agent = await t.agent('nosy');
    expect((await t.raw('GET', '/v1/agents/activity', { key: agent.key })).status).toBe(403);
  });
});
