/** SpendReports: totals by agent, by local day in the operator's zone, or both. */
import { afterEach, describe, expect, it } from 'vitest';
import { SpendReports } from '../../../electron/budgets/spend-report.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb;
afterEach(() => l.close());

function spendAt(iso: string, agentId: string, amount: number): void {
  l.clock.set(iso);
  budgetModules(l).spend.record({ agent: agentCtx(agentId), amount_micro_usd: amount }, 'system');
}

describe('SpendReports', () => {
  it('cuts days at the operator\'s midnight, not UTC\'s', () => {
    l = openLedgerDb('2026-03-01T00:00:00Z');
    spendAt('2026-03-02T03:00:00Z', 'agt_1', 100); // 2 March 04:00 in Paris … and 1 March 22:00 in New York
    spendAt('2026-03-02T06:00:00Z', 'agt_2', 20); // 2 March in both
    const ny = new SpendReports({ db: l.db, timeZone: 'America/New_York' }).report({ group_by: 'day' });
    expect(ny).toMatchObject({ time_zone: 'America/New_York', total_micro_usd: 120 });
    expect(ny.rows.map((r) => [r.key, r.spent_micro_usd, r.events])).toEqual([
      ['2026-03-01', 100, 1],
      ['2026-03-02', 20, 1],
    ]);
    const paris = new SpendReports({ db: l.db, timeZone: 'Europe/Paris' }).report({ group_by: 'day' });
    expect(paris.rows.map((r) => [r.key, r.spent_micro_usd])).toEqual([['2026-03-02', 120]]);
  });

  it('by agent, largest first; by agent and day; since/until bound the range', () => {
    l = openLedgerDb('2026-03-01T00:00:00Z');
    spendAt('2026-03-01T10:00:00Z', 'agt_1', 1_000_000);
    spendAt('2026-03-01T11:00:00Z', 'agt_2', 3_000_000);
    spendAt('2026-03-02T10:00:00Z', 'agt_1', 5_000_000);
    const reports = new SpendReports({ db: l.db, timeZone: 'UTC' });
    expect(reports.report({ group_by: 'agent' }).rows).toEqual([
      { key: 'agt_1', spent_micro_usd: 6_000_000, spent_usd_cents: 600, events: 2 },
      { key: 'agt_2', spent_micro_usd: 3_000_000, spent_usd_cents: 300, events: 1 },
    ]);
    expect(reports.report({ group_by: 'agent_day' }).rows.map((r) => [r.key, r.agent_id, r.spent_micro_usd])).toEqual([
      ['2026-03-01', 'agt_1', 1_000_000],
      ['2026-03-01', 'agt_2', 3_000_000],
      ['2026-03-02', 'agt_1', 5_000_000],
    ]);
    const bounded = reports.report({ group_by: 'agent', since: '2026-03-01T10:30:00Z', until: '2026-03-02T10:00:00Z' });
    expect(bounded).toMatchObject({ since: '2026-03-01T10:30:00.000Z', until: '2026-03-02T10:00:00.000Z', total_micro_usd: 3_000_000 });
  });

  it('a range summing past 2^53 − 1 is refused rather than rounded', () => {
    l = openLedgerDb();
    const ms = l.clock.now();
    const insert = l.db.prepare(
      "INSERT INTO spend_events (id, agent_id, amount_micro_usd, pricing_source, actor, created_ms, created_at) VALUES (?, 'agt_1', ?, 'caller', 'system', ?, 'x')",
    );
    for (let i = 0; i < 10; i++) insert.run(`spd_${i}`, 1e15, ms);
    expect(() => new SpendReports({ db: l.db, timeZone: 'UTC' }).report({ group_by: 'agent' })).toThrow(/narrow since\/until/);
  });
});
