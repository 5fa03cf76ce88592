/**
 * The BudgetLedger port as the actions pipeline uses it: reservations made inside the caller's
 * transaction, settled or released, surviving restart, reaped when abandoned; no overshoot
 * with estimates under 16 interleaved agents; fail closed when the ledger cannot be read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentContext, BudgetState } from '../../../shared/core/types.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { immediate } from '../../../electron/db/connection.js';
import { HttpError } from '../../../electron/server/errors.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(config: Parameters<typeof startTestApp>[0] = {}) {
  t = await startTestApp({ timeZone: 'UTC', ...config });
  const ledger = t.app.services.budgets;
  const mk = async (name: string, team?: string): Promise<AgentContext> => {
    const a = await t!.agent(name, team ? { team_id: team } : {});
    return t!.app.services.agents.get(a.id);
  };
  const budget = (scope: string, scopeId: string) =>
    t!.app.db.prepare('SELECT spent_micro_usd AS spent, reserved_micro_usd AS reserved, status FROM budgets WHERE scope = ? AND scope_id = ?').get(scope, scopeId) as
      { spent: number; reserved: number; status: string };
  return { t, ledger, mk, budget };
}

/** The budget layer's rule (shared/core): a pause blocks; a cap-mode budget needs spent + reserved + estimate ≤ limit. */
const fits = (states: BudgetState[], estimate: number) =>
  states.every((b) => b.status === 'active' && (b.mode !== 'cap' || b.spent_micro_usd + b.reserved_micro_usd + estimate <= b.limit_micro_usd));

