/** Budgets (ledger.ts): the BudgetLedger the actions pipeline uses, assembled from one dependency object. */
import { afterEach, describe, expect, it } from 'vitest';
import { Budgets } from '../../../electron/budgets/ledger.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';

let l: LedgerDb;
afterEach(() => l.close());

const budgetsOn = (l: LedgerDb, over: Partial<ConstructorParameters<typeof Budgets>[0]> = {}) =>
  new Budgets({ db: l.db, audit: l.audit, bus: l.bus, clock: l.clock, ids: l.ids, timeZone: 'UTC', ...over });

describe('Budgets as the actions pipeline sees them', () => {
  it('refuses a time zone this runtime does not know', () => {
    l = openLedgerDb();
    expect(() => budgetsOn(l, { timeZone: 'Mars/Olympus' })).toThrow();
  });

  it('reservation timeout defaults to an hour and follows the dependency', () => {
    l = openLedgerDb();
    expect(budgetsOn(l).reservationTimeoutMs).toBe(3_600_000);
    expect(budgetsOn(l, { reservationTimeoutMs: 5_000 }).reservationTimeoutMs).toBe(5_000);
  });

  it('kill-switch and applicable budgets as the decision reads them', () => {
    l = openLedgerDb();
    const b = budgetsOn(l);
    b.killSwitchControl.set(true, 'halt', 'operator:op_1');
    expect(b.killSwitch()).toEqual({ engaged: true, reason: 'halt' });
    b.settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 100, mode: 'cap' }, 'system');
    expect(b.applicableBudgets(agentCtx('agt_1', 'crew'), null)).toEqual([
      expect.objectContaining({ scope: 'team', scope_id: 'crew', limit_micro_usd: 1_000_000, spent_micro_usd: 0, reserved_micro_usd: 0, mode: 'cap', status: 'active' }),
    ]);
  });

  it('settle releases the hold and records the cost in one transaction; no cost records nothing', () => {
    l = openLedgerDb();
    const b = budgetsOn(l);
    b.settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    const agent = agentCtx('agt_1');
    b.reserve('act_1', agent, null, 50_000);
    expect(b.settle('act_1', agent, null, { cost_micro_usd: 30_000 }, 'agent:agt_1')).toEqual({ spent_micro_usd: 30_000 });
    expect(b.settings.get('global', 'global')).toMatchObject({ spent_micro_usd: 30_000, reserved_micro_usd: 0 });
    expect(l.db.prepare("SELECT action_id FROM spend_events").all()).toEqual([{ action_id: 'act_1' }]);
    b.reserve('act_2', agent, null, 10);
    expect(b.settle('act_2', agent, null, {}, 'agent:agt_1')).toEqual({ spent_micro_usd: 0 });
    expect(b.settings.get('global', 'global')).toMatchObject({ spent_micro_usd: 30_000, reserved_micro_usd: 0 });
  });

  it('a bad cost names the completion field and leaves the hold in place', () => {
    l = openLedgerDb();
    const b = budgetsOn(l);
    b.settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    b.reserve('act_1', agentCtx('agt_1'), null, 50_000);
    expect(() => b.settle('act_1', agentCtx('agt_1'), null, { cost_micro_usd: -1 }, 'system')).toThrow(/^cost_micro_usd: expected an integer/);
    expect(b.settings.get('global', 'global').reserved_micro_usd).toBe(50_000);
    b.release('act_1', 'failed');
    expect(b.settings.get('global', 'global').reserved_micro_usd).toBe(0);
  });
});
