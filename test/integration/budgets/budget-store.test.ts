/** BudgetStore: the SQL of budget rows and their closed periods, on a real SQLite file. */
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetStore, normalizeScopeId, toBudget, type BudgetRow } from '../../../electron/budgets/budget-store.js';
import { immediate } from '../../../electron/db/connection.js';
import { openLedgerDb, type LedgerDb } from './ledger-db.js';

let l: LedgerDb;
afterEach(() => l.close());

const row = (over: Partial<BudgetRow>): BudgetRow => ({
  id: 'bud_1',
  scope: 'agent',
  scope_id: 'agt_1',
  limit_usd_cents: 100,
  cap_after_period_usd_cents: null,
  mode: 'cap',
  period: 'none',
  period_start_ms: Date.parse('2026-01-05T00:00:00Z'),
  period_end_ms: null,
  spent_micro_usd: 0,
  reserved_micro_usd: 0,
  status: 'active',
  paused_reason: null,
  warned: 0,
  cap_hit: 0,
  created_at: '2026-01-05T12:00:00.000Z',
  updated_at: '2026-01-05T12:00:00.000Z',
  ...over,
});

describe('BudgetStore', () => {
  it('reads back what it inserts; update writes every column but the reservations', () => {
    l = openLedgerDb();
    const store = new BudgetStore({ db: l.db });
    store.insert(row({}));
    store.addReserved('bud_1', 7_000);
    store.update(row({ spent_micro_usd: 5, reserved_micro_usd: 999, status: 'paused', paused_reason: 'manual', warned: 1, updated_at: 'u2' }));
    expect(store.byScope('agent', 'agt_1')).toMatchObject({ spent_micro_usd: 5, reserved_micro_usd: 7_000, status: 'paused', paused_reason: 'manual', warned: 1, updated_at: 'u2' });
    store.subReserved('bud_1', 2_000);
    store.setSpent('bud_1', 42, 'u3');
    expect(store.byId('bud_1')).toMatchObject({ spent_micro_usd: 42, reserved_micro_usd: 5_000, status: 'paused', updated_at: 'u3' });
    expect(store.byScope('team', 'agt_1')).toBeUndefined();
  });

  it('applicable rows are the agent, its team, the mission and global, nothing else', () => {
    l = openLedgerDb();
    const store = new BudgetStore({ db: l.db });
    store.insert(row({ id: 'b_agent' }));
    store.insert(row({ id: 'b_other', scope_id: 'agt_2' }));
    store.insert(row({ id: 'b_team', scope: 'team', scope_id: 'crew' }));
    store.insert(row({ id: 'b_mission', scope: 'mission', scope_id: 'm1' }));
    store.insert(row({ id: 'b_global', scope: 'global', scope_id: 'global' }));
    store.insert(row({ id: 'b_team2', scope: 'team', scope_id: 'agt_1' }));
    expect(store.applicable('agt_1', 'crew', 'm1').map((r) => r.id).sort()).toEqual(['b_agent', 'b_global', 'b_mission', 'b_team']);
    expect(store.applicable(null, null, null).map((r) => r.id)).toEqual(['b_global']);
  });

  it('lists newest change first, page by page, filtered by scope and status', () => {
    l = openLedgerDb();
    const store = new BudgetStore({ db: l.db });
    for (let i = 1; i <= 5; i++) store.insert(row({ id: `bud_${i}`, scope_id: `agt_${i}`, updated_at: `2026-01-05T12:00:0${i}.000Z`, status: i % 2 ? 'active' : 'paused' }));
    const first = store.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual(['bud_5', 'bud_4']);
    expect(first.has_more).toBe(true);
    const second = store.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.data.map((b) => b.id)).toEqual(['bud_3', 'bud_2']);
    expect(store.list({ limit: 10, status: 'paused' }).data.map((b) => b.id)).toEqual(['bud_4', 'bud_2']);
    expect(store.list({ limit: 10, scope: 'team' }).data).toEqual([]);
  });

  it('closes a period once and pages the closed periods newest first', () => {
    l = openLedgerDb();
    const store = new BudgetStore({ db: l.db });
    store.insert(row({ period: 'day' }));
    const day = 86_400_000;
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 3; i++) store.closePeriod({ ...row({ spent_micro_usd: i }), period_start_ms: start + i * day, period_end_ms: start + (i + 1) * day });
    store.closePeriod({ ...row({ spent_micro_usd: 99 }), period_start_ms: start, period_end_ms: start + day });
    const first = store.periods('bud_1', { limit: 2 });
    expect(first.data.map((p) => [p.period_starts_at, p.spent_micro_usd])).toEqual([
      ['2026-01-03T00:00:00.000Z', 2],
      ['2026-01-02T00:00:00.000Z', 1],
    ]);
    expect(store.periods('bud_1', { limit: 2, cursor: first.next_cursor! }).data.map((p) => p.spent_micro_usd)).toEqual([0]);
  });

  it('a removed row takes its holds with it', () => {
    l = openLedgerDb();
    const store = new BudgetStore({ db: l.db });
    store.insert(row({}));
    immediate(l.db, () => {
      l.db.prepare("INSERT INTO reservations (action_id, agent_id, mission_id, amount_micro_usd, created_ms, created_at) VALUES ('act_1', 'agt_1', NULL, 5, 0, 'x')").run();
      l.db.prepare("INSERT INTO reservation_holds (action_id, budget_id, amount_micro_usd) VALUES ('act_1', 'bud_1', 5)").run();
    });
    store.remove('bud_1');
    expect(store.byId('bud_1')).toBeUndefined();
    expect(l.db.prepare('SELECT COUNT(*) AS n FROM reservation_holds').get()).toEqual({ n: 0 });
  });

  it('shapes a row for the wire and names the global scope', () => {
    expect(toBudget(row({ limit_usd_cents: 250, spent_micro_usd: 1_239_999 }))).toMatchObject({
      object: 'budget',
      limit_micro_usd: 2_500_000,
      spent_usd_cents: 123,
      period_ends_at: null,
    });
    expect(normalizeScopeId('global', undefined, 'scope_id')).toBe('global');
    expect(() => normalizeScopeId('global', 'other', 'scope_id')).toThrow(/global scope's id is "global"/);
    expect(() => normalizeScopeId('team', undefined, 'scope_id')).toThrow('scope_id is required for scope team');
  });
});
