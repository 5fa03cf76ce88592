/** PeriodRoll: a row whose period is over is closed and started again before it is read or charged. */
import { afterEach, describe, expect, it } from 'vitest';
import { PeriodRoll } from '../../../electron/budgets/period-roll.js';
import { SteadyWallClock } from '../../../electron/common/steady-clock.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb;
afterEach(() => l.close());

const DAY = 86_400_000;

describe('PeriodRoll', () => {
  it('a daily cap paused by its spend wakes at the next midnight, its day closed once', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { settings, spend, periods, store } = budgetModules(l);
    const b = settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap', period: 'day' }, 'system');
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_000_000 }, 'system');
    expect(store.byId(b.id)).toMatchObject({ status: 'paused', spent_micro_usd: 1_000_000 });
    l.clock.set('2026-01-05T23:59:59Z');
    periods.rollDue();
    expect(store.byId(b.id)?.status).toBe('paused');
    l.clock.set('2026-01-06T00:00:01Z');
    l.events.length = 0;
    periods.rollDue();
    periods.rollDue();
    expect(store.byId(b.id)).toMatchObject({ status: 'active', spent_micro_usd: 0, period_start_ms: Date.parse('2026-01-06T00:00:00Z') });
    expect(store.periods(b.id, { limit: 10 }).data).toMatchObject([{ period_starts_at: '2026-01-05T00:00:00.000Z', spent_micro_usd: 1_000_000 }]);
    expect(l.events.map((e) => [e.type, e.type === 'budget.resumed' ? e.data.reason : null])).toEqual([['budget.resumed', 'period_rollover']]);
  });

  it('a manual pause stays paused across the roll', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { settings, periods } = budgetModules(l);
    settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 100, period: 'day' }, 'system');
    settings.pause('team', 'crew', undefined, 'operator:op_1');
    l.clock.advance(DAY);
    expect(periods.require('team', 'crew')).toMatchObject({ status: 'paused', paused_reason: 'manual', spent_micro_usd: 0 });
  });

  it('applicable rows are rolled before they are charged', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { settings, spend, periods } = budgetModules(l);
    settings.set({ scope: 'global', limit_usd_cents: 100, period: 'day' }, 'system');
    spend.record({ agent: null, amount_micro_usd: 300_000 }, 'system');
    l.clock.advance(DAY);
    expect(periods.applicable('agt_1', null, null)).toMatchObject([{ scope: 'global', spent_micro_usd: 0 }]);
    expect(spend.record({ agent: null, amount_micro_usd: 7 }, 'system').budgets[0]!.spent_micro_usd).toBe(7);
  });

  it('a forward glitch of the wall clock rolls nothing until it has held', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { store, events, settings } = budgetModules(l);
    const periods = new PeriodRoll({ db: l.db, store, events, periodClock: new SteadyWallClock(l.clock, 60_000), timeZone: 'UTC' });
    settings.set({ scope: 'global', limit_usd_cents: 100, period: 'day' }, 'system');
    l.clock.step(DAY);
    expect(periods.require('global', 'global').period_start_ms).toBe(Date.parse('2026-01-05T00:00:00Z'));
    l.clock.advance(60_000);
    expect(periods.require('global', 'global').period_start_ms).toBe(Date.parse('2026-01-06T00:00:00Z'));
  });
});
