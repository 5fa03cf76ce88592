/**
 * Operator roles over real HTTP (WORKFLOWS.md "Operator roles"): every route that changes
 * something declares the least role it needs, the request pipeline checks each operator call
 * against it (too low → 403 insufficient_scope naming the role, nothing changed), and agent keys
 * are governed by their scopes only. The access table is written out here once more, on purpose:
 * a route whose declared role drifts from it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteName } from '../../../shared/api/index.js';
import type { RouteDef } from '../../../shared/api/contract.js';
import { OPERATOR_ROLES, type OperatorRole } from '../../../shared/vocabulary.js';
import { errorBody, errorOf } from '../../support/app.js';
import { harness, type Harness } from '../../support/actions-harness.js';

/** The least role of every route that changes something, per the access table. */
const ACCESS_TABLE: Record<string, OperatorRole> = {
  // Dry runs record nothing: a read.
  evaluateGuardrails: 'viewer',
  evaluate: 'viewer',
  // Decide approvals (and what an agent's own work does, when an operator does it for one).
  decideApproval: 'member',
  undoDecision: 'member',
  revokeGrant: 'member',
  requestDelegation: 'member',
  createAction: 'member',
  completeAction: 'member',
  withdrawAction: 'member',
  recordSpend: 'member',
  engageKillSwitch: 'member',
  // Guardrails, tool policies, budgets, pause/resume, kill-switch release, agents, missions.
  createGuardrail: 'admin',
  updateGuardrail: 'admin',
  deleteGuardrail: 'admin',
  createStarterGuardrail: 'admin',
  createTool: 'admin',
  createToolPolicy: 'admin',
  updateToolPolicy: 'admin',
  deleteToolPolicy: 'admin',
  createRoleOverride: 'admin',
  deleteRoleOverride: 'admin',
  setBudget: 'admin',
  pauseBudget: 'admin',
  resumeBudget: 'admin',
  deleteBudget: 'admin',
  setKillSwitch: 'admin',
  releaseKillSwitch: 'admin',
  createAgent: 'admin',
  updateAgent: 'admin',
  createAgentKey: 'admin',
  revokeAgentKey: 'admin',
  createMission: 'admin',
  updateMission: 'admin',
  deleteMcpServer: 'admin',
  // Governance settings, quota overrides, operators and roles, backups, commands Warden runs.
  updateGovernanceSettings: 'owner',
  updateQuota: 'owner',
  createOperator: 'owner',
  updateOperator: 'owner',
  revokeOperator: 'owner',
  rotateOperator: 'owner',
  createBackup: 'owner',
  createMcpServer: 'owner',
  updateMcpServer: 'owner',
  // Workflow runs: starting, stepping and evidence are an agent's work done by an operator;
  // cancelling is like deciding; REST connections (URLs and secret headers) are like tool policies.
  startWorkflowRun: 'member',
  takeWorkflowTransition: 'member',
  recordWorkflowEvidence: 'member',
  cancelWorkflowRun: 'member',
  createConnection: 'admin',
  updateConnection: 'admin',
  deleteConnection: 'admin',
  // Workflow definitions: deploying and rolling back versions is admin, the registry owner.
  createWorkflow: 'admin',
  deployWorkflow: 'admin',
  deleteWorkflow: 'admin',
  rollbackWorkflow: 'admin',
  createWorkflowFromTemplate: 'admin',
  approveWorkflowTemplate: 'owner',
  deprecateWorkflowTemplate: 'owner',
  archiveWorkflowTemplate: 'owner',
  // Review gates: submitting and deciding is a member's review work; policies and waivers are admin's.
  createSolution: 'member',
  updateSolution: 'member',
  deleteSolution: 'member',
  recomputeSolution: 'member',
  submitGate: 'member',
  decideGateSubmission: 'member',
  createGatePolicy: 'admin',
  updateGatePolicy: 'admin',
  deleteGatePolicy: 'admin',
  waiveGateSubmission: 'admin',
  // Deleting an agent is agent management.
  deleteAgent: 'admin',
};

const rank = (role: OperatorRole) => OPERATOR_ROLES.indexOf(role);
const writes = (Object.entries(routes) as [RouteName, RouteDef][]).filter(([, d]) => d.method !== 'GET' && d.auth !== 'public');

let h: Harness;
const tokens = {} as Record<OperatorRole, string>;
const ids = {} as Record<OperatorRole, string>;

