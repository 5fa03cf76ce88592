import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { type ActionBody, type GrantInput, harness, until, type Harness } from '../../support/actions-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function alwaysAllow(x: Harness, key: string, body: ActionBody, grant?: GrantInput) {
  const res = await x.act(key, body);
  expect(res.body.status).toBe('pending_approval');
  const decided = await x.decide(res.body.approval_id!, { decision: 'allow_always', ...(grant ? { grant } : {}) });
  expect(decided.status).toBe(200);
  expect(decided.body).toMatchObject({ status: 'approved', resolution: 'allow_always', grant_id: expect.stringMatching(/^gnt_/) });
  return decided.body.grant_id as string;
}

describe('grants (allow always)', () => {
  it("creates a grant that turns the agent's next matching ALERT into ALLOW, for that agent only", async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const grantId = await alwaysAllow(h, a.key, { tool: 'shell.exec', args: { command: 'ls' } });

    const again = await h.act(a.key, { tool: 'shell.exec', args: { command: 'ls' } });
    expect(again.body).toMatchObject({ decision: 'ALLOW', status: 'allowed', grant_id: grantId });
    expect(again.body.layers.find((l) => l.layer === 'grants')!.verdict).toBe('ALLOW');
    // The default grant is the exact command: another command still asks.
    expect((await h.act(a.key, { tool: 'shell.exec', args: { command: 'rm -rf /' } })).body.decision).toBe('ALERT');
    // Another agent, same tool: still asks.
    expect((await h.act(b.key, { tool: 'shell.exec', args: { command: 'ls' } })).body.decision).toBe('ALERT');
    // Same agent, another tool: still asks.
    expect((await h.act(a.key, { tool: 'email.send' })).body.decision).toBe('ALERT');

    const list = await h.api(h.op).answer('listGrants');
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: grantId, object: 'grant', agent_id: a.id, tool: 'shell.exec', args_pattern: { command: 'ls' }, live: true }),
    ]);
    expect((await h.api(b.key).answer('listGrants')).body.data).toEqual([]);
    expect((await h.api(a.key).answer('listGrants')).body.data).toHaveLength(1);
    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'grant.created' } });
    expect(audit.body.data[0]).toMatchObject({ subject_id: grantId, agent_id: a.id, actor: expect.stringMatching(/^operator:/) });
  });

  it('an args_pattern narrows the grant', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    await alwaysAllow(h, a.key, { tool: 'shell.exec', args: { command: 'git status' } }, { args_pattern: { command: 'git *' }, confirm: true });
    expect((await h.act(a.key, { tool: 'shell.exec', args: { command: 'git log' } })).body.decision).toBe('ALLOW');
    expect((await h.act(a.key, { tool: 'shell.exec', args: { command: 'rm -rf /' } })).body.decision).toBe('ALERT');
    expect((await h.act(a.key, { tool: 'shell.exec' })).body.decision).toBe('ALERT');
  });

  it('a revoked grant stops applying at once; revoking is operator-only and audited', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const grantId = await alwaysAllow(h, a.key, { tool: 'shell.exec' });
    expect((await h.act(a.key, { tool: 'shell.exec' })).body.decision).toBe('ALLOW');
    expect((await h.raw('DELETE', `/v1/grants/${grantId}`, { key: a.key })).status).toBe(403);
    const revoked = await h.api(h.op).answer('revokeGrant', { params: { id: grantId }, body: undefined });
    expect(revoked.body).toMatchObject({ id: grantId, live: false, revoked_at: expect.any(String) });
    expect((await h.act(a.key, { tool: 'shell.exec' })).body.decision).toBe('ALERT');
    expect((await h.raw('DELETE', `/v1/grants/${grantId}`, { key: h.op })).status).toBe(409);
    expect((await h.api(h.op).answer('listGrants')).body.data).toEqual([]);
    expect((await h.api(h.op).answer('listGrants', { query: { state: 'all' } })).body.data).toHaveLength(1);
    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'grant.revoked' } });
    expect(audit.body.data[0]).toMatchObject({ subject_id: grantId, agent_id: a.id });
  });

  it('a grant with expires_at stops applying at that moment', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const expires = new Date(h.clock.now() + 60_000).toISOString();
    await alwaysAllow(h, a.key, { tool: 'shell.exec' }, { expires_at: expires });
    h.clock.advance(59_999);
    expect((await h.act(a.key, { tool: 'shell.exec' })).body.decision).toBe('ALLOW');
    h.clock.advance(1);
    expect((await h.act(a.key, { tool: 'shell.exec' })).body.decision).toBe('ALERT');
    const past = await h.act(a.key, { tool: 'x.y' });
    const bad = await h.decideRaw(past.body.approval_id!, { decision: 'allow_always', grant: { expires_at: '2020-01-01T00:00:00Z' } });
    expect(bad.status).toBe(400);
    expect(errorBody(bad.body).error.param).toBe('grant.expires_at');
  });

  it('allow_always is refused (400) when the governance settings required the approval', async () => {
    h = await harness();
    await h.settings({ require_approval_for_external_comm: true });
    await h.allow('email.send');
    const a = await h.agent('alpha');
    const res = await h.act(a.key, { tool: 'email.send', categories: ['external_comm'] });
    expect(res.body).toMatchObject({ decision: 'ALERT', grantable: false });
    const apr = await h.api(h.op).answer('getApproval', { params: { id: res.body.approval_id! } });
    expect(apr.body.grantable).toBe(false);
    const refused = await h.decideRaw(res.body.approval_id!, { decision: 'allow_always' });
    expect(refused.status).toBe(400);
    expect(errorBody(refused.body).error).toMatchObject({ code: 'invalid_parameter', param: 'decision' });
    expect((await h.decide(res.body.approval_id!, { decision: 'allow_once' })).body.status).toBe('approved');
  });
});

