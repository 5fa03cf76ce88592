/**
 * Budgets, spend and the kill-switch over real HTTP and a real SQLite file: set/raise/keep-mode,
 * crossings once, pauses and re-pauses audited, resume with grace, usage pricing, reports, and
 * every 400/403/404/422 the routes answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WardenEvent } from '../../../shared/events.js';
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let events: WardenEvent[];
beforeEach(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
  events = [];
  t.app.bus.subscribe((e) => events.push(e));
});
afterEach(async () => t.close());

const setBudget = (body: RouteInput<Routes['setBudget']>['body']) => t.api(t.op).answer('setBudget', { body });
const spend = (key: string, body: RouteInput<Routes['recordSpend']>['body']) => t.api(key).answer('recordSpend', { body });
/** A team budget needs a team some agent is in. */
const team = (id: string) => t.agent(`member-of-${id}`, { team_id: id });
const mission = (id: string, agentIds: string[] = []) => t.api(t.op).call('createMission', { body: { id, name: id, agent_ids: agentIds } });
const auditOf = async (type: string) => (await t.api(t.op).answer('listAudit', { query: { event_type: type, limit: 500 } })).body.data;

describe('setting budgets', () => {
  it('creates a warn-mode budget by default and keeps the mode when it is omitted', async () => {
    const a = await t.agent('a1');
    const first = await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 500 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: 'budget', scope: 'agent', scope_id: a.id, limit_usd_cents: 500, limit_micro_usd: 5_000_000,
      spent_micro_usd: 0, spent_usd_cents: 0, reserved_micro_usd: 0, mode: 'warn', period: 'none', status: 'active',
    });
    expect(first.body.id).toMatch(/^bud_/);
    const cap = await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 600, mode: 'cap' });
    expect(cap.body).toMatchObject({ id: first.body.id, mode: 'cap', limit_usd_cents: 600 });
    const kept = await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 700 });
    expect(kept.body).toMatchObject({ id: first.body.id, mode: 'cap', limit_usd_cents: 700 });
    expect(await auditOf('budget.set')).toHaveLength(3);
  });

  it('lists newest-updated first and paginates', async () => {
    for (const id of ['t1', 't2', 't3']) await team(id);
    for (const id of ['t1', 't2', 't3']) await setBudget({ scope: 'team', scope_id: id, limit_usd_cents: 100 });
    await setBudget({ scope: 'team', scope_id: 't1', limit_usd_cents: 200 });
    const all = await t.api(t.op).answer('listBudgets');
    expect(all.body.data.map((b) => b.scope_id)).toEqual(['t1', 't3', 't2']);
    const p1 = await t.api(t.op).answer('listBudgets', { query: { limit: 2 } });
    expect(p1.body.has_more).toBe(true);
    const p2 = await t.api(t.op).answer('listBudgets', { query: { limit: 2, cursor: p1.body.next_cursor! } });
    expect(p2.body.data.map((b) => b.scope_id)).toEqual(['t2']);
    expect(p2.body.has_more).toBe(false);
  });

  it('deletes a budget: the scope is uncapped and GET answers 404', async () => {
    await mission('m1');
    await setBudget({ scope: 'mission', scope_id: 'm1', limit_usd_cents: 100, mode: 'cap' });
    const del = await t.api(t.op).answer('deleteBudget', { params: { scope: 'mission', scope_id: 'm1' } });
    expect(del.body).toMatchObject({ deleted: true, scope_id: 'm1' });
    expect((await t.raw('GET', '/v1/budgets/mission/m1', { key: t.op })).status).toBe(404);
    expect((await t.raw('DELETE', '/v1/budgets/mission/m1', { key: t.op })).status).toBe(404);
  });

  it('uses one global row whose id is "global"', async () => {
    const g = await setBudget({ scope: 'global', limit_usd_cents: 100 });
    expect(g.body.scope_id).toBe('global');
    const again = await setBudget({ scope: 'global', scope_id: 'global', limit_usd_cents: 200 });
    expect(again.body.id).toBe(g.body.id);
    expect((await t.api(t.op).answer('getBudget', { params: { scope: 'global', scope_id: 'global' } })).body.limit_usd_cents).toBe(200);
  });
});

