/**
 * Periodic budgets with an injected ManualClock: calendar boundaries in the operator's zone
 * (DST and half-hour offsets included), lazy rollover on read, write and startup, closed periods
 * kept, and a cap-paused budget woken (and audited) at the boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import type { WardenEvent } from '../../../shared/events.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(zone: string, at: string) {
  const clock = new ManualClock(Date.parse(at));
  t = await startTestApp({ clock, timeZone: zone });
  const events: WardenEvent[] = [];
  t.app.bus.subscribe((e) => events.push(e));
  return { t, clock, events };
}

describe('period boundaries', () => {
  it.each([
    // zone, now, period, expected start, expected end
    ['America/New_York', '2026-01-05T12:00:00Z', 'day', '2026-01-05T05:00:00.000Z', '2026-01-06T05:00:00.000Z'],
    // DST starts 2026-03-08 in New York: that local day has 23 hours.
    ['America/New_York', '2026-03-08T12:00:00Z', 'day', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    // Weeks start on Monday; Kolkata is UTC+5:30.
    ['Asia/Kolkata', '2026-01-05T12:00:00Z', 'week', '2026-01-04T18:30:00.000Z', '2026-01-11T18:30:00.000Z'],
    // Sunday evening UTC is already Monday in Kolkata.
    ['Asia/Kolkata', '2026-01-11T19:00:00Z', 'week', '2026-01-11T18:30:00.000Z', '2026-01-18T18:30:00.000Z'],
    // March in Paris starts at UTC+1 and ends at UTC+2 (DST on the 29th).
    ['Europe/Paris', '2026-03-15T12:00:00Z', 'month', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    ['UTC', '2026-02-10T00:00:00Z', 'month', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
  ] as const)('%s at %s, %s → [%s, %s)', async (zone, now, period, startsAt, endsAt) => {
    const { t } = await start(zone, now);
    await t.agent('member-of-x', { team_id: 'x' });
    const b = await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'x', limit_usd_cents: 100, period } });
    expect(b.body).toMatchObject({ period, period_starts_at: startsAt, period_ends_at: endsAt });
  });

  it('period none starts at creation and never ends', async () => {
    const { t } = await start('UTC', '2026-01-05T12:00:00Z');
    await t.agent('member-of-x', { team_id: 'x' });
    const b = await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'x', limit_usd_cents: 100 } });
    expect(b.body).toMatchObject({ period: 'none', period_starts_at: '2026-01-05T12:00:00.000Z', period_ends_at: null });
  });
});

describe('rollover', () => {
  it('resets spend at the local midnight, keeps the closed period, and wakes a cap-paused budget (audited)', async () => {
    const { t, clock, events } = await start('America/New_York', '2026-01-05T12:00:00Z');
    const a = await t.agent('p1');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap', period: 'day' } });
    const hit = await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 120_000 } });
    expect(hit.body.paused).toBe(true);

    clock.set('2026-01-06T04:59:59.999Z'); // 23:59:59.999 local
    expect((await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body).toMatchObject({ status: 'paused', spent_micro_usd: 120_000 });

    clock.set('2026-01-06T05:00:00Z'); // local midnight
    const rolled = await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } });
    expect(rolled.body).toMatchObject({
      status: 'active', paused_reason: null, spent_micro_usd: 0,
      period_starts_at: '2026-01-06T05:00:00.000Z', period_ends_at: '2026-01-07T05:00:00.000Z',
    });
    const resumed = (await t.api(t.op).answer('listAudit', { query: { event_type: 'budget.resumed' } })).body.data;
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ actor: 'system', data: { reason: 'period_rollover', previous_period: { spent_micro_usd: 120_000 } } });
    await Promise.resolve();
    expect(events.filter((e) => e.type === 'budget.resumed')).toHaveLength(1);

    const periods = await t.api(t.op).answer('listBudgetPeriods', { params: { scope: 'agent', scope_id: a.id } });
    expect(periods.body.data).toEqual([
      {
        object: 'budget_period', budget_id: rolled.body.id, period_starts_at: '2026-01-05T05:00:00.000Z',
        period_ends_at: '2026-01-06T05:00:00.000Z', limit_usd_cents: 10, spent_micro_usd: 120_000, spent_usd_cents: 12,
      },
    ]);
    // Crossings re-arm in the new period.
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 100_000 } });
    expect(events.filter((e) => e.type === 'budget.cap_hit')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'budget.warning')).toHaveLength(2);
  });

  it('a spend after the boundary rolls first and counts in the new period only', async () => {
    const { t, clock } = await start('UTC', '2026-01-31T23:00:00Z');
    const a = await t.agent('p2');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 1000, period: 'month' } });
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 5 } });
    clock.set('2026-02-01T00:00:00Z');
    const s = await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 7 } });
    expect(s.body.budgets[0]).toMatchObject({ spent_micro_usd: 7, period_starts_at: '2026-02-01T00:00:00.000Z' });
    // Skipping several months closes only the period that had spend and lands in the current one.
    clock.set('2026-05-17T10:00:00Z');
    const b = await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } });
    expect(b.body).toMatchObject({ spent_micro_usd: 0, period_starts_at: '2026-05-01T00:00:00.000Z', period_ends_at: '2026-06-01T00:00:00.000Z' });
    const periods = (await t.api(t.op).answer('listBudgetPeriods', { params: { scope: 'agent', scope_id: a.id } })).body.data;
    expect(periods.map((p) => [p.period_starts_at, p.spent_micro_usd])).toEqual([
      ['2026-02-01T00:00:00.000Z', 7],
      ['2026-01-01T00:00:00.000Z', 5],
    ]);
  });

  it('week budgets roll on Monday midnight in the zone; the BudgetLedger view rolls too', async () => {
    const { t, clock } = await start('Europe/Paris', '2026-01-07T12:00:00Z'); // Wednesday
    const a = await t.agent('p3');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap', period: 'week' } });
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 100_000 } });
    const agent = t.app.services.agents.get(a.id);
    expect(t.app.services.budgets.applicableBudgets(agent, null)[0]).toMatchObject({ status: 'paused', spent_micro_usd: 100_000 });
    clock.set('2026-01-11T22:59:59Z'); // Sunday 23:59:59 in Paris
    expect(t.app.services.budgets.applicableBudgets(agent, null)[0]?.status).toBe('paused');
    clock.set('2026-01-11T23:00:00Z'); // Monday 00:00 in Paris
    expect(t.app.services.budgets.applicableBudgets(agent, null)[0]).toMatchObject({ status: 'active', spent_micro_usd: 0, limit_micro_usd: 100_000 });
  });

  it('a manual pause survives the boundary', async () => {
    const { t, clock } = await start('UTC', '2026-01-05T12:00:00Z');
    await t.agent('member-of-ops', { team_id: 'ops' });
    await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'ops', limit_usd_cents: 10, mode: 'cap', period: 'day' } });
    await t.api(t.op).answer('pauseBudget', { params: { scope: 'team', scope_id: 'ops' }, body: undefined });
    clock.set('2026-01-06T00:00:01Z');
    expect((await t.api(t.op).answer('getBudget', { params: { scope: 'team', scope_id: 'ops' } })).body).toMatchObject({ status: 'paused', paused_reason: 'manual' });
  });

  it('rolls at startup budgets whose period ended while the app was closed', async () => {
    const clock = new ManualClock(Date.parse('2026-01-05T12:00:00Z'));
    t = await startTestApp({ clock, timeZone: 'UTC' });
    const a = await t.agent('p4');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap', period: 'day' } });
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 100_000 } });
    await t.stop();
    clock.set('2026-01-07T09:00:00Z');
    const t2 = await startTestApp({ dataDir: t.dataDir, clock, timeZone: 'UTC' });
    try {
      // Startup rolled it: the audit row exists before any request touched the budget.
      const resumed = (await t2.api(t2.op).answer('listAudit', { query: { event_type: 'budget.resumed' } })).body.data;
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.at).toBe('2026-01-07T09:00:00.000Z');
      expect(t2.app.db.prepare('SELECT status, spent_micro_usd FROM budgets').get()).toEqual({ status: 'active', spent_micro_usd: 0 });
    } finally {
      await t2.stop();
    }
  });

  it('report by day cuts days in the operator zone', async () => {
    const { t, clock } = await start('Asia/Kolkata', '2026-01-05T18:00:00Z'); // 23:30 local
    const a = await t.agent('p5');
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 1 } });
    clock.set('2026-01-05T18:30:00Z'); // 00:00 local next day
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 2 } });
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 3 } });
    const r = await t.api(t.op).answer('spendReport', { query: { group_by: 'day' } });
    expect(r.body.time_zone).toBe('Asia/Kolkata');
    expect(r.body.rows).toEqual([
      { key: '2026-01-05', spent_micro_usd: 1, spent_usd_cents: 0, events: 1 },
      { key: '2026-01-06', spent_micro_usd: 5, spent_usd_cents: 0, events: 2 },
    ]);
    const since = await t.api(t.op).answer('spendReport', { query: { group_by: 'day', since: '2026-01-05T18:30:00Z' } });
    expect(since.body.total_micro_usd).toBe(5);
  });

  it('report by agent_day splits each local day by agent in one query', async () => {
    const { t, clock } = await start('Asia/Kolkata', '2026-01-05T18:00:00Z'); // 23:30 local
    const a = await t.agent('p6');
    const b = await t.agent('p7');
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 1 } });
    await t.api(b.key).answer('recordSpend', { body: { amount_micro_usd: 10 } });
    clock.set('2026-01-05T18:30:00Z'); // 00:00 local next day
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 2 } });
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 3 } });
    await t.api(t.op).answer('recordSpend', { body: { amount_micro_usd: 7 } });
    const r = await t.api(t.op).answer('spendReport', { query: { group_by: 'agent_day' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ group_by: 'agent_day', total_micro_usd: 23 });
    const rows = (r.body.rows as { key: string; agent_id: string | null; spent_micro_usd: number; events: number }[])
      .map((row) => [row.key, row.agent_id, row.spent_micro_usd, row.events])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1])));
    expect(rows).toEqual(
      [
        ['2026-01-05', a.id, 1, 1],
        ['2026-01-05', b.id, 10, 1],
        ['2026-01-06', a.id, 5, 2],
        ['2026-01-06', null, 7, 1],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1]))),
    );
  });
});

describe('time zone', () => {
  it('refuses to start with a zone the runtime does not know', async () => {
    await expect(startTestApp({ timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/time zone/i);
  });
});
