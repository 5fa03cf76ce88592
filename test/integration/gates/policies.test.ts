/** Gate policies: create, validate, list with filters, sort and cursor, read, change, delete, audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { onePolicy, securityPolicy } from './fixtures.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function refused(body: unknown, status = 400) {
  const res = await t.raw('POST', '/v1/gate-policies', { key: t.op, body });
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return errorBody(res.body).error;
}

describe('gate policies', () => {
  it('creates a policy with defaults and reads it back', async () => {
    const created = await t.api(t.op).answer('createGatePolicy', { body: securityPolicy() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'gate_policy', is_active: true, is_draft: false, severity: 'high', created_by: expect.stringMatching(/^operator:/) });
    expect(created.body.id).toMatch(/^gpol_/);
    const gate = created.body.stages[0]!.gates[0]!;
    expect(gate.type === 'approval' && gate.required_approvals).toBe(1);
    const read = await t.api(t.op).answer('getGatePolicy', { params: { id: created.body.id } });
    expect(read.body).toEqual(created.body);
  });

  it('answers every validation error with 400 and the param at fault, changing nothing', async () => {
    const before = (await t.api(t.op).call('listGatePolicies', { query: { limit: 500 } })).data.length;
    expect(await refused({ ...securityPolicy(), applicable_resource_types: ['mcp_server', 'spaceship'] })).toMatchObject({ code: 'invalid_parameter', param: 'applicable_resource_types[1]' });
    const stages = securityPolicy().stages;
    expect(await refused({ ...securityPolicy(), stages: [stages[0], { ...stages[1], id: 'security' }] })).toMatchObject({ param: 'stages[1].id' });
    expect(await refused({ ...securityPolicy(), stages: [stages[0], { ...stages[1], gates: [{ id: 'sec', type: 'approval' }] }] })).toMatchObject({ param: 'stages[1].gates[0].id' });
    expect(await refused({ ...securityPolicy(), stages: [{ id: 's', name: 'S', gates: [{ id: 'g', type: 'vibes' }] }] })).toMatchObject({ param: 'stages[0].gates[0].type' });
    expect(await refused({ ...securityPolicy(), stages: [{ id: 's', name: 'S', gates: [{ id: 'g', type: 'checklist', questions: [] }] }] })).toMatchObject({ param: 'stages[0].gates[0].questions' });
    expect(await refused({ ...securityPolicy(), stages: [] })).toMatchObject({ param: 'stages' });
    expect(await refused({ ...securityPolicy(), severity: 'apocalyptic' })).toMatchObject({ param: 'severity' });
    const { name: _name, ...nameless } = securityPolicy();
    expect(await refused(nameless)).toMatchObject({ code: 'missing_parameter', param: 'name' });
    expect(await refused({ ...securityPolicy(), owner: 'me' })).toMatchObject({ code: 'invalid_parameter' });
    expect((await t.api(t.op).call('listGatePolicies', { query: { limit: 500 } })).data.length).toBe(before);
  });

  it('is the operator’s: an agent key may read policies but not write them', async () => {
    const agent = await t.agent('policy-reader');
    expect((await t.raw('POST', '/v1/gate-policies', { key: agent.key, body: securityPolicy() })).status).toBe(403);
    expect((await t.api(agent.key).answer('listGatePolicies', {})).status).toBe(200);
  });

  it('lists with filters, sort and cursor', async () => {
    const fresh = await startTestApp();
    try {
      const op = fresh.api(fresh.op);
      await op.call('createGatePolicy', { body: onePolicy(['model'], { name: 'Alpha models', category: 'ml', severity: 'low' }) });
      await op.call('createGatePolicy', { body: onePolicy(['agent'], { name: 'Beta agents', category: 'ops', severity: 'critical', description: 'new agents' }) });
      await op.call('createGatePolicy', { body: onePolicy(['prompt'], { name: 'Gamma prompts', category: 'ml', severity: 'medium', is_active: false }) });
      const names = async (query: Record<string, string | number>) =>
        (await fresh.raw('GET', `/v1/gate-policies?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, { key: fresh.op })).body as { data: { name: string }[]; next_cursor: string | null };
      expect((await names({ category: 'ml', sort: 'name:asc' })).data.map((p) => p.name)).toEqual(['Alpha models', 'Gamma prompts']);
      expect((await names({ severity: 'critical' })).data.map((p) => p.name)).toEqual(['Beta agents']);
      expect((await names({ is_active: 'false' })).data.map((p) => p.name)).toEqual(['Gamma prompts']);
      expect((await names({ search: 'NEW AGENTS' })).data.map((p) => p.name)).toEqual(['Beta agents']);
      expect((await names({ sort: 'severity:desc' })).data.map((p) => p.name)).toEqual(['Beta agents', 'Gamma prompts', 'Alpha models']);
      const first = await names({ sort: 'name:desc', limit: 2 });
      expect(first.data.map((p) => p.name)).toEqual(['Gamma prompts', 'Beta agents']);
      const second = await names({ sort: 'name:desc', limit: 2, cursor: first.next_cursor! });
      expect(second.data.map((p) => p.name)).toEqual(['Alpha models']);
      expect(second.next_cursor).toBeNull();
      expect((await fresh.raw('GET', '/v1/gate-policies?sort=color:asc', { key: fresh.op })).status).toBe(400);
      expect((await fresh.raw('GET', '/v1/gate-policies?cursor=nonsense', { key: fresh.op })).status).toBe(400);
    } finally {
      await fresh.close();
    }
  });

  it('updates any subset, validating what it changes', async () => {
    const { id } = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['skill']) });
    const updated = await t.api(t.op).answer('updateGatePolicy', { params: { id }, body: { severity: 'critical', is_draft: true } });
    expect(updated.body).toMatchObject({ severity: 'critical', is_draft: true, name: 'one review' });
    const bad = await t.raw('PUT', `/v1/gate-policies/${id}`, { key: t.op, body: { applicable_resource_types: ['galaxy'] } });
    expect(bad.status).toBe(400);
    expect(errorBody(bad.body).error.param).toBe('applicable_resource_types[0]');
    expect((await t.raw('PUT', '/v1/gate-policies/gpol_nope', { key: t.op, body: { name: 'x' } })).status).toBe(404);
  });

  it('deletes with 204, then the policy is gone; the audit keeps its history under entity_type gate_policy', async () => {
    const { id } = await t.api(t.op).call('createGatePolicy', { body: onePolicy(['connector'], { name: 'to delete' }) });
    const deleted = await t.raw('DELETE', `/v1/gate-policies/${id}`, { key: t.op });
    expect(deleted.status).toBe(204);
    expect((await t.raw('GET', `/v1/gate-policies/${id}`, { key: t.op })).status).toBe(404);
    expect((await t.raw('DELETE', `/v1/gate-policies/${id}`, { key: t.op })).status).toBe(404);
    const audit = await t.api(t.op).call('listAudit', { query: { entity_type: 'gate_policy' } });
    const mine = audit.data.filter((e) => e.subject_id === id);
    expect(mine.map((e) => e.event_type)).toEqual(['gate_policy.deleted', 'gate_policy.created']);
    expect(audit.data.every((e) => e.entity_type === 'gate_policy')).toBe(true);
    const verify = await t.api(t.op).call('verifyAudit', { query: { full: 'true' } });
    expect(verify.ok).toBe(true);
  });
});
