import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

/** A hypothetical policy of a dry run. */
type Hypothetical = NonNullable<RouteInput<Routes['evaluateGuardrails']>['body']['policies']>[number];

let t: TestApp;
let agent: { id: string; key: string };
let readOnly: string;

beforeAll(async () => {
  t = await startTestApp();
  agent = await t.agent('policy-agent', { role: 'developer' });
  const res = await t.api(t.op).answer('createAgentKey', { params: { id: agent.id }, body: { scopes: ['actions:write'] } });
  readOnly = res.body.api_key;
});
afterAll(async () => {
  await t.close();
});

describe('guardrail policies', () => {
  let id: string;

  it('creates a policy at version 1', async () => {
    const res = await t.api(t.op).answer('createGuardrail', { body: {
      name: 'refund-ceiling',
      description: 'refunds to $250',
      rules: [{ tool: 'order.refund', decision: 'ALLOW', max_value: 250 }],
    } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'guardrail_policy', name: 'refund-ceiling', version: 1, status: 'active', deleted_at: null });
    expect(res.body.id).toMatch(/^grd_/);
    id = res.body.id;
  });

  it.each([
    [{ rules: [{ tool: '*', decision: 'ALLOW' }] }, 400, 'missing_parameter', 'name'],
    [{ name: 'abc' }, 400, 'missing_parameter', 'rules'],
    [{ name: 'abc', rules: [] }, 400, 'missing_parameter', 'rules'],
    [{ name: 'Bad_Name', rules: [{ tool: '*', decision: 'ALLOW' }] }, 400, 'invalid_parameter', 'name'],
    [{ name: 'ab', rules: [{ tool: '*', decision: 'ALLOW' }] }, 400, 'invalid_parameter', 'name'],
    [{ name: 'abc', rules: [{ tool: '*', decision: 'DENY' }] }, 400, 'invalid_parameter', 'rules[0].decision'],
    [{ name: 'abc', rules: [{ decision: 'ALLOW' }] }, 400, 'missing_parameter', 'rules[0].tool'],
    [{ name: 'abc', rules: [{ tool: 'x', decision: 'ALERT' }, { decision: 'BLOCK', max_value: 5 }] }, 400, 'missing_parameter', 'rules[1].tool'],
    [{ name: 'abc', rules: [{ tool: 'x', decision: 'BLOCK', always_ask: true }] }, 400, 'invalid_parameter', 'rules[0].always_ask'],
    [{ name: 'abc', rules: [{ tool: '*', decision: 'ALLOW' }, { tool: '*', decision: 'ALLOW', max_value: 0 }] }, 400, 'invalid_parameter', 'rules[1].max_value'],
    [{ name: 'abc', rules: [{ decision: 'ALLOW', max_value: '5' }] }, 400, 'invalid_parameter', 'rules[0].max_value'],
    [{ name: 'abc', rules: [{ decision: 'ALLOW', expr: '$.args.x ==' }] }, 400, 'invalid_parameter', 'rules[0].expr'],
    [{ name: 'abc', rules: [{ decision: 'ALLOW', expr: { all_of: ['$.args.x == 1', 'nope'] } }] }, 400, 'invalid_parameter', 'rules[0].expr.all_of[1]'],
    [{ name: 'abc', rules: [{ decision: 'ALLOW', min_value: 3 }] }, 400, 'invalid_parameter', 'rules[0].min_value'],
    [{ name: 'refund-ceiling', rules: [{ tool: '*', decision: 'ALLOW' }] }, 409, 'state_conflict', 'name'],
  ])('create %j → %i %s', async (body, status, code, param) => {
    const res = await t.raw('POST', '/v1/guardrails', { key: t.op, body: body });
    expect(res.status).toBe(status);
    expect(errorBody(res.body).error.code).toBe(code);
    expect(errorBody(res.body).error.param).toBe(param);
  });

  it('an agent key cannot create policies', async () => {
    const res = await t.raw('POST', '/v1/guardrails', { key: agent.key, body: { name: 'agent-made', rules: [{ tool: '*', decision: 'ALLOW' }] } });
    expect(res.status).toBe(403);
  });

  it('PATCH of rules mints a version; older versions stay readable verbatim', async () => {
    const res = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { rules: [{ tool: 'order.refund', decision: 'ALLOW', max_value: 400 }] } });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    const same = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { rules: [{ max_value: 400, decision: 'ALLOW', tool: 'order.refund' }] } });
    expect(same.body.version).toBe(2);
    const desc = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { description: 'refunds to $400', status: 'disabled' } });
    expect(desc.body).toMatchObject({ version: 2, status: 'disabled', description: 'refunds to $400' });
    const v1 = await t.api(t.op).answer('getGuardrail', { params: { id }, query: { version: '1' } });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ version: 1, rules: [{ tool: 'order.refund', decision: 'ALLOW', max_value: 250 }], description: 'refunds to $250' });
    const versions = await t.api(t.op).answer('listGuardrailVersions', { params: { id } });
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { status: 'active' } });
  });

  it.each([
    [{ name: 'other' }, 400, 'invalid_parameter', 'name'],
    [{ version: 9 }, 400, 'invalid_parameter', 'version'],
    [{ rules: [] }, 400, 'missing_parameter', 'rules'],
    [{ rules: [{ decision: 'MAYBE' }] }, 400, 'invalid_parameter', 'rules[0].decision'],
  ])('PATCH %j → %i %s', async (body, status, code, param) => {
    const res = await t.raw('PATCH', `/v1/guardrails/${id}`, { key: t.op, body: body });
    expect(res.status).toBe(status);
    expect(errorBody(res.body).error).toMatchObject({ code, param });
  });

  it('unknown ids and versions are 404', async () => {
    expect((await t.raw('GET', '/v1/guardrails/grd_nope', { key: t.op })).status).toBe(404);
    expect((await t.raw('PATCH', '/v1/guardrails/grd_nope', { key: t.op, body: { status: 'active' } })).status).toBe(404);
    expect((await t.raw('DELETE', '/v1/guardrails/grd_nope', { key: t.op })).status).toBe(404);
    const v = await t.raw('GET', `/v1/guardrails/${id}?version=99`, { key: t.op });
    expect([v.status, errorBody(v.body).error.code]).toEqual([404, 'not_found']);
    expect((await t.raw('GET', `/v1/guardrails/${id}?version=0`, { key: t.op })).status).toBe(400);
  });

  it('lists with status and tool filters (a tool: "*" rule counts for every tool)', async () => {
    const any = await t.api(t.op).answer('createGuardrail', { body: { name: 'catch-all', rules: [{ tool: '*', decision: 'ALERT' }] } });
    const fs = await t.api(t.op).answer('createGuardrail', { body: { name: 'fs-reads', rules: [{ tool: 'fs.*', decision: 'ALLOW' }], status: 'disabled' } });
    const names = async (q: string) => (await t.api(t.op).answer('listGuardrails', { query: Object.fromEntries(new URLSearchParams(q.slice(1))) })).body.data.map((p: { name: string }) => p.name);
    expect(await names('')).toEqual(['fs-reads', 'catch-all', 'refund-ceiling']);
    expect(await names('?status=disabled')).toEqual(['fs-reads']);
    expect(await names('?tool=order.refund')).toEqual(['catch-all', 'refund-ceiling']);
    expect(await names('?tool=fs.read')).toEqual(['fs-reads', 'catch-all']);
    const page1 = await t.api(t.op).answer('listGuardrails', { query: { limit: '2' } });
    expect(page1.body.has_more).toBe(true);
    const page2 = await t.api(t.op).answer('listGuardrails', { query: { limit: '2', cursor: page1.body.next_cursor! } });
    expect(page2.body.data.map((p: { name: string }) => p.name)).toEqual(['refund-ceiling']);
    expect((await t.raw('GET', '/v1/guardrails?status=deleted', { key: t.op })).status).toBe(400);
    expect((await t.raw('GET', '/v1/guardrails?cursor=garbage', { key: t.op })).status).toBe(400);
    await t.api(t.op).answer('deleteGuardrail', { params: { id: any.body.id }, body: undefined });
    await t.api(t.op).answer('deleteGuardrail', { params: { id: fs.body.id }, body: undefined });
  });

  it('an agent key with guardrails:read can list; without it, 403', async () => {
    expect((await t.api(agent.key).answer('listGuardrails')).status).toBe(200);
    expect((await t.raw('GET', '/v1/guardrails', { key: readOnly })).status).toBe(403);
    expect((await t.raw('GET', '/v1/guardrails')).status).toBe(401);
  });

  it('DELETE takes a policy out of evaluation, keeps history, frees the name; twice → 409', async () => {
    const created = await t.api(t.op).answer('createGuardrail', { body: { name: 'temp-policy', rules: [{ tool: 'temp.tool', decision: 'ALLOW' }] } });
    const before = await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'temp.tool' } } });
    expect(before.body.decision).toBe('ALLOW');
    const del = await t.api(t.op).answer('deleteGuardrail', { params: { id: created.body.id }, body: undefined });
    expect(del.status).toBe(200);
    expect(del.body.deleted_at).not.toBeNull();
    const after = await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'temp.tool' } } });
    expect(after.body.decision).toBe('ALERT');
    expect((await t.api(t.op).answer('getGuardrail', { params: { id: created.body.id }, query: { version: '1' } })).status).toBe(200);
    expect((await t.raw('DELETE', `/v1/guardrails/${created.body.id}`, { key: t.op })).status).toBe(409);
    expect((await t.raw('PATCH', `/v1/guardrails/${created.body.id}`, { key: t.op, body: { status: 'disabled' } })).status).toBe(409);
    const again = await t.api(t.op).answer('createGuardrail', { body: { name: 'temp-policy', rules: [{ tool: '*', decision: 'ALERT' }] } });
    expect(again.status).toBe(201);
    await t.api(t.op).answer('deleteGuardrail', { params: { id: again.body.id }, body: undefined });
  });

  it('audits creation, updates and deletion with the version', async () => {
    const res = await t.api(t.op).answer('listAudit', { query: { event_type: 'policy.*', limit: '500' } });
    const forPolicy = res.body.data.filter((e) => e.subject_id === id);
    expect(forPolicy.map((e) => [e.event_type, e.data.version]).reverse()).toEqual([
      ['policy.created', 1],
      ['policy.updated', 2],
      ['policy.updated', 2],
      ['policy.updated', 2],
    ]);
  });
});