describe('spend and crossings', () => {
  it('charges agent, team, mission and global in one spend; sub-cent amounts add up exactly', async () => {
    const a = await t.agent('a2', { team_id: 'red' });
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 1000 });
    await setBudget({ scope: 'team', scope_id: 'red', limit_usd_cents: 1000 });
    await mission('m9', [a.id]);
    await setBudget({ scope: 'mission', scope_id: 'm9', limit_usd_cents: 1000 });
    await setBudget({ scope: 'global', limit_usd_cents: 1000 });
    await team('blue');
    await setBudget({ scope: 'team', scope_id: 'blue', limit_usd_cents: 1000 });
    for (let i = 0; i < 250; i++) {
      const r = await spend(a.key, { amount_micro_usd: 37, mission_id: 'm9' });
      expect(r.status).toBe(200);
      expect(r.body.budgets).toHaveLength(4);
    }
    const list = (await t.api(t.op).answer('listBudgets')).body.data;
    const by = Object.fromEntries(list.map((b) => [`${b.scope}/${b.scope_id}`, b]));
    for (const k of [`agent/${a.id}`, 'team/red', 'mission/m9', 'global/global']) {
      expect(by[k]!.spent_micro_usd).toBe(9250);
      expect(by[k]!.spent_usd_cents).toBe(0);
    }
    expect(by['team/blue']!.spent_micro_usd).toBe(0);
    expect(await auditOf('spend.recorded')).toHaveLength(250);
  });

  it('warns once at 80%, hits the cap once at 100%, and warn mode never pauses', async () => {
    const a = await t.agent('a3');
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 100 }); // $1, warn
    const s1 = await spend(a.key, { amount_micro_usd: 799_999 });
    expect(events.filter((e) => e.type === 'budget.warning')).toHaveLength(0);
    await spend(a.key, { amount_micro_usd: 1 }); // exactly 80%
    await spend(a.key, { amount_micro_usd: 100_000 });
    expect(events.filter((e) => e.type === 'budget.warning')).toHaveLength(1);
    await spend(a.key, { amount_micro_usd: 100_000 }); // exactly 100%
    const s5 = await spend(a.key, { amount_micro_usd: 500_000 });
    expect(s1.body.paused).toBe(false);
    expect(s5.body.paused).toBe(false);
    expect(s5.body.budgets[0]!.status).toBe('active');
    expect(events.filter((e) => e.type === 'budget.cap_hit')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'budget.paused')).toHaveLength(0);
    expect(await auditOf('budget.warning')).toHaveLength(1);
    expect(await auditOf('budget.cap_hit')).toHaveLength(1);
  });

  it('pauses a cap-mode budget at 100%, and a resume without grace re-pauses on the next spend (audited each time)', async () => {
    const a = await t.agent('a4');
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap' }); // 100,000 micro
    const over = await spend(a.key, { amount_micro_usd: 150_000 });
    expect(over.body.paused).toBe(true);
    expect(over.body.budgets[0]).toMatchObject({ status: 'paused', paused_reason: 'cap_hit' });
    const paused = events.find((e) => e.type === 'budget.paused');
    expect(paused?.data).toMatchObject({ scope: 'agent', scope_id: a.id, reason: 'cap_hit' });

    const resumed = await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: a.id }, body: {} });
    expect(resumed.body).toMatchObject({ will_repause: true, budget: { status: 'active' } });
    const again = await spend(a.key, { amount_micro_usd: 1 });
    expect(again.body.paused).toBe(true);
    expect(await auditOf('budget.paused')).toHaveLength(2);
    expect(await auditOf('budget.resumed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'budget.paused')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'budget.resumed')).toHaveLength(1);
    // The cap crossing itself is announced once.
    expect(events.filter((e) => e.type === 'budget.cap_hit')).toHaveLength(1);
  });

  it('resume with grace raises the cap to spend + grace and does not re-pause', async () => {
    const a = await t.agent('a5');
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap' });
    await spend(a.key, { amount_micro_usd: 123_456 }); // 12.3456 cents
    const r = await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: a.id }, body: { grace_usd_cents: 100 } });
    expect(r.body.will_repause).toBe(false);
    expect(r.body.budget).toMatchObject({ status: 'active', limit_usd_cents: 113, paused_reason: null });
    const s = await spend(a.key, { amount_micro_usd: 1 });
    expect(s.body.paused).toBe(false);
  });

  it('raising the cap above spend un-pauses; lowering a cap below spend pauses at once', async () => {
    const a = await t.agent('a6');
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 10, mode: 'cap' });
    await spend(a.key, { amount_micro_usd: 100_000 });
    expect((await t.api(t.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body.status).toBe('paused');
    const raised = await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 20 });
    expect(raised.body).toMatchObject({ status: 'active', mode: 'cap' });
    expect(events.some((e) => e.type === 'budget.resumed' && e.data.reason === 'limit_raised')).toBe(true);
    // Still at 50%: the 80% warning re-armed and has not fired again yet.
    const lowered = await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 5 });
    expect(lowered.body).toMatchObject({ status: 'paused', paused_reason: 'cap_hit' });
  });

  it('manual pause and resume, audited, and re-pausing a paused budget is audited again', async () => {
    await team('ops');
    await setBudget({ scope: 'team', scope_id: 'ops', limit_usd_cents: 100 });
    const p = await t.api(t.op).answer('pauseBudget', { params: { scope: 'team', scope_id: 'ops' }, body: { reason: 'runaway' } });
    expect(p.body).toMatchObject({ status: 'paused', paused_reason: 'manual' });
    await t.raw('POST', '/v1/budgets/team/ops/pause', { key: t.op });
    expect(await auditOf('budget.paused')).toHaveLength(2);

    // Changing only the mode keeps the operator's pause; raising the cap lifts it.
    expect((await setBudget({ scope: 'team', scope_id: 'ops', limit_usd_cents: 100, mode: 'cap' })).body.status).toBe('paused');
    expect((await setBudget({ scope: 'team', scope_id: 'ops', limit_usd_cents: 150 })).body.status).toBe('active');
    await t.raw('POST', '/v1/budgets/team/ops/pause', { key: t.op });
    const r = await t.api(t.op).answer('resumeBudget', { params: { scope: 'team', scope_id: 'ops' }, body: undefined });
    expect(r.body).toMatchObject({ will_repause: false, budget: { status: 'active' } });
    expect(events.map((e) => e.type)).toEqual(['budget.paused', 'budget.paused', 'budget.resumed', 'budget.paused', 'budget.resumed']);
  });

  it('prices token usage with the price table (input_tokens excludes cache tokens) and records pricing_source', async () => {
    const a = await t.agent('a7');
    const r = await spend(a.key, { usage: { model: 'gpt-4o', input_tokens: 1_000_000, output_tokens: 1_000_000 } });
    expect(r.status).toBe(200);
    expect(r.body.spend.amount_micro_usd).toBe(12_500_000); // $2.50 + $10 per Mtok
    expect(r.body.spend.pricing_source).toMatch(/^genai-prices@[\d.]+:openai\/gpt-4o$/);
    const cached = await spend(a.key, {
      usage: { model: 'claude-sonnet-4-20250514', provider: 'anthropic', input_tokens: 5, cache_write_tokens: 4735, output_tokens: 255 },
    });
    // 5 × $3 + 4735 × $3.75 + 255 × $15 per Mtok = $0.02159625 → 21,596 micro-USD (rounded once).
    expect(cached.body.spend.amount_micro_usd).toBe(21_596);
    // Stored as sent: Warden's convention, not the price table's.
    expect(cached.body.spend.usage).toMatchObject({ input_tokens: 5, cache_write_tokens: 4735 });
    const byAmount = await spend(a.key, { amount_micro_usd: 5, note: 'n' });
    expect(byAmount.body.spend.pricing_source).toBe('caller');
    const listed = await t.api(a.key).answer('listSpend');
    expect(listed.body.data).toHaveLength(3);
  });

  it('prices Anthropic-style usage whose cache reads far exceed input_tokens', async () => {
    const a = await t.agent('a7c');
    // Claude Code reports a mostly-cached prompt this way; the price table would refuse it as sent.
    const r = await spend(a.key, { usage: { model: 'claude-sonnet-4-5', input_tokens: 10, output_tokens: 100, cache_read_tokens: 5000 } });
    expect(r.status).toBe(200);
    // 10 × $3 + 5000 × $0.30 + 100 × $15 per Mtok = $0.00303.
    expect(r.body.spend.amount_micro_usd).toBe(3_030);
    expect(r.body.spend.pricing_source).toMatch(/^genai-prices@[\d.]+:anthropic\/claude-sonnet-4-5$/);
    // The long-context tier (over 200K prompt tokens) counts the cached parts of the prompt too:
    // 1 × $6 + 250,000 × $0.60 + 1,000 × $22.50 per Mtok = $0.172506.
    const long = await spend(a.key, { usage: { model: 'claude-sonnet-4-5', input_tokens: 1, output_tokens: 1_000, cache_read_tokens: 250_000 } });
    expect(long.body.spend.amount_micro_usd).toBe(172_506);
  });

  it('an agent sees only its own spend; the operator may spend for any agent', async () => {
    const a = await t.agent('a8');
    const b = await t.agent('b8');
    await spend(a.key, { amount_micro_usd: 1 });
    const op = await spend(t.op, { amount_micro_usd: 2, agent_id: b.id });
    expect(op.body.spend.agent_id).toBe(b.id);
    expect((await t.api(a.key).answer('listSpend')).body.data).toHaveLength(1);
    expect((await t.api(t.op).answer('listSpend')).body.data).toHaveLength(2);
  });
});

