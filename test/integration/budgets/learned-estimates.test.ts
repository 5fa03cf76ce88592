/**
 * Actions without an estimate reserve a learned default — the median of the tool's recent
 * completed costs for that agent — so N concurrent actions cannot overshoot a cap by more than
 * about one action's typical cost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

const open: TestApp[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

const COST = 10_000; // micro-USD: one cent per call
const LIMIT_CENTS = 10; // 100,000 micro-USD

describe('learned estimates', () => {
  it('40 concurrent actions without estimates overshoot a cap by at most one median cost', async () => {
    const t = await startTestApp({ timeZone: 'UTC' });
    open.push(t);
    const agent = await t.agent('caller');
    expect((await t.api(t.op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } })).status).toBe(201);
    expect((await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: LIMIT_CENTS, mode: 'cap' } })).status).toBe(200);

    const run = async () => {
      const act = await t.api(agent.key).answer('createAction', { body: { tool: 'llm.call' } });
      if (act.body.status !== 'allowed') return act.body;
      const done = await t.api(agent.key).answer('completeAction', { params: { id: act.body.id }, body: { outcome: 'succeeded', cost_micro_usd: COST } });
      expect(done.status).toBe(200);
      return act.body;
    };
    // A history: three completed calls at the same cost.
    for (let i = 0; i < 3; i++) expect((await run()).status).toBe('allowed');

    // Every action is decided before any completes: with nothing reserved, all 40 would be allowed.
    const decided = await Promise.all(Array.from({ length: 40 }, () => t.api(agent.key).answer('createAction', { body: { tool: 'llm.call' } })));
    const allowed = decided.filter((r) => r.body.status === 'allowed');
    const blocked = decided.filter((r) => r.body.status === 'blocked');
    expect(blocked.every((r) => r.body.block_code === 'budget_insufficient')).toBe(true);
    for (const a of allowed) {
      const done = await t.api(agent.key).answer('completeAction', { params: { id: a.body.id }, body: { outcome: 'succeeded', cost_micro_usd: COST } });
      expect(done.status).toBe(200);
    }
    const budget = (await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body;
    const overshoot = budget.spent_micro_usd - LIMIT_CENTS * 10_000;
    expect(overshoot).toBeLessThanOrEqual(COST);
    expect(allowed.length).toBe(7);
    // What the agent sent is what is recorded: the learned estimate is not put in its mouth.
    expect(allowed[0]!.body.action.cost_estimate_micro_usd).toBeUndefined();
  });

  it('the estimate is the median of recent costs: one outlier does not move it', async () => {
    const t = await startTestApp({ timeZone: 'UTC' });
    open.push(t);
    const agent = await t.agent('median');
    expect((await t.api(t.op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } })).status).toBe(201);
    for (const cost of [1000, 1000, 900_000, 1000, 1000]) {
      const act = await t.api(agent.key).answer('createAction', { body: { tool: 'llm.call' } });
      await t.api(agent.key).answer('completeAction', { params: { id: act.body.id }, body: { outcome: 'succeeded', cost_micro_usd: cost } });
    }
    expect((await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' } })).status).toBe(200);
    const act = await t.api(agent.key).answer('createAction', { body: { tool: 'llm.call' } });
    expect(act.body.status).toBe('allowed');
    const budget = (await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body;
    expect(budget.reserved_micro_usd).toBe(1000);
  });
});