describe('reservations', () => {
  it('reserve holds the estimate in every cap-mode scope only; settle replaces it with the actual cost', async () => {
    const { t, ledger, mk, budget } = await setup();
    const agent = await mk('r1', 'red');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.settings.set({ scope: 'team', scope_id: 'red', limit_usd_cents: 100 }, 'system'); // warn
    ledger.settings.set({ scope: 'mission', scope_id: 'm1', limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');

    immediate(t.app.db, () => ledger.reserve('act_1', agent, 'm1', 40_000));
    expect(budget('agent', agent.id)).toMatchObject({ spent: 0, reserved: 40_000 });
    expect(budget('team', 'red')).toMatchObject({ reserved: 0 });
    expect(budget('mission', 'm1')).toMatchObject({ reserved: 40_000 });
    expect(budget('global', 'global')).toMatchObject({ reserved: 40_000 });
    const states = ledger.applicableBudgets(agent, 'm1');
    expect(states.map((s) => s.scope).sort()).toEqual(['agent', 'global', 'mission', 'team']);
    expect((await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body.reserved_micro_usd).toBe(40_000);

    const r = immediate(t.app.db, () => ledger.settle('act_1', agent, 'm1', { cost_micro_usd: 25_000 }, `agent:${agent.id}`));
    expect(r).toEqual({ spent_micro_usd: 25_000 });
    for (const [s, id] of [['agent', agent.id], ['team', 'red'], ['mission', 'm1'], ['global', 'global']] as const) {
      expect(budget(s, id)).toMatchObject({ spent: 25_000, reserved: 0 });
    }
    const spend = (await t.api(t.op).answer('listSpend')).body.data[0];
    expect(spend).toMatchObject({ action_id: 'act_1', amount_micro_usd: 25_000, pricing_source: 'caller' });
  });

  it('settle prices usage; no cost and no usage records nothing; an unknown model is 422 and rolls back', async () => {
    const { t, ledger, mk, budget } = await setup();
    const agent = await mk('r2');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 1000, mode: 'cap' }, 'system');
    ledger.reserve('act_a', agent, null, 10_000);
    expect(ledger.settle('act_a', agent, null, { usage: { model: 'gpt-4o', input_tokens: 1000, output_tokens: 100 } }, 'system')).toEqual({ spent_micro_usd: 3_500 });
    ledger.reserve('act_b', agent, null, 10_000);
    expect(ledger.settle('act_b', agent, null, {}, 'system')).toEqual({ spent_micro_usd: 0 });
    ledger.reserve('act_c', agent, null, 10_000);
    let err: unknown;
    try {
      ledger.settle('act_c', agent, null, { usage: { model: 'nope-model', input_tokens: 1, output_tokens: 1 } }, 'system');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(422);
    // Nothing of the failed settle committed: the reservation is still held.
    expect(budget('agent', agent.id)).toEqual({ spent: 3_500, reserved: 10_000, status: 'active' });
    expect(t.app.db.prepare('SELECT COUNT(*) AS n FROM spend_events').get()).toEqual({ n: 1 });
  });

  it('release frees the hold, is idempotent, and a second reserve of the same action is refused', async () => {
    const { ledger, mk, budget } = await setup();
    const agent = await mk('r3');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.reserve('act_x', agent, null, 5_000);
    expect(() => ledger.reserve('act_x', agent, null, 5_000)).toThrow(/already has a reservation/);
    ledger.release('act_x', 'failed');
    ledger.release('act_x', 'expired');
    expect(budget('agent', agent.id)).toMatchObject({ reserved: 0, spent: 0 });
    expect(() => ledger.reserve('act_y', agent, null, -1)).toThrow(HttpError);
    expect(() => ledger.reserve('act_y', agent, null, 1.5)).toThrow(HttpError);
  });

  it('a reservation made inside the caller transaction rolls back with it', async () => {
    const { t, ledger, mk, budget } = await setup();
    const agent = await mk('r4');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    expect(() =>
      immediate(t.app.db, () => {
        ledger.reserve('act_z', agent, null, 5_000);
        throw new Error('decision failed after reserving');
      }),
    ).toThrow('decision failed');
    expect(budget('agent', agent.id).reserved).toBe(0);
    ledger.reserve('act_z', agent, null, 5_000); // the action id is free again
    expect(budget('agent', agent.id).reserved).toBe(5_000);
  });

  it('reservations survive restart and settle afterwards', async () => {
    const { t, ledger, mk } = await setup();
    const agent = await mk('r5');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.reserve('act_r', agent, null, 7_000);
    await t.stop();
    const t2 = await startTestApp({ dataDir: t.dataDir, timeZone: 'UTC' });
    try {
      const b = (await t2.api(t2.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body;
      expect(b.reserved_micro_usd).toBe(7_000);
      t2.app.services.budgets.settle('act_r', agent, null, { cost_micro_usd: 6_000 }, 'system');
      const after = (await t2.api(t2.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body;
      expect(after).toMatchObject({ reserved_micro_usd: 0, spent_micro_usd: 6_000 });
    } finally {
      await t2.stop();
    }
  });

  it('the reaper releases reservations abandoned past the timeout, audited', async () => {
    const clock = new ManualClock();
    const { t, ledger, mk, budget } = await setup({ clock });
    const agent = await mk('r6');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.reserve('act_old', agent, null, 1_000);
    clock.advance(30 * 60_000);
    ledger.reserve('act_new', agent, null, 2_000);
    expect(ledger.reservations.releaseStale(60 * 60_000)).toBe(0);
    clock.advance(31 * 60_000); // the reaper timer fires inside advance (default timeout 1 h)
    expect(budget('agent', agent.id).reserved).toBe(2_000);
    const rows = (await t.api(t.op).answer('listAudit', { query: { event_type: 'reservation.released' } })).body.data;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject_id: 'act_old', actor: 'system', data: { reason: 'abandoned' } });
    expect(ledger.reservations.releaseStale(0)).toBe(1);
    expect(budget('agent', agent.id).reserved).toBe(0);
    // Completing a reaped action still records its spend.
    expect(ledger.settle('act_old', agent, null, { cost_micro_usd: 10 }, 'system')).toEqual({ spent_micro_usd: 10 });
  });

  it('deleting a budget drops its holds; releasing afterwards is harmless', async () => {
    const { t, ledger, mk } = await setup();
    const agent = await mk('r7');
    ledger.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' }, 'system');
    ledger.reserve('act_d', agent, null, 1_000);
    ledger.settings.remove('agent', agent.id, 'system');
    ledger.release('act_d', 'failed');
    expect(t.app.db.prepare('SELECT COUNT(*) AS n FROM reservation_holds').get()).toEqual({ n: 0 });
  });
});

describe('concurrency within one process', () => {
  it('with estimates, 16 interleaved agents never overshoot a team cap', async () => {
    const { t, ledger, mk, budget } = await setup();
    const agents = await Promise.all(Array.from({ length: 16 }, (_, i) => mk(`c${i}`, 'crew')));
    const limitCents = 500; // $5
    ledger.settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: limitCents, mode: 'cap' }, 'system');
    let allowed = 0;
    let blocked = 0;
    let seq = 0;
    await Promise.all(
      agents.map(async (agent, i) => {
        for (let k = 0; k < 60; k++) {
          const estimate = 20_000 + ((i * 7919 + k * 104_729) % 80_000);
          const id = `act_${i}_${k}_${seq++}`;
          const ok = immediate(t.app.db, () => {
            if (!fits(ledger.applicableBudgets(agent, null), estimate)) return false;
            ledger.reserve(id, agent, null, estimate);
            return true;
          });
          if (!ok) {
            blocked++;
            continue;
          }
          allowed++;
          await new Promise((r) => setTimeout(r, (i + k) % 3));
          // Worst case: the actual cost equals the estimate.
          immediate(t.app.db, () => ledger.settle(id, agent, null, { cost_micro_usd: estimate }, 'system'));
        }
      }),
    );
    const b = budget('team', 'crew');
    expect(allowed).toBeGreaterThan(0);
    expect(blocked).toBeGreaterThan(0);
    expect(b.reserved).toBe(0);
    expect(b.spent).toBeLessThanOrEqual(limitCents * 10_000);
    expect(b.spent).toBeGreaterThan(limitCents * 10_000 - 100_000); // the load really reached the cap
  });

  it('without estimates the overshoot is at most the one event that crossed the cap', async () => {
    const { t, ledger, mk } = await setup();
    const agents = await Promise.all(Array.from({ length: 16 }, (_, i) => mk(`n${i}`, 'crew')));
    ledger.settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 300, mode: 'cap' }, 'system');
    await Promise.all(
      agents.map(async (agent, i) => {
        for (let k = 0; k < 100; k++) {
          const amount = 1_000 + ((i * 31 + k * 17) % 50_000);
          const done = immediate(t.app.db, () => {
            if (!fits(ledger.applicableBudgets(agent, null), 0)) return true;
            ledger.spend.record({ agent, amount_micro_usd: amount }, `agent:${agent.id}`);
            return false;
          });
          if (done) return;
          await new Promise((r) => setTimeout(r, k % 2));
        }
      }),
    );
    const rows = t.app.db.prepare('SELECT amount_micro_usd AS a FROM spend_events ORDER BY seq').all() as { a: number }[];
    const total = rows.reduce((s, r) => s + r.a, 0);
    const last = rows[rows.length - 1]!.a;
    expect(total).toBeGreaterThanOrEqual(3_000_000);
    expect(total - last).toBeLessThan(3_000_000); // only the last event crossed
  });
});

describe('fail closed', () => {
  it('ledger reads throw (so the caller BLOCKs) when the database is unusable', async () => {
    const { t, ledger, mk } = await setup();
    const agent = await mk('f1');
    t.app.db.exec('DROP TABLE kill_switch');
    expect(() => ledger.killSwitch()).toThrow();
    t.app.db.exec('ALTER TABLE budgets RENAME TO budgets_gone');
    expect(() => ledger.applicableBudgets(agent, null)).toThrow();
    t.app.db.exec('ALTER TABLE budgets_gone RENAME TO budgets');
    t.app.db.exec('CREATE TABLE kill_switch (id INTEGER PRIMARY KEY, engaged INTEGER NOT NULL, reason TEXT, changed_at TEXT, changed_by TEXT)');
    expect(() => ledger.killSwitch()).toThrow(/missing/);
  });
});