describe('spend without an agent', () => {
  it('operator spend with no agent charges the mission and global scopes only, and filters work', async () => {
    const a = await t.agent('na1', { team_id: 'red' });
    await setBudget({ scope: 'agent', scope_id: a.id, limit_usd_cents: 100 });
    await setBudget({ scope: 'team', scope_id: 'red', limit_usd_cents: 100 });
    await mission('m2');
    await setBudget({ scope: 'mission', scope_id: 'm2', limit_usd_cents: 100 });
    await setBudget({ scope: 'global', limit_usd_cents: 100 });
    const r = await spend(t.op, { amount_micro_usd: 42, mission_id: 'm2' });
    expect(r.body.spend).toMatchObject({ agent_id: null, mission_id: 'm2', amount_micro_usd: 42 });
    expect(r.body.budgets.map((b) => b.scope).sort()).toEqual(['global', 'mission']);
    await spend(a.key, { amount_micro_usd: 8 });
    expect((await t.api(t.op).answer('listSpend', { query: { mission_id: 'm2' } })).body.data).toHaveLength(1);
    expect((await t.api(t.op).answer('listSpend', { query: { agent_id: a.id } })).body.data).toHaveLength(1);
    const byAgent = (await t.api(t.op).answer('spendReport', { query: { group_by: 'agent' } })).body.rows;
    expect(byAgent).toEqual([
      { key: null, spent_micro_usd: 42, spent_usd_cents: 0, events: 1 },
      { key: a.id, spent_micro_usd: 8, spent_usd_cents: 0, events: 1 },
    ]);
  });
});