beforeAll(async () => {
  h = await harness();
  tokens.owner = h.op;
  ids.owner = (await h.api(h.op).answer('me')).body.id;
  for (const role of ['viewer', 'member', 'admin'] as const) {
    const created = await h.api(h.op).answer('createOperator', { body: { name: `${role}-op`, role } });
    expect(created.body).toMatchObject({ role, is_owner: false, permissions: [] });
    tokens[role] = created.body.token;
    ids[role] = created.body.id;
  }
});
afterAll(async () => {
  await h?.close();
});

/** A request for a route with placeholder params and an empty body: enough to reach the role check. */
function probe(def: RouteDef): { path: string; body: unknown } {
  const path = def.path.replace(/:([a-z_]+)/g, (_, name: string) => (name === 'scope' ? 'agent' : `x_${name}`));
  return { path, body: def.body ? {} : undefined };
}

async function auditCount(): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await h.api(h.op).answer('listAudit', { query: { limit: 200, ...(cursor ? { cursor } : {}) } });
    n += page.body.data.length;
    cursor = page.body.next_cursor ?? undefined;
  } while (cursor);
  return n;
}

describe('the access table', () => {
  it('every route that changes something declares the role the table gives it', () => {
    const declared = Object.fromEntries(writes.map(([name, def]) => [name, def.role]));
    for (const name of Object.keys(declared)) expect(ACCESS_TABLE, `${name} is missing from this test's table`).toHaveProperty(name);
    expect(declared).toEqual(Object.fromEntries(Object.keys(declared).map((name) => [name, ACCESS_TABLE[name]])));
  });

  it('each role below a route’s is 403 insufficient_scope naming the role needed, and nothing is written', async () => {
    const before = await auditCount();
    for (const [name, def] of writes) {
      const needed = ACCESS_TABLE[name]!;
      for (const role of OPERATOR_ROLES.filter((r) => rank(r) < rank(needed))) {
        const { path, body } = probe(def);
        const res = await h.raw(def.method, path, { key: tokens[role], body });
        expect([name, role, res.status, errorOf(res.body)?.code], JSON.stringify(res.body)).toEqual([name, role, 403, 'insufficient_scope']);
        expect(errorBody(res.body).error.message).toContain(`needs the ${needed} role`);
      }
    }
    expect(await auditCount()).toBe(before);
  });

  it('the role a route needs, and every role above it, gets past the role check', async () => {
    for (const [name, def] of writes) {
      // Placeholder ids: a 404, 400 or 409 from the handler shows the role check let the call through.
      if (name === 'engageKillSwitch' || name === 'setKillSwitch' || name === 'createBackup' || name === 'createStarterGuardrail') continue;
      for (const role of OPERATOR_ROLES.filter((r) => rank(r) >= rank(ACCESS_TABLE[name]!))) {
        const { path, body } = probe(def);
        const res = await h.raw(def.method, path, { key: tokens[role], body });
        const refusedByRole = /needs the \w+ role/.test(errorOf(res.body)?.message ?? '');
        expect([name, role, refusedByRole], JSON.stringify(res.body)).toEqual([name, role, false]);
      }
    }
  });

  it('the OpenAPI document names each operation\'s least role', async () => {
    const doc = (await h.raw('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { 'x-warden-role'?: string }>> };
    expect(doc.paths['/v1/budgets']?.post?.['x-warden-role']).toBe('admin');
    expect(doc.paths['/v1/budgets']?.get?.['x-warden-role']).toBe('viewer');
    expect(doc.paths['/v1/kill-switch/engage']?.post?.['x-warden-role']).toBe('member');
    expect(doc.paths['/v1/operators/{id}']?.patch?.['x-warden-role']).toBe('owner');
  });

  it('every role reads: lists, reports, audit, settings and the operators', async () => {
    for (const role of OPERATOR_ROLES) {
      for (const read of ['listApprovals', 'listBudgets', 'listAudit', 'getGovernanceSettings', 'listOperators', 'governanceReport'] as const) {
        expect([role, read, (await h.api(tokens[role]).answer(read)).status]).toEqual([role, read, 200]);
      }
    }
  });
});

describe('each role against real work', () => {
  it('a viewer sees an approval but cannot decide it; a member decides it', async () => {
    const agent = await h.agent('roles-decider');
    const asked = await h.act(agent.key, { tool: 'deploy.prod' });
    expect(asked.body.decision).toBe('ALERT');
    const id = asked.body.approval_id!;
    const seen = await h.api(tokens.viewer).answer('getApproval', { params: { id } });
    expect(seen.body.status).toBe('pending');
    // A viewer is not offered as someone who may still decide.
    expect(seen.body.eligible_operators.map((o) => o.id)).not.toContain(ids.viewer);
    expect(seen.body.eligible_operators.map((o) => o.id)).toContain(ids.member);

    const refused = await h.decideRaw(id, { decision: 'allow_once' }, tokens.viewer);
    expect(refused.status).toBe(403);
    expect(errorBody(refused.body).error).toMatchObject({ code: 'insufficient_scope', message: expect.stringContaining('member') });
    expect((await h.api(h.op).answer('getApproval', { params: { id } })).body.status).toBe('pending');

    const decided = await h.decide(id, { decision: 'allow_once' }, tokens.member);
    expect(decided.body.status).toBe('approved');
  });

  it('a member cannot set a budget; an admin can, but cannot change governance settings or operators; the owner can', async () => {
    const budget = { scope: 'global' as const, scope_id: 'global', limit_usd_cents: 5000 };
    const memberTry = await h.raw('POST', '/v1/budgets', { key: tokens.member, body: budget });
    expect([memberTry.status, errorOf(memberTry.body)?.message]).toEqual([403, expect.stringContaining('needs the admin role')]);
    expect((await h.api(tokens.admin).answer('setBudget', { body: budget })).status).toBe(200);

    const settings = await h.raw('PATCH', '/v1/settings/governance', { key: tokens.admin, body: { approval_ttl_seconds: 600 } });
    expect([settings.status, errorOf(settings.body)?.message]).toEqual([403, expect.stringContaining('needs the owner role')]);
    const operator = await h.raw('POST', '/v1/operators', { key: tokens.admin, body: { name: 'sneaky', role: 'owner' } });
    expect(operator.status).toBe(403);
    const promote = await h.raw('PATCH', `/v1/operators/${ids.admin}`, { key: tokens.admin, body: { role: 'owner' } });
    expect(promote.status).toBe(403);
    expect((await h.api(tokens.admin).answer('me')).body).toMatchObject({ role: 'admin' });

    expect((await h.api(h.op).answer('updateGovernanceSettings', { body: { approval_ttl_seconds: 600 } })).status).toBe(200);
  });

  it('the kill-switch: a member engages it but cannot release it; an admin releases it', async () => {
    const engaged = await h.api(tokens.member).answer('engageKillSwitch', { body: { reason: 'drill' } });
    expect(engaged.body).toMatchObject({ engaged: true, reason: 'drill' });
    const release = await h.raw('POST', '/v1/kill-switch/release', { key: tokens.member });
    expect([release.status, errorOf(release.body)?.message]).toEqual([403, expect.stringContaining('needs the admin role')]);
    const viaSet = await h.raw('POST', '/v1/kill-switch', { key: tokens.member, body: { engaged: false } });
    expect(viaSet.status).toBe(403);
    expect((await h.api(h.op).answer('getKillSwitch')).body.engaged).toBe(true);
    const viewerStop = await h.raw('POST', '/v1/kill-switch/engage', { key: tokens.viewer, body: {} });
    expect(viewerStop.status).toBe(403);

    const released = await h.api(tokens.admin).answer('releaseKillSwitch');
    expect(released.body.engaged).toBe(false);
  });

  it('agent keys are unaffected by roles: an agent acts, spends and dry-runs with its scopes alone', async () => {
    const agent = await h.agent('roles-agent');
    expect((await h.act(agent.key, { tool: 'fs.read' })).status).toBe(200);
    expect((await h.api(agent.key).answer('recordSpend', { body: { amount_micro_usd: 10 } })).status).toBe(200);
    expect((await h.api(agent.key).answer('evaluate', { body: { action: { tool: 'fs.read' } } })).status).toBe(200);
    // …and still never reaches an operator route, whatever role that route needs.
    const viewerRoute = await h.raw('GET', '/v1/operators', { key: agent.key });
    expect(viewerRoute.status).toBe(403);
  });
});

describe('setting roles and permissions', () => {
  it('a role change applies to the next call of a token already in use, and is audited', async () => {
    const made = await h.api(h.op).answer('createOperator', { body: { name: 'carol' } });
    expect(made.body.role).toBe('member');
    const carol = made.body.token;
    const agent = await h.agent('roles-carol');
    const asked = await h.act(agent.key, { tool: 'deploy.prod' });
    expect((await h.api(carol).answer('me')).body).toMatchObject({ role: 'member' });

    const demoted = await h.api(h.op).answer('updateOperator', { params: { id: made.body.id }, body: { role: 'viewer' } });
    expect(demoted.body).toMatchObject({ role: 'viewer', is_owner: false });
    expect((await h.decideRaw(asked.body.approval_id!, { decision: 'deny' }, carol)).status).toBe(403);

    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'operator.role_changed' } });
    expect(audit.body.data.find((e) => e.subject_id === made.body.id)?.data).toMatchObject({ from: 'member', to: 'viewer' });
  });

  it('permissions: set on an operator and an agent, shown on lists and /v1/me; the owner holds *; bad names are 400', async () => {
    const set = await h.api(h.op).answer('updateOperator', { params: { id: ids.member }, body: { permissions: ['deploy:prod', 'refunds.approve'] } });
    expect(set.body.permissions).toEqual(['deploy:prod', 'refunds.approve']);
    expect((await h.api(tokens.member).answer('me')).body).toMatchObject({ role: 'member', permissions: ['deploy:prod', 'refunds.approve'] });
    expect((await h.api(h.op).answer('me')).body).toMatchObject({ role: 'owner', permissions: ['*'] });
    const listed = await h.api(tokens.viewer).answer('listOperators');
    expect(listed.body.data.find((o) => o.id === ids.member)).toMatchObject({ role: 'member', permissions: ['deploy:prod', 'refunds.approve'] });

    const bad = await h.raw('PATCH', `/v1/operators/${ids.member}`, { key: h.op, body: { permissions: ['ok', 'has space'] } });
    expect([bad.status, errorOf(bad.body)?.param]).toEqual([400, 'permissions[1]']);
    const badRole = await h.raw('PATCH', `/v1/operators/${ids.member}`, { key: h.op, body: { role: 'superuser' } });
    expect([badRole.status, errorOf(badRole.body)?.param]).toEqual([400, 'role']);

    const agent = await h.agent('roles-permitted');
    const patched = await h.api(tokens.admin).answer('updateAgent', { params: { id: agent.id }, body: { permissions: ['deploy:staging'] } });
    expect(patched.body.permissions).toEqual(['deploy:staging']);
    expect((await h.api(agent.key).answer('me')).body).toMatchObject({ permissions: ['deploy:staging'] });
    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'operator.permissions_changed' } });
    expect(audit.body.data.find((e) => e.subject_id === ids.member)?.data).toMatchObject({ from: [], to: ['deploy:prod', 'refunds.approve'] });
  });

  it('the last owner cannot be demoted or revoked (409); with a second owner it can be demoted', async () => {
    const last = await h.raw('PATCH', `/v1/operators/${ids.owner}`, { key: h.op, body: { role: 'admin' } });
    expect([last.status, errorOf(last.body)?.code, errorOf(last.body)?.param]).toEqual([409, 'state_conflict', 'role']);
    expect(errorBody(last.body).error.message).toContain('last owner');
    expect((await h.api(h.op).answer('me')).body).toMatchObject({ role: 'owner' });

    const dana = await h.api(h.op).answer('createOperator', { body: { name: 'dana', role: 'owner' } });
    expect(dana.body).toMatchObject({ role: 'owner', is_owner: true });
    // operator.token's operator steps down; dana is now the last owner.
    expect((await h.api(dana.body.token).answer('updateOperator', { params: { id: ids.owner }, body: { role: 'admin' } })).body.role).toBe('admin');
    const selfDemote = await h.raw('PATCH', `/v1/operators/${dana.body.id}`, { key: dana.body.token, body: { role: 'member' } });
    expect(selfDemote.status).toBe(409);
    const revokeLast = await h.raw('DELETE', `/v1/operators/${dana.body.id}`, { key: dana.body.token });
    expect([revokeLast.status, errorOf(revokeLast.body)?.code]).toEqual([409, 'state_conflict']);
    // Back as it was, for the other tests.
    await h.api(dana.body.token).answer('updateOperator', { params: { id: ids.owner }, body: { role: 'owner' } });
    await h.api(h.op).answer('revokeOperator', { params: { id: dana.body.id } });
    expect((await h.api(h.op).answer('me')).body).toMatchObject({ role: 'owner' });
  });
});