describe('delegation approvals', () => {
  it("routes to the leader's queue, answers timeout with the approval id, then the leader's grant answers at once", async () => {
    h = await harness();
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id });
    const first = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, target_agent_name: 'coder', task: 'run the migration', wait_s: 0 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'delegation_approval', resolution: 'timeout', approval_id: expect.stringMatching(/^apr_/) });
    const apr = await h.api(child.key).answer('getApproval', { params: { id: first.body.approval_id! } });
    expect(apr.body).toMatchObject({
      kind: 'delegation',
      agent_id: leader.id,
      child_agent_id: child.id,
      status: 'pending',
      action: { tool: 'delegate:code', args: { target_agent_name: 'coder', task: 'run the migration' } },
    });
    expect((await h.api(leader.key).answer('listApprovals', { query: { status: 'pending' } })).body.data).toHaveLength(1);

    await h.decide(first.body.approval_id!, { decision: 'allow_always' });
    const grants = (await h.api(h.op).answer('listGrants', { query: { agent_id: leader.id } })).body.data;
    expect(grants).toEqual([expect.objectContaining({ agent_id: leader.id, tool: 'delegate:code' })]);

    // The default grant pins the target, not the free-text task.
    expect(grants[0]!.args_pattern).toEqual({ target_agent_name: 'coder' });
    const second = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, target_agent_name: 'coder', task: 'again' } });
    expect(second.body).toMatchObject({ resolution: 'allow_always', approval_id: null, grant_id: grants[0]!.id });
    const other = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, target_agent_name: 'ops', wait_s: 0 } });
    expect(other.body.resolution).toBe('timeout');
    // Another kind is not covered by the delegate:code grant.
    const review = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, kind: 'review', wait_s: 0 } });
    expect(review.body.resolution).toBe('timeout');
  });

  it('waits for the resolution when wait_s allows, and reports deny with its reason', async () => {
    h = await harness();
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id });
    const asked = h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 30 } });
    await until(() => h.waiters() === 1);
    const pending = (await h.api(h.op).answer('listApprovals', { query: { kind: 'delegation' } })).body.data[0];
    await h.decide(pending!.id, { decision: 'deny', comment: 'too risky' });
    expect((await asked).body).toMatchObject({ resolution: 'deny', approval_id: pending!.id, reason: 'too risky' });

    await h.settings({ approval_ttl_seconds: 10 });
    const expiring = h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 55 } });
    await until(() => h.waiters() === 1);
    h.clock.advance(10_000);
    expect((await expiring).body.resolution).toBe('expired');
  });

  it('an unknown leader is 404 to the operator; an agent key naming an agent not its leader is 403', async () => {
    h = await harness();
    const child = await h.agent('worker');
    const res = await h.raw('POST', '/v1/delegation-approvals', { key: h.op, body: { leader_agent_id: 'agt_nope' } });
    expect(res.status).toBe(404);
    const asChild = await h.raw('POST', '/v1/delegation-approvals', { key: child.key, body: { leader_agent_id: 'agt_nope' } });
    expect(asChild.status).toBe(403);
  });

  it("an agent not led by the leader is refused, and the leader's grant does not cover it", async () => {
    h = await harness();
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id });
    const stranger = await h.agent('stranger');
    const asked = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 0 } });
    await h.decide(asked.body.approval_id!, { decision: 'allow_always' });
    expect((await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id } })).body.resolution).toBe('allow_always');

    const res = await h.raw('POST', '/v1/delegation-approvals', { key: stranger.key, body: { leader_agent_id: leader.id } });
    expect(res.status).toBe(403);
    expect(errorBody(res.body).error).toMatchObject({ code: 'insufficient_scope', param: 'leader_agent_id' });
    // Nothing reached the leader's queue.
    expect((await h.api(h.op).answer('listApprovals', { query: { kind: 'delegation', status: 'pending' } })).body.data).toHaveLength(0);
    // The leader may route into its own queue.
    expect((await h.api(leader.key).answer('requestDelegation', { body: { leader_agent_id: leader.id } })).body.resolution).toBe('allow_always');
  });

  it('the kill-switch, a disabled child or leader, or a paused budget answer deny before any grant or human', async () => {
    h = await harness();
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id, team_id: 'crew' });
    const asked = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 0 } });
    await h.decide(asked.body.approval_id!, { decision: 'allow_always' });
    const delegate = async () => (await h!.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 0 } })).body;

    await h.api(h.op).answer('setKillSwitch', { body: { engaged: true } });
    expect(await delegate()).toMatchObject({ resolution: 'deny', approval_id: null, reason: expect.stringMatching(/kill-switch is engaged/) });
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: false } });
    expect((await delegate()).resolution).toBe('allow_always');

    await h.api(h.op).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 100, mode: 'cap' } });
    await h.api(h.op).answer('pauseBudget', { params: { scope: 'team', scope_id: 'crew' }, body: undefined });
    expect(await delegate()).toMatchObject({ resolution: 'deny', reason: expect.stringMatching(/team budget crew is paused/) });
    await h.api(h.op).answer('resumeBudget', { params: { scope: 'team', scope_id: 'crew' }, body: undefined });

    await h.api(h.op).answer('updateAgent', { params: { id: leader.id }, body: { status: 'disabled' } });
    expect(await delegate()).toMatchObject({ resolution: 'deny', reason: 'the leader lead is disabled' });
    await h.api(h.op).answer('updateAgent', { params: { id: leader.id }, body: { status: 'active' } });
    await h.api(h.op).answer('updateAgent', { params: { id: child.id }, body: { status: 'disabled' } });
    // A disabled agent's key is still accepted, so the request reaches the kill-switch layer.
    const disabled = await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 0 } });
    expect(disabled.body).toMatchObject({ resolution: 'deny', reason: 'agent worker is disabled' });
    const blocked = (await h.api(h.op).answer('listAudit', { query: { event_type: 'delegation.blocked' } })).body.data;
    expect(blocked.length).toBeGreaterThanOrEqual(3);
  });

  it('an approval that lands while the kill-switch is engaged answers deny', async () => {
    h = await harness();
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id });
    const asked = h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, wait_s: 30 } });
    await until(() => h!.waiters() === 1);
    const pending = (await h.api(h.op).answer('listApprovals', { query: { kind: 'delegation' } })).body.data[0];
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: true } });
    await h.decide(pending!.id, { decision: 'allow_once' });
    expect((await asked).body).toMatchObject({ resolution: 'deny', approval_id: pending!.id, reason: expect.stringMatching(/^approved, but blocked at release: the global kill-switch/) });
  });
});
