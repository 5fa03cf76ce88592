/**
 * Budget events as operators see them: over the SSE stream, published only once the change
 * committed, and the OpenAPI document carries the budget routes. Also the USD → micro-USD
 * conversion of prices (rounded once, half up).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { usdToMicro } from '../../../electron/budgets/pricing.js';
import { immediate } from '../../../electron/db/connection.js';
import type { WardenEvent } from '../../../shared/events.js';
import { OpenApiDoc } from '../../support/openapi.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('budget events', () => {
  it('streams warning, cap_hit, paused, resumed and kill_switch.changed over GET /v1/events', async () => {
    t = await startTestApp({ timeZone: 'UTC' });
    const a = await t.agent('ev1');
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap' } });
    const abort = new AbortController();
    const res = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${t.op}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const reading = (async () => {
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (const m of buf.matchAll(/^event: (\S+)$/gm)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
        if (seen.includes('kill_switch.changed')) return;
      }
    })();
    await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 100_000 } });
    await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: a.id }, body: { grace_usd_cents: 5 } });
    await t.api(t.op).answer('setKillSwitch', { body: { engaged: true } });
    await reading;
    abort.abort();
    expect(seen).toEqual(['budget.warning', 'budget.cap_hit', 'budget.paused', 'budget.resumed', 'kill_switch.changed']);
  });

  it('a change rolled back by the caller announces nothing', async () => {
    t = await startTestApp({ timeZone: 'UTC' });
    const events: WardenEvent[] = [];
    t.app.bus.subscribe((e) => events.push(e));
    const a = await t.agent('ev2');
    const agent = t.app.services.agents.get(a.id);
    const ledger = t.app.services.budgets;
    ledger.settings.set({ scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap' }, 'system');
    expect(() =>
      immediate(t!.app.db, () => {
        ledger.spend.record({ agent, amount_micro_usd: 200_000 }, 'system');
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    expect(ledger.settings.get('agent', a.id)).toMatchObject({ status: 'active', spent_micro_usd: 0 });
    ledger.spend.record({ agent, amount_micro_usd: 200_000 }, 'system');
    await new Promise((r) => setImmediate(r));
    expect(events.map((e) => e.type)).toEqual(['budget.warning', 'budget.cap_hit', 'budget.paused']);
  });

  it('publishes the budget routes in /openapi.json', async () => {
    t = await startTestApp({ timeZone: 'UTC' });
    const doc = OpenApiDoc.parse((await t.api().answer('openapi')).body);
    for (const p of ['/v1/budgets', '/v1/budgets/{scope}/{scope_id}/resume', '/v1/budgets/{scope}/{scope_id}/pause', '/v1/spend', '/v1/kill-switch', '/v1/reports/spend']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});

describe('price conversion', () => {
  it.each([
    [12.5, 12_500_000],
    [0.02159625, 21_596], // .25 rounds down
    [0.0000215, 22], // 21.5 → 22 (half up)
    [0.017771250000000002, 17_771], // binary noise ignored
    [1.5e-7, 0], // a sub-micro call rounds to 0
    [5e-7, 1],
    [0, 0],
  ])('%s USD → %s micro-USD', (usd, micro) => {
    expect(usdToMicro(usd)).toBe(micro);
  });
  it('rejects negative or non-finite prices', () => {
    expect(() => usdToMicro(-1)).toThrow();
    expect(() => usdToMicro(Number.NaN)).toThrow();
  });
});
