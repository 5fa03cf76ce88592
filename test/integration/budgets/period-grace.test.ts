/**
 * Grace for this period: a resume with `grace_for: period` raises the cap until the next period
 * boundary, keeps the original cap visible (`cap_after_period_usd_cents`), and at the boundary the
 * original cap returns; `grace_for: cap` (the default) keeps the raised cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  l?.close();
  l = undefined;
  await t?.close();
  t = undefined;
});

describe('resume with grace for this period', () => {
  it('raises the cap until the boundary, where the original cap returns', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { settings, spend, periods, store } = budgetModules(l);
    const b = settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap', period: 'day' }, 'system');
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_000_000 }, 'system');
    expect(store.byId(b.id)?.status).toBe('paused');

    const { budget } = settings.resume('agent', 'agt_1', 50, 'operator:op_1', 'period');
    expect(budget).toMatchObject({ status: 'active', limit_usd_cents: 150, cap_after_period_usd_cents: 100 });
    // A second grace in the same period still returns to the original cap.
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 500_000 }, 'system');
    expect(settings.resume('agent', 'agt_1', 25, 'operator:op_1', 'period').budget).toMatchObject({ limit_usd_cents: 175, cap_after_period_usd_cents: 100 });
    expect(l.events.filter((e) => e.type === 'budget.resumed').map((e) => e.type === 'budget.resumed' && e.data.grace_for)).toEqual(['period', 'period']);

    l.clock.set('2026-01-05T23:59:59Z');
    expect(periods.require('agent', 'agt_1')).toMatchObject({ limit_usd_cents: 175, cap_after_period_usd_cents: 100 });
    l.clock.set('2026-01-06T00:00:01Z');
    periods.rollDue();
    expect(store.byId(b.id)).toMatchObject({ limit_usd_cents: 100, cap_after_period_usd_cents: null, spent_micro_usd: 0, status: 'active' });
    // The closed day keeps the cap it had.
    expect(store.periods(b.id, { limit: 10 }).data).toMatchObject([{ limit_usd_cents: 175, spent_micro_usd: 1_500_000 }]);
    // The next day pauses at the original cap again.
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_000_000 }, 'system');
    expect(store.byId(b.id)?.status).toBe('paused');
  });

  it('grace for the cap (the default) stands across the boundary; a cap the operator sets ends a period grace', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { settings, spend, periods } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap', period: 'day' }, 'system');
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_000_000 }, 'system');
    expect(settings.resume('agent', 'agt_1', 50, 'operator:op_1').budget).toMatchObject({ limit_usd_cents: 150, cap_after_period_usd_cents: null });
    l.clock.set('2026-01-06T00:00:01Z');
    expect(periods.require('agent', 'agt_1')).toMatchObject({ limit_usd_cents: 150, cap_after_period_usd_cents: null });

    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_500_000 }, 'system');
    expect(settings.resume('agent', 'agt_1', 10, 'operator:op_1', 'period').budget).toMatchObject({ limit_usd_cents: 160, cap_after_period_usd_cents: 150 });
    expect(settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 300 }, 'operator:op_1')).toMatchObject({ limit_usd_cents: 300, cap_after_period_usd_cents: null });
    l.clock.set('2026-01-07T00:00:01Z');
    expect(periods.require('agent', 'agt_1')).toMatchObject({ limit_usd_cents: 300 });
  });

  it('over HTTP: a budget without a period has no boundary (422), and grace_for period needs a grace (400); nothing changes', async () => {
    t = await startTestApp({ clock: new ManualClock(), timeZone: 'UTC' });
    const agent = await t.agent('spender');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' } });
    const noPeriod = await t.raw('POST', `/v1/budgets/agent/${agent.id}/resume`, { key: t.op, body: { grace_usd_cents: 50, grace_for: 'period' } });
    expect(noPeriod.status).toBe(422);
    expect(errorBody(noPeriod.body).error).toMatchObject({ code: 'unprocessable', param: 'grace_for' });
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, period: 'day' } });
    const noGrace = await t.raw('POST', `/v1/budgets/agent/${agent.id}/resume`, { key: t.op, body: { grace_for: 'period' } });
    expect(noGrace.status).toBe(400);
    expect(errorBody(noGrace.body).error.param).toBe('grace_usd_cents');
    await t.api(agent.key).answer('recordSpend', { body: { amount_micro_usd: 1_000_000 } });
    const ok = await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: agent.id }, body: { grace_usd_cents: 50, grace_for: 'period' } });
    expect(ok.body.budget).toMatchObject({ limit_usd_cents: 150, cap_after_period_usd_cents: 100 });
  });
});