describe('kill-switch', () => {
  it('engages and releases, survives restart, audited and announced', async () => {
    expect((await t.api(t.op).answer('getKillSwitch')).body).toMatchObject({ engaged: false });
    const on = await t.api(t.op).answer('setKillSwitch', { body: { engaged: true, reason: 'stop all agents' } });
    expect(on.body).toMatchObject({ object: 'kill_switch', engaged: true, reason: 'stop all agents' });
    expect(t.app.services.budgets.killSwitch()).toEqual({ engaged: true, reason: 'stop all agents' });
    expect(events.filter((e) => e.type === 'kill_switch.changed')).toHaveLength(1);

    await t.stop();
    const t2 = await startTestApp({ dataDir: t.dataDir, timeZone: 'UTC' });
    try {
      expect((await t2.api(t2.op).answer('getKillSwitch')).body.engaged).toBe(true);
      await t2.api(t2.op).answer('setKillSwitch', { body: { engaged: false } });
      expect(t2.app.services.budgets.killSwitch().engaged).toBe(false);
      const types = (await t2.api(t2.op).answer('listAudit', { query: { event_type: 'kill_switch.*' } })).body.data.map((r) => r.event_type);
      expect(types).toEqual(['kill_switch.released', 'kill_switch.engaged']);
    } finally {
      await t2.stop();
    }
  });
});

