/** BudgetSettings: the operator's set / pause / resume / delete, each one transaction with its audit rows. */
import { afterEach, describe, expect, it } from 'vitest';
import { immediate } from '../../../electron/db/connection.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb;
afterEach(() => l.close());

describe('BudgetSettings', () => {
  it('creates a warn-mode budget without a period by default, audited as budget.set', () => {
    l = openLedgerDb();
    const { settings } = budgetModules(l);
    const b = settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 500 }, 'operator:op_1');
    expect(b).toMatchObject({ scope: 'team', scope_id: 'crew', mode: 'warn', period: 'none', limit_micro_usd: 5_000_000, status: 'active', period_ends_at: null });
    expect(l.audited('budget.set')).toEqual([{ event_type: 'budget.set', actor: 'operator:op_1', subject_id: b.id, data: { budget: b, created: true } }]);
    expect(settings.get('team', 'crew')).toEqual(b);
  });

  it('refuses a bad limit, an id on the global scope and a missing id, writing nothing', () => {
    l = openLedgerDb();
    const { settings } = budgetModules(l);
    expect(() => settings.set({ scope: 'agent', scope_id: 'a', limit_usd_cents: 0 }, 'system')).toThrow(/limit_usd_cents: expected a positive integer/);
    expect(() => settings.set({ scope: 'global', scope_id: 'x', limit_usd_cents: 1 }, 'system')).toThrow(/global scope's id/);
    expect(() => settings.set({ scope: 'agent', limit_usd_cents: 1 }, 'system')).toThrow('scope_id is required for scope agent');
    expect(l.db.prepare('SELECT COUNT(*) AS n FROM budgets').get()).toEqual({ n: 0 });
    expect(() => settings.get('agent', 'nobody')).toThrow('no budget with id agent/nobody');
  });

  it('lowering a cap to the spend pauses at once, and the events go out after the commit', () => {
    l = openLedgerDb();
    const { settings, spend } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 1_000, mode: 'cap' }, 'system');
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 500_000 }, 'system');
    expect(l.events).toEqual([]);
    let seenInside: string[] = [];
    immediate(l.db, () => {
      settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 50 }, 'operator:op_1');
      seenInside = l.events.map((e) => e.type);
    });
    expect(seenInside).toEqual([]);
    expect(l.events.map((e) => e.type)).toEqual(['budget.warning', 'budget.cap_hit', 'budget.paused']);
    expect(settings.get('agent', 'agt_1')).toMatchObject({ status: 'paused', paused_reason: 'cap_hit', limit_usd_cents: 50 });
  });

  it('a change whose caller rolls back leaves the row and announces nothing', () => {
    l = openLedgerDb();
    const { settings } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap' }, 'system');
    expect(() =>
      immediate(l.db, () => {
        settings.pause('agent', 'agt_1', 'stop', 'operator:op_1');
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    expect(l.events).toEqual([]);
    expect(l.audited('budget.paused')).toEqual([]);
    expect(settings.get('agent', 'agt_1').status).toBe('active');
  });

  it('pause is manual; resume with grace raises the cap to spend + grace and says whether it will re-pause', () => {
    l = openLedgerDb();
    const { settings, spend } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap' }, 'system');
    spend.record({ agent: agentCtx('agt_1'), amount_micro_usd: 1_500_000 }, 'system');
    expect(settings.get('agent', 'agt_1')).toMatchObject({ status: 'paused', paused_reason: 'cap_hit' });
    const resumed = settings.resume('agent', 'agt_1', 25, 'operator:op_1');
    expect(resumed).toMatchObject({ budget: { status: 'active', limit_usd_cents: 175 }, will_repause: false });
    expect(settings.resume('agent', 'agt_1', undefined, 'operator:op_1').will_repause).toBe(false);
    const paused = settings.pause('agent', 'agt_1', 'lunch', 'operator:op_1');
    expect(paused).toMatchObject({ status: 'paused', paused_reason: 'manual' });
    expect(l.events.filter((e) => e.type === 'budget.paused').at(-1)!.data).toMatchObject({ reason: 'manual', note: 'lunch' });
    expect(() => settings.resume('agent', 'agt_1', 0, 'operator:op_1')).toThrow(/grace_usd_cents: expected a positive integer/);
  });

  it('a manual pause survives a change of mode; a raised cap lifts it', () => {
    l = openLedgerDb();
    const { settings } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100 }, 'system');
    settings.pause('agent', 'agt_1', undefined, 'operator:op_1');
    expect(settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap' }, 'system')).toMatchObject({ status: 'paused', mode: 'cap' });
    expect(settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 200 }, 'system')).toMatchObject({ status: 'active', paused_reason: null });
    expect(l.audited('budget.resumed').map((r) => r.data.reason)).toEqual(['limit_raised']);
  });

  it('remove deletes the row and audits it; the scope is then unknown', () => {
    l = openLedgerDb();
    const { settings } = budgetModules(l);
    const b = settings.set({ scope: 'global', limit_usd_cents: 100 }, 'system');
    expect(settings.remove('global', 'global', 'operator:op_1')).toEqual({ ...b, deleted: true });
    expect(l.audited('budget.deleted')).toMatchObject([{ subject_id: b.id, data: { budget: b } }]);
    expect(settings.list({ limit: 10 }).data).toEqual([]);
  });
});
