/**
 * Missions have members: a non-member naming a registered mission in an action or a spend is
 * 403 and charges nothing; a member of exactly one active mission that names none is charged to
 * it; a spend's action_id must be the caller's own action. Agents in no mission keep the old
 * behaviour.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

const open: TestApp[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

async function setup() {
  const t = await startTestApp({ timeZone: 'UTC' });
  open.push(t);
  const member = await t.agent('member');
  const outsider = await t.agent('outsider');
  const created = await t.api(t.op).answer('createMission', { body: { id: 'launch', name: 'Launch', agent_ids: [member.id] } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ object: 'mission', id: 'launch', status: 'active', agent_ids: [member.id] });
  const budget = await t.api(t.op).answer('setBudget', { body: { scope: 'mission', scope_id: 'launch', limit_usd_cents: 1000 } });
  expect(budget.status).toBe(200);
  const spent = async () => (await t.api(t.op).answer('getBudget', { params: { scope: 'mission', scope_id: 'launch' } })).body.spent_micro_usd as number;
  return { t, member, outsider, spent };
}

describe('missions', () => {
  it("a non-member naming the mission in an action or a spend is 403 and the mission's budget is untouched", async () => {
    const { t, outsider, spent } = await setup();
    const act = await t.raw('POST', '/v1/actions', { key: outsider.key, body: { tool: 'shell.exec', mission_id: 'launch' } });
    expect(act.status).toBe(403);
    expect(errorBody(act.body).error).toMatchObject({
      code: 'insufficient_scope',
      param: 'mission_id',
      message: 'agent outsider is not a member of mission Launch (launch)',
    });
    const spend = await t.raw('POST', '/v1/spend', { key: outsider.key, body: { amount_micro_usd: 5_000_000, mission_id: 'launch' } });
    expect(spend.status).toBe(403);
    expect(await spent()).toBe(0);
    // The outsider is in no mission: without a mission_id it spends as before.
    const plain = await t.api(outsider.key).answer('recordSpend', { body: { amount_micro_usd: 1000 } });
    expect(plain.status).toBe(200);
    expect(plain.body.spend.mission_id).toBeNull();
    expect(await spent()).toBe(0);
  });

  it('a member of exactly one active mission that names none is charged to it, in spend and in actions', async () => {
    const { t, member, spent } = await setup();
    const spend = await t.api(member.key).answer('recordSpend', { body: { amount_micro_usd: 2_000_000 } });
    expect(spend.status).toBe(200);
    expect(spend.body.spend.mission_id).toBe('launch');
    expect(await spent()).toBe(2_000_000);

    const allow = await t.api(t.op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } });
    expect(allow.status).toBe(201);
    const act = await t.api(member.key).answer('createAction', { body: { tool: 'llm.call' } });
    expect(act.body.status).toBe('allowed');
    const done = await t.api(member.key).answer('completeAction', { params: { id: act.body.id }, body: { outcome: 'succeeded', cost_micro_usd: 500_000 } });
    expect(done.status).toBe(200);
    expect(await spent()).toBe(2_500_000);

    // Closed, it is no longer charged by default, and naming it is refused.
    expect((await t.api(t.op).answer('updateMission', { params: { id: 'launch' }, body: { status: 'closed' } })).body.status).toBe('closed');
    const after = await t.api(member.key).answer('recordSpend', { body: { amount_micro_usd: 1000 } });
    expect(after.body.spend.mission_id).toBeNull();
    expect((await t.raw('POST', '/v1/spend', { key: member.key, body: { amount_micro_usd: 1000, mission_id: 'launch' } })).status).toBe(403);
  });

  it("a spend's action_id must be the caller's own action (else 404)", async () => {
    const { t, member, outsider } = await setup();
    const act = await t.api(member.key).answer('createAction', { body: { tool: 'shell.exec' } });
    expect(act.status).toBe(200);
    const theirs = await t.raw('POST', '/v1/spend', { key: outsider.key, body: { amount_micro_usd: 1000, action_id: act.body.id } });
    expect(theirs.status).toBe(404);
    expect(errorBody(theirs.body).error.code).toBe('not_found');
    const mine = await t.api(member.key).answer('recordSpend', { body: { amount_micro_usd: 1000, action_id: act.body.id } });
    expect(mine.status).toBe(200);
  });

  it('GET lists missions; PATCH replaces members; an unknown agent is 404 and changes nothing', async () => {
    const { t, member, outsider } = await setup();
    const patched = await t.api(t.op).answer('updateMission', { params: { id: 'launch' }, body: { agent_ids: [member.id, outsider.id] } });
    expect(patched.body.agent_ids.sort()).toEqual([member.id, outsider.id].sort());
    const bad = await t.raw('PATCH', '/v1/missions/launch', { key: t.op, body: { agent_ids: ['agt_nobody'] } });
    expect(bad.status).toBe(404);
    expect(errorBody(bad.body).error.param).toBe('agent_ids[0]');
    const list = await t.api(t.op).answer('listMissions');
    expect(list.body.data).toEqual([expect.objectContaining({ id: 'launch', agent_ids: expect.arrayContaining([member.id, outsider.id]) })]);
    expect((await t.raw('POST', '/v1/missions', { key: t.op, body: { id: 'launch', name: 'again' } })).status).toBe(409);
    expect((await t.raw('GET', '/v1/missions', { key: member.key })).status).toBe(403);
  });
});