describe('spend report', () => {
  it('groups by agent and by day', async () => {
    const a = await t.agent('r1');
    const b = await t.agent('r2');
    await spend(a.key, { amount_micro_usd: 300 });
    await spend(a.key, { amount_micro_usd: 200 });
    await spend(b.key, { amount_micro_usd: 50_000 });
    const byAgent = await t.api(t.op).answer('spendReport', { query: { group_by: 'agent' } });
    expect(byAgent.body).toMatchObject({ object: 'spend_report', group_by: 'agent', total_micro_usd: 50_500 });
    expect(byAgent.body.rows).toEqual([
      { key: b.id, spent_micro_usd: 50_000, spent_usd_cents: 5, events: 1 },
      { key: a.id, spent_micro_usd: 500, spent_usd_cents: 0, events: 2 },
    ]);
    const byDay = await t.api(t.op).answer('spendReport', { query: { group_by: 'day' } });
    expect(byDay.body.rows).toHaveLength(1);
    expect(byDay.body.rows[0]).toMatchObject({ spent_micro_usd: 50_500, events: 3 });
    expect(byDay.body.rows[0]!.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The one row rule: an agent key's report is its own spend.
    const own = await t.api(a.key).answer('spendReport', { query: { group_by: 'day' } });
    expect(own.body).toMatchObject({ total_micro_usd: 500, rows: [{ spent_micro_usd: 500, events: 2 }] });
  });
});

describe('validation and authorization', () => {
  const cases: [string, string, string, Record<string, unknown> | undefined, number, string, string?][] = [
    ['unknown scope on set', 'POST', '/v1/budgets', { scope: 'tenant', scope_id: 'x', limit_usd_cents: 5 }, 400, 'invalid_parameter', 'scope'],
    ['zero limit', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 0 }, 400, 'invalid_parameter', 'limit_usd_cents'],
    ['negative limit', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: -5 }, 400, 'invalid_parameter', 'limit_usd_cents'],
    ['fractional limit', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 1.5 }, 400, 'invalid_parameter', 'limit_usd_cents'],
    ['string limit', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: '5' }, 400, 'invalid_parameter', 'limit_usd_cents'],
    ['missing limit', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x' }, 400, 'missing_parameter', 'limit_usd_cents'],
    ['missing scope', 'POST', '/v1/budgets', { scope_id: 'x', limit_usd_cents: 5 }, 400, 'missing_parameter', 'scope'],
    ['missing scope_id', 'POST', '/v1/budgets', { scope: 'team', limit_usd_cents: 5 }, 400, 'missing_parameter', 'scope_id'],
    ['bad global id', 'POST', '/v1/budgets', { scope: 'global', scope_id: 'x', limit_usd_cents: 5 }, 400, 'invalid_parameter', 'scope_id'],
    ['bad mode', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 5, mode: 'hard' }, 400, 'invalid_parameter', 'mode'],
    ['bad period', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 5, period: 'year' }, 400, 'invalid_parameter', 'period'],
    ['unknown field', 'POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 5, extra: 1 }, 400, 'invalid_parameter', 'extra'],
    ['unknown scope on resume', 'POST', '/v1/budgets/tenant/x/resume', {}, 400, 'invalid_parameter', 'scope'],
    ['unknown scope on pause', 'POST', '/v1/budgets/tenant/x/pause', {}, 400, 'invalid_parameter', 'scope'],
    ['unknown scope on delete', 'DELETE', '/v1/budgets/tenant/x', undefined, 400, 'invalid_parameter', 'scope'],
    ['unknown scope on get', 'GET', '/v1/budgets/tenant/x', undefined, 400, 'invalid_parameter', 'scope'],
    ['unknown scope on list', 'GET', '/v1/budgets?scope=tenant', undefined, 400, 'invalid_parameter', 'scope'],
    ['zero grace', 'POST', '/v1/budgets/team/ops/resume', { grace_usd_cents: 0 }, 400, 'invalid_parameter', 'grace_usd_cents'],
    ['fractional grace', 'POST', '/v1/budgets/team/ops/resume', { grace_usd_cents: 2.5 }, 400, 'invalid_parameter', 'grace_usd_cents'],
    ['resume unknown budget', 'POST', '/v1/budgets/team/nope/resume', {}, 404, 'not_found'],
    ['pause unknown budget', 'POST', '/v1/budgets/team/nope/pause', {}, 404, 'not_found'],
    ['negative amount', 'POST', '/v1/spend', { amount_micro_usd: -1 }, 400, 'invalid_parameter', 'amount_micro_usd'],
    ['fractional amount', 'POST', '/v1/spend', { amount_micro_usd: 0.5 }, 400, 'invalid_parameter', 'amount_micro_usd'],
    ['neither amount nor usage', 'POST', '/v1/spend', {}, 400, 'missing_parameter', 'amount_micro_usd'],
    ['both amount and usage', 'POST', '/v1/spend', { amount_micro_usd: 1, usage: { model: 'gpt-4o', input_tokens: 1, output_tokens: 1 } }, 400, 'invalid_parameter', 'usage'],
    ['usage without tokens', 'POST', '/v1/spend', { usage: { model: 'gpt-4o' } }, 400, 'missing_parameter', 'usage.input_tokens'],
    ['negative tokens', 'POST', '/v1/spend', { usage: { model: 'gpt-4o', input_tokens: -1, output_tokens: 1 } }, 400, 'invalid_parameter', 'usage.input_tokens'],
    ['unknown model', 'POST', '/v1/spend', { usage: { model: 'no-such-model-9000', input_tokens: 1, output_tokens: 1 } }, 422, 'unprocessable', 'usage.model'],
    ['unknown agent for operator spend', 'POST', '/v1/spend', { amount_micro_usd: 1, agent_id: 'agt_nope' }, 404, 'not_found'],
    ['kill-switch without engaged', 'POST', '/v1/kill-switch', {}, 400, 'missing_parameter', 'engaged'],
    ['kill-switch engaged not boolean', 'POST', '/v1/kill-switch', { engaged: 'yes' }, 400, 'invalid_parameter', 'engaged'],
    ['report group_by', 'GET', '/v1/reports/spend?group_by=week', undefined, 400, 'invalid_parameter', 'group_by'],
    ['bad cursor', 'GET', '/v1/budgets?cursor=zzz', undefined, 400, 'invalid_parameter', 'cursor'],
  ];
  it.each(cases)('%s', async (_name, method, path, body, status, code, param) => {
    await team('ops');
    await setBudget({ scope: 'team', scope_id: 'ops', limit_usd_cents: 100 });
    const before = await t.api(t.op).answer('verifyAudit');
    const r = await t.raw(method, path, { key: t.op, ...(body !== undefined ? { body } : {}) });
    expect(r.status).toBe(status);
    expect(errorBody(r.body).error.code).toBe(code);
    if (param) expect(errorBody(r.body).error.param).toBe(param);
    // A rejected request changes nothing.
    expect((await t.api(t.op).answer('verifyAudit')).body.rows).toBe(before.body.rows);
  });

  it('agent keys cannot call operator routes, and need their scopes', async () => {
    const a = await t.agent('z1');
    const noSpend = await t.agent('z2', { scopes: ['budgets:read'] });
    await team('x');
    expect((await setBudget({ scope: 'team', scope_id: 'x', limit_usd_cents: 5 })).status).toBe(200);
    for (const [m, p, b] of [
      ['POST', '/v1/budgets', { scope: 'team', scope_id: 'x', limit_usd_cents: 5 }],
      ['POST', '/v1/budgets/team/x/resume', {}],
      ['POST', '/v1/budgets/team/x/pause', {}],
      ['DELETE', '/v1/budgets/team/x', undefined],
      ['POST', '/v1/kill-switch', { engaged: true }],
    ] as const) {
      const r = await t.raw(m, p, { key: a.key, ...(b ? { body: b } : {}) });
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(errorBody(r.body).error.code).toBe('insufficient_scope');
    }
    expect((await t.raw('POST', '/v1/spend', { key: noSpend.key, body: { amount_micro_usd: 1 } })).status).toBe(403);
    expect((await t.raw('POST', '/v1/spend', { key: a.key, body: { amount_micro_usd: 1, agent_id: noSpend.id } })).status).toBe(403);
    expect((await t.raw('GET', '/v1/budgets', { key: noSpend.key })).status).toBe(200);
    expect((await t.raw('GET', '/v1/budgets')).status).toBe(401);
    expect((await t.raw('POST', '/v1/spend', { body: { amount_micro_usd: 1 } })).status).toBe(401);
  });

  it('Idempotency-Key replays a spend instead of charging twice', async () => {
    const a = await t.agent('i1');
    const h = { idempotencyKey: 'spend-1' };
    const r1 = await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 7 } }, h);
    const r2 = await t.api(a.key).answer('recordSpend', { body: { amount_micro_usd: 7 } }, h);
    expect(r2.body.spend.id).toBe(r1.body.spend.id);
    expect((await t.api(a.key).answer('listSpend')).body.data).toHaveLength(1);
  });
});

