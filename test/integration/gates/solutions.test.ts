/** Solutions: create (operator, or an agent for itself), list, read, change, delete, requirements, recompute. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { onePolicy, securityPolicy } from './fixtures.js';

let t: TestApp;
let policyId: string;

beforeAll(async () => {
  t = await startTestApp();
  policyId = (await t.api(t.op).call('createGatePolicy', { body: securityPolicy() })).id;
});
afterAll(async () => {
  await t.close();
});

describe('solutions', () => {
  it('an operator creates one in draft; its agent joins its resources and may read it', async () => {
    const agent = await t.agent('fs-user');
    const created = await t.api(t.op).answer('createSolution', {
      body: { name: 'Filesystem for fs-user', resources: [{ type: 'mcp_server', id: 'filesystem' }], agent_id: agent.id },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'solution', status: 'draft', agent_id: agent.id, description: '' });
    expect(created.body.resources).toEqual([{ type: 'agent', id: agent.id }, { type: 'mcp_server', id: 'filesystem' }]);
    expect((await t.api(agent.key).answer('getSolution', { params: { id: created.body.id } })).status).toBe(200);
    const other = await t.agent('stranger');
    expect((await t.raw('GET', `/v1/solutions/${created.body.id}`, { key: other.key })).status).toBe(404);
  });

  it('an agent creates one for itself only, naming no other agent', async () => {
    const me = await t.agent('self-submitter');
    const other = await t.agent('someone-else');
    const mine = await t.api(me.key).answer('createSolution', { body: { name: 'mine', resources: [{ type: 'mcp_server', id: 'github' }] } });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ agent_id: me.id, created_by: `agent:${me.id}` });
    const naming = await t.raw('POST', '/v1/solutions', { key: me.key, body: { name: 'x', resources: [{ type: 'mcp_server', id: 'a' }, { type: 'agent', id: other.id }] } });
    expect(naming.status).toBe(403);
    expect(errorBody(naming.body).error.param).toBe('resources[1].id');
    const forOther = await t.raw('POST', '/v1/solutions', { key: me.key, body: { name: 'x', resources: [{ type: 'mcp_server', id: 'a' }], agent_id: other.id } });
    expect(forOther.status).toBe(403);
    expect(errorBody(forOther.body).error.param).toBe('agent_id');
  });

  it('refuses bad input with the param at fault', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'x', resources: [] }, 'resources'],
      [{ name: 'x', resources: [{ type: 'spaceship', id: 'a' }] }, 'resources[0].type'],
      [{ name: 'x', resources: [{ type: 'tool', id: 'a' }, { type: 'tool', id: 'a' }] }, 'resources'],
      [{ name: 'x', resources: [{ type: 'tool', id: 'a' }], agent_id: 'agt_nobody' }, 'agent_id'],
      [{ resources: [{ type: 'tool', id: 'a' }] }, 'name'],
    ];
    for (const [body, param] of cases) {
      const res = await t.raw('POST', '/v1/solutions', { key: t.op, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorBody(res.body).error.param).toBe(param);
    }
  });

  it('lists by status, search, agent and resource; changes and deletes', async () => {
    const a = await t.agent('lister');
    const one = await t.api(t.op).call('createSolution', { body: { name: 'Searchable Thing', resources: [{ type: 'mcp_server', id: 'slack' }], agent_id: a.id } });
    const ids = async (query: string) => ((await t.raw('GET', `/v1/solutions?${query}`, { key: t.op })).body as { data: { id: string }[] }).data.map((s) => s.id);
    expect(await ids('search=searchable')).toEqual([one.id]);
    expect(await ids(`agent_id=${a.id}`)).toEqual([one.id]);
    expect(await ids('resource=mcp_server:slack')).toEqual([one.id]);
    expect(await ids('status=draft')).toContain(one.id);
    expect(await ids('status=approved')).not.toContain(one.id);
    expect((await t.raw('GET', '/v1/solutions?resource=nocolon', { key: t.op })).status).toBe(400);

    const changed = await t.api(t.op).answer('updateSolution', { params: { id: one.id }, body: { name: 'Renamed', resources: [{ type: 'mcp_server', id: 'teams' }] } });
    expect(changed.body.name).toBe('Renamed');
    // The solution's agent stays among its resources.
    expect(changed.body.resources).toEqual([{ type: 'agent', id: a.id }, { type: 'mcp_server', id: 'teams' }]);
    expect((await t.raw('PUT', '/v1/solutions/sol_nope', { key: t.op, body: { name: 'x' } })).status).toBe(404);

    expect((await t.raw('DELETE', `/v1/solutions/${one.id}`, { key: t.op })).status).toBe(204);
    expect((await t.raw('GET', `/v1/solutions/${one.id}`, { key: t.op })).status).toBe(404);
    const audit = await t.api(t.op).call('listAudit', { query: { entity_type: 'solution' } });
    expect(audit.data.filter((e) => e.subject_id === one.id).map((e) => e.event_type)).toEqual(['solution.deleted', 'solution.updated', 'solution.created']);
  });

  it('requirements list every applicable active policy, stage by stage, with what is missing', async () => {
    await t.api(t.op).call('createGatePolicy', { body: onePolicy(['mcp_server'], { name: 'draft one', is_draft: true }) });
    await t.api(t.op).call('createGatePolicy', { body: onePolicy(['mcp_server'], { name: 'inactive one', is_active: false }) });
    await t.api(t.op).call('createGatePolicy', { body: onePolicy(['model'], { name: 'models only' }) });
    const sol = await t.api(t.op).call('createSolution', { body: { name: 'reqs', resources: [{ type: 'mcp_server', id: 'jira' }] } });
    const reqs = await t.api(t.op).call('getRequirements', { params: { id: sol.id } });
    expect(reqs.policies.map((p) => p.policy_id)).toEqual([policyId]);
    const [security, legal] = reqs.policies[0]!.stages;
    expect(security).toMatchObject({ stage_id: 'security', position: 1, status: 'open' });
    expect(security!.gates[0]).toMatchObject({ gate_id: 'sec', status: 'missing', required_approvals: 1, approvals: 0, missing: ['a submission', '1 approval'] });
    expect(legal).toMatchObject({ stage_id: 'legal', status: 'locked' });
    expect(legal!.gates[0]!.missing).toEqual(['answers to dpa', '1 approval']);
    expect((await t.raw('GET', '/v1/solutions/sol_nope/requirements', { key: t.op })).status).toBe(404);
  });

  it('recompute answers the solution, its requirements and whether its status changed', async () => {
    const sol = await t.api(t.op).call('createSolution', { body: { name: 'recompute', resources: [{ type: 'mcp_server', id: 'drive' }] } });
    const res = await t.api(t.op).answer('recomputeSolution', { params: { id: sol.id } });
    expect(res.body).toMatchObject({ object: 'solution_recompute', changed: false, solution: { id: sol.id, status: 'draft' } });
    expect(res.body.requirements.policies).toHaveLength(1);
    const agent = await t.agent('no-recompute');
    expect((await t.raw('POST', `/v1/solutions/${sol.id}/recompute`, { key: agent.key })).status).toBe(403);
    expect((await t.raw('POST', '/v1/solutions/sol_nope/recompute', { key: t.op })).status).toBe(404);
    const audit = await t.api(t.op).call('listAudit', { query: { event_type: 'solution.recomputed' } });
    expect(audit.data[0]).toMatchObject({ subject_id: sol.id, entity_type: 'solution' });
  });
});