describe('POST /v1/guardrails/evaluate', () => {
  const refundCeiling: Hypothetical = { id: 'grd_hypo', name: 'refund-ceiling', version: 3, rules: [{ tool: 'order.refund', decision: 'ALLOW', max_value: 250 }, { tool: 'order.refund', decision: 'ALERT' }] };

  it('runs hypothetical policies: $180 → ALERT, $300 → BLOCK', async () => {
    const a = await t.api(agent.key).answer('evaluateGuardrails', { body: { action: { tool: 'order.refund', value: 180 }, policies: [refundCeiling] } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ object: 'guardrail_evaluation', decision: 'ALERT' });
    const b = await t.api(agent.key).answer('evaluateGuardrails', { body: { action: { tool: 'order.refund', value: 300 }, policies: [{ ...refundCeiling, rules: refundCeiling.rules.slice(0, 1) }] } });
    expect(b.body).toMatchObject({
      decision: 'BLOCK',
      block_code: 'constraint_failed',
      explanation: 'value 300 exceeds max_value 250 on refund-ceiling v3; no other rule allows order.refund',
      matched: [{ policy_id: 'grd_hypo', policy_version: 3, rule: 0, constraint_failed: 'max_value', rule_def: { tool: 'order.refund', max_value: 250 } }],
    });
  });

  it('uses hypothetical settings and the agent for role matchers', async () => {
    const body: RouteInput<Routes['evaluateGuardrails']>['body'] = { action: { tool: 'deploy' }, policies: [{ rules: [{ tool: 'deploy', role: 'developer', decision: 'ALLOW' }] }], settings: { unmatched_decision: 'BLOCK' } };
    expect((await t.api(t.op).answer('evaluateGuardrails', { body: body })).body.block_code).toBe('no_matching_rule');
    expect((await t.api(t.op).answer('evaluateGuardrails', { body: { ...body, agent_id: agent.id } })).body.decision).toBe('ALLOW');
  });

  it.each([
    [{}, 400, 'missing_parameter', 'action'],
    [{ action: {} }, 400, 'missing_parameter', 'action.tool'],
    [{ action: { tool: 'x' }, policies: [{ rules: [{ decision: 'NO' }] }] }, 400, 'invalid_parameter', 'policies[0].rules[0].decision'],
    [{ action: { tool: 'x' }, agent_id: 'agt_nope' }, 404, 'not_found', undefined],
  ])('%j → %i %s', async (body, status, code, param) => {
    const res = await t.raw('POST', '/v1/guardrails/evaluate', { key: t.op, body: body });
    expect(res.status).toBe(status);
    expect(errorBody(res.body).error.code).toBe(code);
    expect(errorBody(res.body).error.param).toBe(param);
  });

  it('records nothing', async () => {
    const before = (await t.api(t.op).answer('verifyAudit')).body.rows;
    await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'order.refund', value: 1 } } });
    expect((await t.api(t.op).answer('verifyAudit')).body.rows).toBe(before);
  });
});

