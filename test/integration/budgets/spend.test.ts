/** SpendLedger: one spend row charged to every applicable budget in one transaction, with its crossings. */
import { afterEach, describe, expect, it } from 'vitest';
import { immediate } from '../../../electron/db/connection.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb;
afterEach(() => l.close());

describe('SpendLedger', () => {
  it('charges the agent, its team, the mission and global, and audits the spend with what it charged', () => {
    l = openLedgerDb();
    const { settings, spend } = budgetModules(l);
    for (const [scope, id] of [['agent', 'agt_1'], ['team', 'crew'], ['mission', 'm1'], ['global', 'global'], ['agent', 'agt_2']] as const) {
      settings.set({ scope, scope_id: id, limit_usd_cents: 1_000 }, 'system');
    }
    const r = spend.record({ agent: agentCtx('agt_1', 'crew'), mission_id: 'm1', amount_micro_usd: 1_234, note: 'n' }, 'agent:agt_1');
    expect(r.budgets.map((b) => `${b.scope}:${b.spent_micro_usd}`).sort()).toEqual(['agent:1234', 'global:1234', 'mission:1234', 'team:1234']);
    expect(r).toMatchObject({ object: 'spend_result', paused: false, spend: { agent_id: 'agt_1', mission_id: 'm1', amount_micro_usd: 1_234, pricing_source: 'caller', note: 'n' } });
    expect(settings.get('agent', 'agt_2').spent_micro_usd).toBe(0);
    const [audit] = l.audited('spend.recorded');
    expect(audit).toMatchObject({ actor: 'agent:agt_1', subject_id: r.spend.id, data: { spend: r.spend } });
    expect((audit!.data.charged as unknown[]).length).toBe(4);
  });

  it('prices usage from the model table; exactly one of amount and usage', () => {
    l = openLedgerDb();
    const { spend } = budgetModules(l);
    const r = spend.record({ agent: null, usage: { model: 'gpt-4o', input_tokens: 1000, output_tokens: 100 } }, 'system');
    expect(r.spend).toMatchObject({ amount_micro_usd: 3_500, usage: { model: 'gpt-4o', input_tokens: 1000, output_tokens: 100 } });
    expect(r.spend.pricing_source).not.toBe('caller');
    expect(() => spend.record({ agent: null }, 'system')).toThrow('send amount_micro_usd or usage');
    expect(() => spend.record({ agent: null, amount_micro_usd: 1, usage: { model: 'gpt-4o', input_tokens: 1, output_tokens: 1 } }, 'system')).toThrow(/exactly one/);
    expect(() => spend.record({ agent: null, amount_micro_usd: 1.5 }, 'system')).toThrow(/amount_micro_usd: expected an integer/);
    expect(l.db.prepare('SELECT COUNT(*) AS n FROM spend_events').get()).toEqual({ n: 1 });
  });

  it('crossings fire once each, in order, after the commit; a rolled-back spend announces nothing', () => {
    l = openLedgerDb();
    const { settings, spend } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 10, mode: 'cap' }, 'system');
    const agent = agentCtx('agt_1');
    expect(() =>
      immediate(l.db, () => {
        spend.record({ agent, amount_micro_usd: 200_000 }, 'system');
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    expect(l.events).toEqual([]);
    expect(l.db.prepare('SELECT COUNT(*) AS n FROM spend_events').get()).toEqual({ n: 0 });
    spend.record({ agent, amount_micro_usd: 80_000 }, 'system');
    expect(l.events.map((e) => e.type)).toEqual(['budget.warning']);
    const r = spend.record({ agent, amount_micro_usd: 20_000 }, 'system');
    expect(r.paused).toBe(true);
    expect(l.events.map((e) => e.type)).toEqual(['budget.warning', 'budget.cap_hit', 'budget.paused']);
    expect(l.events[2]!.data).toMatchObject({ scope: 'agent', scope_id: 'agt_1', reason: 'cap_hit', spend_id: r.spend.id, agent_id: 'agt_1' });
    spend.record({ agent, amount_micro_usd: 1 }, 'system');
    expect(l.events).toHaveLength(3);
  });

  it('lists newest first, filtered by agent, mission and time, page by page', () => {
    l = openLedgerDb('2026-01-05T12:00:00Z');
    const { spend } = budgetModules(l);
    for (let i = 1; i <= 4; i++) {
      spend.record({ agent: agentCtx(i % 2 ? 'agt_1' : 'agt_2'), mission_id: i === 4 ? 'm1' : null, amount_micro_usd: i }, 'system');
      l.clock.advance(60_000);
    }
    const first = spend.list({ limit: 3 });
    expect(first.data.map((s) => s.amount_micro_usd)).toEqual([4, 3, 2]);
    expect(spend.list({ limit: 3, cursor: first.next_cursor! }).data.map((s) => s.amount_micro_usd)).toEqual([1]);
    expect(spend.list({ limit: 10, agent_id: 'agt_1' }).data.map((s) => s.amount_micro_usd)).toEqual([3, 1]);
    expect(spend.list({ limit: 10, mission_id: 'm1' }).data.map((s) => s.amount_micro_usd)).toEqual([4]);
    expect(spend.list({ limit: 10, since: '2026-01-05T12:01:00Z', until: '2026-01-05T12:03:00Z' }).data.map((s) => s.amount_micro_usd)).toEqual([3, 2]);
  });
});
