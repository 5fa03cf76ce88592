/**
 * The ledger behind the decision pipeline, over HTTP: pauses of any scope BLOCK, completion
 * crossing a cap pauses every agent of the scope, 16 agents racing actions with estimates never
 * overshoot, and a broken ledger BLOCKs (fail closed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../support/actions-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('budget layer through POST /v1/actions', () => {
  it('a paused team, mission or global budget BLOCKs with budget_paused; resume lifts it', async () => {
    h = await harness();
    await h.allow('web.fetch');
    const a = await h.agent('ba1', { team_id: 'red' });
    await h.api(h.op).call('createMission', { body: { id: 'm1', name: 'm1', agent_ids: [a.id] } });
    for (const [scope, scopeId, mission] of [['team', 'red', undefined], ['mission', 'm1', 'm1'], ['global', 'global', undefined]] as const) {
      await h.api(h.op).answer('setBudget', { body: { scope, scope_id: scopeId, limit_usd_cents: 100 } });
      const body = { tool: 'web.fetch', ...(mission ? { mission_id: mission } : {}) };
      expect((await h.act(a.key, body)).body.decision).toBe('ALLOW');
      await h.api(h.op).answer('pauseBudget', { params: { scope, scope_id: scopeId }, body: undefined });
      expect((await h.act(a.key, body)).body).toMatchObject({ decision: 'BLOCK', block_code: 'budget_paused' });
      await h.api(h.op).answer('resumeBudget', { params: { scope, scope_id: scopeId }, body: undefined });
      expect((await h.act(a.key, body)).body.decision).toBe('ALLOW');
    }
  });

  it('a completion that crosses a team cap pauses it and every agent of the team is BLOCKed', async () => {
    h = await harness();
    await h.allow('llm.call');
    const a = await h.agent('ba2', { team_id: 'blue' });
    const b = await h.agent('ba3', { team_id: 'blue' });
    const c = await h.agent('ba4', { team_id: 'green' });
    await h.api(h.op).answer('setBudget', { body: { scope: 'team', scope_id: 'blue', limit_usd_cents: 10, mode: 'cap' } });
    const act = await h.act(a.key, { tool: 'llm.call' });
    const done = await h.raw('POST', `/v1/actions/${act.body.id}/complete`, {
      key: a.key,
      body: { outcome: 'succeeded', usage: { model: 'gpt-4o', input_tokens: 40_000, output_tokens: 1_000 } }, // $0.11
    });
    expect(done.status).toBe(200);
    expect((await h.api(h.op).answer('getBudget', { params: { scope: 'team', scope_id: 'blue' } })).body).toMatchObject({ status: 'paused', spent_micro_usd: 110_000 });
    expect(h.events.some((e) => e.type === 'budget.paused')).toBe(true);
    expect((await h.act(b.key, { tool: 'llm.call' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'budget_paused' });
    expect((await h.act(c.key, { tool: 'llm.call' })).body.decision).toBe('ALLOW');
    const spend = (await h.api(a.key).answer('listSpend')).body.data[0];
    expect(spend).toMatchObject({ action_id: act.body.id, pricing_source: expect.stringMatching(/^genai-prices@/) });
  });

  it('16 agents racing actions with estimates over HTTP never overshoot the cap', async () => {
    h = await harness();
    await h.allow('llm.call');
    const agents = await Promise.all(Array.from({ length: 16 }, (_, i) => h!.agent(`race${i}`, { team_id: 'crew' })));
    await h.api(h.op).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 100, mode: 'cap' } });
    let allowed = 0;
    let insufficient = 0;
    await Promise.all(
      agents.map(async (a, i) => {
        for (let k = 0; k < 12; k++) {
          const estimate = 30_000 + ((i * 13 + k * 7) % 40) * 1_000;
          const r = await h!.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: estimate });
          if (r.body.decision !== 'ALLOW') {
            expect(r.body.block_code).toBe('budget_insufficient');
            insufficient++;
            continue;
          }
          allowed++;
          const done = await h!.api(a.key).answer('completeAction', { params: { id: r.body.id }, body: { outcome: 'succeeded', cost_micro_usd: estimate } });
          expect(done.status).toBe(200);
        }
      }),
    );
    const crew = (await h.api(h.op).answer('getBudget', { params: { scope: 'team', scope_id: 'crew' } })).body;
    expect(allowed).toBeGreaterThan(0);
    expect(insufficient).toBeGreaterThan(0);
    expect(crew.reserved_micro_usd).toBe(0);
    expect(crew.spent_micro_usd).toBeLessThanOrEqual(1_000_000);
    expect(crew.spent_micro_usd).toBeGreaterThan(1_000_000 - 70_000);
  });

  it('an error reading the ledger BLOCKs (fail closed)', async () => {
    h = await harness();
    await h.allow('web.fetch');
    const a = await h.agent('ba5');
    expect((await h.act(a.key, { tool: 'web.fetch' })).body.decision).toBe('ALLOW');
    h.app.db.exec('ALTER TABLE budgets RENAME TO budgets_away');
    try {
      const r = await h.act(a.key, { tool: 'web.fetch' });
      expect(r.body.decision).toBe('BLOCK');
      expect(r.body.block_code).toBe('evaluation_error');
    } finally {
      h.app.db.exec('ALTER TABLE budgets_away RENAME TO budgets');
    }
  });
});