describe('tools, tool policies and role overrides', () => {
  it('declares tools; a declared name twice → 409; seen tools appear in the registry', async () => {
    const res = await t.api(t.op).answer('createTool', { body: { name: 'http.request', description: 'HTTP', categories: ['external_comm'] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'tool', name: 'http.request', source: 'declared', categories: ['external_comm'] });
    expect((await t.raw('POST', '/v1/tools', { key: t.op, body: { name: 'http.request' } })).status).toBe(409);
    expect((await t.raw('POST', '/v1/tools', { key: t.op, body: { name: 'bad name' } })).status).toBe(400);
    t.app.services.policies.recordToolSeen('shell.exec');
    const list = await t.api(t.op).answer('listTools');
    expect(list.body.data.map((x: { name: string; source: string }) => [x.name, x.source])).toEqual([['http.request', 'declared'], ['shell.exec', 'seen']]);
    const declared = await t.api(t.op).answer('createTool', { body: { name: 'shell.exec', categories: ['permission_changes'] } });
    expect([declared.status, declared.body.source]).toEqual([201, 'declared']);
  });

  it('creates, reads, patches and deletes tool policies with restrictions', async () => {
    const res = await t.api(t.op).answer('createToolPolicy', { body: { tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['api.example.com', '*.trusted.dev'], max_response_size_kb: 1024 } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'tool_policy', allowed: true, restrictions: { allowed_domains: ['api.example.com', '*.trusted.dev'] } });
    const id = res.body.id;
    expect((await t.api(t.op).answer('getToolPolicy', { params: { id } })).body.tool_name).toBe('http.request');
    const evalUrl = async (url: string) =>
      (await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'http.request', args: { url } }, policies: [{ rules: [{ tool: '*', decision: 'ALLOW' }] }] } })).body;
    expect((await evalUrl('https://api.example.com/x')).decision).toBe('ALLOW');
    expect((await evalUrl('https://evil.example.org/')).block_code).toBe('domain_not_allowed');
    const patched = await t.api(t.op).answer('updateToolPolicy', { params: { id }, body: { allowed: false } });
    expect(patched.body).toMatchObject({ allowed: false, restrictions: { max_response_size_kb: 1024 } });
    expect((await evalUrl('https://api.example.com/x')).block_code).toBe('tool_denied');
    expect((await t.raw('POST', '/v1/tool-policies', { key: t.op, body: { tool_name: 'http.request', allowed: true } })).status).toBe(409);
    expect((await t.api(t.op).answer('deleteToolPolicy', { params: { id }, body: undefined })).status).toBe(200);
    expect((await t.raw('GET', `/v1/tool-policies/${id}`, { key: t.op })).status).toBe(404);
    expect((await t.raw('PATCH', `/v1/tool-policies/${id}`, { key: t.op, body: { allowed: true } })).status).toBe(404);
    expect((await t.raw('DELETE', `/v1/tool-policies/${id}`, { key: t.op })).status).toBe(404);
  });

  it.each([
    [{ tool_name: 'no.such.tool', allowed: true }, 422, 'unprocessable', 'tool_name'],
    [{ tool_name: 'http.request' }, 400, 'missing_parameter', 'allowed'],
    [{ tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['https://x.com'] } }, 400, 'invalid_parameter', 'restrictions.allowed_domains[0]'],
    [{ tool_name: 'http.request', allowed: true, restrictions: { max_response_size_kb: -1 } }, 400, 'invalid_parameter', 'restrictions.max_response_size_kb'],
  ])('tool policy %j → %i', async (body, status, code, param) => {
    const res = await t.raw('POST', '/v1/tool-policies', { key: t.op, body: body });
    expect(res.status).toBe(status);
    expect(errorBody(res.body).error).toMatchObject({ code, param });
    if (status === 422) expect(errorBody(res.body).error.message).toContain('GET /v1/tools');
  });

  it('role overrides take precedence over the tool policy', async () => {
    const tp = await t.api(t.op).answer('createToolPolicy', { body: { tool_name: 'shell.exec', allowed: false } });
    const ov = await t.api(t.op).answer('createRoleOverride', { body: { role: 'developer', tool_name: 'shell.exec', allowed: true } });
    expect(ov.status).toBe(201);
    expect(ov.body).toMatchObject({ object: 'role_policy_override', role: 'developer', allowed: true });
    expect((await t.raw('POST', '/v1/role-policy-overrides', { key: t.op, body: { role: 'developer', tool_name: 'shell.exec', allowed: false } })).status).toBe(409);
    expect((await t.raw('POST', '/v1/role-policy-overrides', { key: t.op, body: { role: 'developer', tool_name: 'nope.tool', allowed: false } })).status).toBe(422);
    const body: RouteInput<Routes['evaluateGuardrails']>['body'] = { action: { tool: 'shell.exec' }, policies: [{ rules: [{ tool: '*', decision: 'ALLOW' }] }] };
    expect((await t.api(t.op).answer('evaluateGuardrails', { body: body })).body.block_code).toBe('tool_denied');
    expect((await t.api(t.op).answer('evaluateGuardrails', { body: { ...body, agent_id: agent.id } })).body.decision).toBe('ALLOW');
    const list = await t.api(t.op).answer('listRoleOverrides', { query: { role: 'developer' } });
    expect(list.body.data).toHaveLength(1);
    expect((await t.api(t.op).answer('deleteRoleOverride', { params: { id: ov.body.id }, body: undefined })).status).toBe(200);
    expect((await t.raw('DELETE', `/v1/role-policy-overrides/${ov.body.id}`, { key: t.op })).status).toBe(404);
    await t.api(t.op).answer('deleteToolPolicy', { params: { id: tp.body.id }, body: undefined });
  });
});