describe('team and mission budgets name scopes that exist', () => {
  it('a new budget for a team no agent is in, or an unregistered mission, is a 422 with the close matches, and changes nothing', async () => {
    await t.agent('g1', { team_id: 'growth' });
    await mission('spring-launch');
    const before = (await t.api(t.op).answer('verifyAudit')).body.rows;
    for (const [scope, scopeId, expected] of [
      ['team', 'Growth', /no agent is in team "Growth"; close matches: growth/],
      ['team', 'growht', /close matches: growth/],
      ['team', 'zzzzzzzzzz', /no agent is in team "zzzzzzzzzz"; set team_id on an agent first/],
      ['mission', 'Spring-Launch', /no mission has the id "Spring-Launch"; close matches: spring-launch/],
      ['mission', 'autumn', /register it first with POST \/v1\/missions/],
    ] as const) {
      const r = await t.raw('POST', '/v1/budgets', { key: t.op, body: { scope, scope_id: scopeId, limit_usd_cents: 100 } });
      expect(r.status, scopeId).toBe(422);
      expect(errorBody(r.body).error).toMatchObject({ code: 'unprocessable', param: 'scope_id', message: expect.stringMatching(expected) });
    }
    expect((await t.api(t.op).answer('listBudgets')).body.data).toEqual([]);
    expect((await t.api(t.op).answer('verifyAudit')).body.rows).toBe(before);
    expect((await setBudget({ scope: 'team', scope_id: 'growth', limit_usd_cents: 100 })).status).toBe(200);
    expect((await setBudget({ scope: 'mission', scope_id: 'spring-launch', limit_usd_cents: 100 })).status).toBe(200);
  });

  it('an existing team budget can still be changed after its last agent left the team', async () => {
    const g = await t.agent('g2', { team_id: 'growth' });
    await setBudget({ scope: 'team', scope_id: 'growth', limit_usd_cents: 100 });
    await t.api(t.op).call('updateAgent', { params: { id: g.id }, body: { team_id: null } });
    expect((await setBudget({ scope: 'team', scope_id: 'growth', limit_usd_cents: 200 })).body).toMatchObject({ limit_usd_cents: 200 });
  });
});