describe('governance settings', () => {
  it('reads defaults', async () => {
    const res = await t.api(agent.key).answer('getGovernanceSettings');
    expect(res.body).toMatchObject({
      object: 'governance_settings',
      require_approval_for_external_comm: false,
      approval_threshold: 1,
      approval_ttl_seconds: 300,
      unmatched_decision: 'ALERT',
      category_flags: {},
    });
  });

  it('patches fields, bumps the version and audits', async () => {
    const before = (await t.api(t.op).answer('getGovernanceSettings')).body.version;
    const res = await t.api(t.op).answer('updateGovernanceSettings', { body: { approval_threshold: 2, category_flags: { financial: true }, unmatched_decision: 'BLOCK' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ approval_threshold: 2, category_flags: { financial: true }, unmatched_decision: 'BLOCK', version: before + 1 });
    const audit = await t.api(t.op).answer('listAudit', { query: { event_type: 'settings.updated' } });
    expect(audit.body.data[0]!.data.version).toBe(before + 1);
    const gated = await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'x', categories: ['financial'] }, policies: [{ rules: [{ tool: '*', decision: 'ALLOW' }] }] } });
    expect([gated.body.decision, gated.body.grantable]).toEqual(['ALERT', false]);
    await t.api(t.op).answer('updateGovernanceSettings', { body: { approval_threshold: 1, category_flags: {}, unmatched_decision: 'ALERT' } });
  });

  it.each([
    [{ approval_threshold: 0 }, 'approval_threshold'],
    [{ approval_threshold: 11 }, 'approval_threshold'],
    [{ approval_threshold: 1.5 }, 'approval_threshold'],
    [{ approval_ttl_seconds: 9 }, 'approval_ttl_seconds'],
    [{ approval_ttl_seconds: 86_401 }, 'approval_ttl_seconds'],
    [{ unmatched_decision: 'ALLOW' }, 'unmatched_decision'],
    [{ category_flags: { pii: 'yes' } }, 'category_flags.pii'],
    [{ require_approval_for_external_comm: 'true' }, 'require_approval_for_external_comm'],
    [{ bogus: true }, 'bogus'],
  ])('PATCH %j → 400 naming %s', async (body, param) => {
    const res = await t.raw('PATCH', '/v1/settings/governance', { key: t.op, body: body });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param });
  });

  it('an agent cannot patch settings', async () => {
    expect((await t.raw('PATCH', '/v1/settings/governance', { key: agent.key, body: { approval_threshold: 3 } })).status).toBe(403);
  });
});

describe('quota', () => {
  it('reads profile defaults', async () => {
    const res = await t.api(agent.key).answer('getQuota');
    expect(res.body).toMatchObject({
      object: 'quota',
      profile: 'default',
      limits: { runs_per_hour: 300, concurrent_executions: 10, memory_mb: 4096 },
      overrides: {},
      effective: { runs_per_hour: 300, concurrent_executions: 10, memory_mb: 4096 },
    });
  });

  it('per-agent overrides sit over profile overrides over defaults', async () => {
    const p = await t.api(t.op).answer('updateQuota', { body: { runs_per_hour: 500 } });
    expect(p.body.effective.runs_per_hour).toBe(500);
    const a = await t.api(t.op).answer('updateQuota', { body: { agent_id: agent.id, concurrent_executions: 2 } });
    expect(a.body).toMatchObject({ agent_id: agent.id, overrides: { runs_per_hour: 500, concurrent_executions: 2 }, effective: { runs_per_hour: 500, concurrent_executions: 2, memory_mb: 4096 } });
    expect(t.app.services.policies.effectiveQuota(agent.id)).toEqual({ runs_per_hour: 500, concurrent_executions: 2 });
    const all = await t.api(t.op).answer('getQuota');
    expect(all.body.agent_overrides).toEqual([{ agent_id: agent.id, overrides: { concurrent_executions: 2 } }]);
    const cleared = await t.api(t.op).answer('updateQuota', { body: { runs_per_hour: null } });
    expect(cleared.body.effective.runs_per_hour).toBe(300);
    expect(t.app.services.policies.effectiveQuota(agent.id).runs_per_hour).toBe(300);
    const audit = await t.api(t.op).answer('listAudit', { query: { event_type: 'quota.updated' } });
    expect(audit.body.data[0]!.data.version).toBe(cleared.body.version);
  });

  it.each([
    [{ runs_per_hour: 0 }, 'runs_per_hour'],
    [{ runs_per_hour: -5 }, 'runs_per_hour'],
    [{ runs_per_hour: 2.5 }, 'runs_per_hour'],
    [{ runs_per_hour: 30_001 }, 'runs_per_hour'],
    [{ concurrent_executions: 1001 }, 'concurrent_executions'],
    [{ memory_mb: 409_601 }, 'memory_mb'],
  ])('PATCH %j → 422 naming %s', async (body, param) => {
    const res = await t.raw('PATCH', '/v1/quota', { key: t.op, body: body });
    expect(res.status).toBe(422);
    expect(errorBody(res.body).error).toMatchObject({ code: 'unprocessable', param });
  });

  it('accepts exactly 100× the default', async () => {
    expect((await t.api(t.op).answer('updateQuota', { body: { runs_per_hour: 30_000 } })).status).toBe(200);
    await t.api(t.op).answer('updateQuota', { body: { runs_per_hour: null } });
  });

  it('unknown agents are 404; bad types 400; agents cannot patch', async () => {
    expect((await t.raw('GET', '/v1/quota?agent_id=agt_nope', { key: t.op })).status).toBe(404);
    expect((await t.raw('PATCH', '/v1/quota', { key: t.op, body: { agent_id: 'agt_nope', runs_per_hour: 5 } })).status).toBe(404);
    expect((await t.raw('PATCH', '/v1/quota', { key: t.op, body: { runs_per_hour: 'many' } })).status).toBe(400);
    expect((await t.raw('PATCH', '/v1/quota', { key: agent.key, body: { runs_per_hour: 5 } })).status).toBe(403);
  });
});

describe('PolicyStore', () => {
  it('caches compiled guardrails until a change', async () => {
    const store = t.app.services.policies;
    const first = store.compiledGuardrails();
    expect(store.compiledGuardrails()).toBe(first);
    const created = await t.api(t.op).answer('createGuardrail', { body: { name: 'cache-buster', rules: [{ tool: 'cache.tool', decision: 'ALLOW' }] } });
    const second = store.compiledGuardrails();
    expect(second).not.toBe(first);
    expect(second.policies.map((p) => p.name)).toContain('cache-buster');
    await t.api(t.op).answer('deleteGuardrail', { params: { id: created.body.id }, body: undefined });
    expect(store.compiledGuardrails().policies.map((p) => p.name)).not.toContain('cache-buster');
  });
});
