/**
 * An approval releases the action as the world is when the operator answers, not as it was when
 * the agent asked: an engaged kill-switch, a disabled agent, a paused budget or a cap the
 * estimate no longer fits BLOCKs the approved action, and the waiting agent is told why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionBody, harness, until, type Harness } from '../../support/actions-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** An ALERT (no rule matches), a long-poll on it, and the approval id. */
async function pendingWithWaiter(t: Harness, key: string, body: ActionBody = { tool: 'deploy.run' }) {
  const first = await t.act(key, body);
  expect(first.body).toMatchObject({ decision: 'ALERT', status: 'pending_approval' });
  const before = t.waiters();
  const waiting = t.api(key).answer('waitApproval', { params: { id: first.body.approval_id! }, query: { timeout_s: '20' } });
  await until(() => t.waiters() > before);
  return { action: first.body, waiting };
}

describe('an approved action is released only through the kill-switch layer', () => {
  it('the global kill-switch engaged while the operator decided BLOCKs the approved action', async () => {
    h = await harness();
    const a = await h.agent('rel1');
    const { action, waiting } = await pendingWithWaiter(h, a.key);
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: true, reason: 'incident' } });

    expect((await h.decide(action.approval_id!, { decision: 'allow_once' })).status).toBe(200);
    expect((await waiting).body).toMatchObject({ status: 'approved' });
    const after = (await h.api(a.key).answer('getAction', { params: { id: action.id } })).body;
    expect(after).toMatchObject({ status: 'blocked', block_code: 'kill_switch' });
    expect(after.reason).toMatch(/^approved, but blocked at release: the global kill-switch is engaged/);
    // Blocked, not allowed: it holds no concurrency slot and cannot be completed.
    expect((await h.raw('POST', `/v1/actions/${action.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
    const audit = (await h.api(h.op).answer('listAudit', { query: { event_type: 'action.blocked' } })).body.data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_id: action.id, data: { block_code: 'kill_switch', approval_id: action.approval_id } });
  });

  it('stop means stop: allowed while all agents are stopped is recorded as allowed, and the agent is told it is blocked by the kill-switch everywhere it looks', async () => {
    h = await harness();
    const a = await h.agent('stopped');
    const before = h.waiters();
    const asked = h.act(a.key, { tool: 'deploy.run' }, { wait_s: 20 });
    await until(() => h!.waiters() > before);
    const pending = (await h.api(h.op).answer('listApprovals', { query: { status: 'pending' } })).body.data[0];
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: true, reason: 'incident' } });

    const decided = (await h.decide(pending!.id, { decision: 'allow_once' })).body;
    const told = { status: 'blocked', block_code: 'kill_switch', explanation: expect.stringMatching(/blocked at release: the global kill-switch is engaged \(incident\)/) };
    // The wait response, GET of the action, the approval (decision response, GET, wait, history list).
    expect((await asked).body).toMatchObject(told);
    expect((await h.api(a.key).answer('getAction', { params: { id: pending!.action_id! } })).body).toMatchObject(told);
    const note = { block_code: 'kill_switch', reason: expect.stringMatching(/kill-switch is engaged/) };
    expect(decided).toMatchObject({ status: 'approved', resolution: 'allow_once', blocked_at_release: note });
    expect((await h.api(a.key).answer('waitApproval', { params: { id: pending!.id }, query: { timeout_s: '0' } })).body.blocked_at_release).toMatchObject(note);
    expect((await h.api(h.op).answer('listApprovals', { query: { status: 'approved' } })).body.data[0]).toMatchObject({ id: pending!.id, blocked_at_release: note });
  });

  it('an approval released with nothing in the way carries no release note', async () => {
    h = await harness();
    const a = await h.agent('free');
    const act = (await h.act(a.key, { tool: 'deploy.run' })).body;
    expect((await h.decide(act.approval_id!, { decision: 'allow_once' })).body.blocked_at_release).toBeNull();
  });

  it('wait_s on POST /v1/actions answers the blocked status with the reason', async () => {
    h = await harness();
    const a = await h.agent('rel2');
    const before = h.waiters();
    const asked = h.act(a.key, { tool: 'deploy.run' }, { wait_s: 20 });
    await until(() => h!.waiters() > before);
    const pending = (await h.api(h.op).answer('listApprovals', { query: { status: 'pending' } })).body.data[0];
    await h.api(h.op).answer('updateAgent', { params: { id: a.id }, body: { status: 'disabled' } });
    await h.decide(pending!.id, { decision: 'allow_once' });
    expect((await asked).body).toMatchObject({ status: 'blocked', block_code: 'agent_disabled', reason: expect.stringMatching(/agent rel2 is disabled/) });
  });

  it('a budget paused while the operator decided BLOCKs with budget_paused', async () => {
    h = await harness();
    const a = await h.agent('rel3', { team_id: 'ops' });
    const { action } = await pendingWithWaiter(h, a.key);
    await h.api(h.op).answer('setBudget', { body: { scope: 'team', scope_id: 'ops', limit_usd_cents: 500, mode: 'cap' } });
    await h.api(h.op).answer('pauseBudget', { params: { scope: 'team', scope_id: 'ops' }, body: undefined });
    await h.decide(action.approval_id!, { decision: 'allow_once' });
    expect((await h.api(a.key).answer('getAction', { params: { id: action.id } })).body).toMatchObject({ status: 'blocked', block_code: 'budget_paused' });
  });

  it('two approved estimates never reserve past the cap: the second is budget_insufficient', async () => {
    h = await harness();
    const a = await h.agent('rel4');
    await h.api(h.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const first = (await h.act(a.key, { tool: 'llm.batch', cost_estimate_micro_usd: 800_000 })).body;
    const second = (await h.act(a.key, { tool: 'llm.batch', cost_estimate_micro_usd: 800_000 })).body;
    expect([first.status, second.status]).toEqual(['pending_approval', 'pending_approval']);

    await h.decide(first.approval_id!, { decision: 'allow_once' });
    await h.decide(second.approval_id!, { decision: 'allow_once' });
    expect((await h.api(a.key).answer('getAction', { params: { id: first.id } })).body.status).toBe('allowed');
    expect((await h.api(a.key).answer('getAction', { params: { id: second.id } })).body).toMatchObject({ status: 'blocked', block_code: 'budget_insufficient' });
    const budget = (await h.api(h.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body;
    expect(budget).toMatchObject({ reserved_micro_usd: 800_000, limit_usd_cents: 100 });
  });

  it('with nothing in the way the approved action is allowed and holds its reservation', async () => {
    h = await harness();
    const a = await h.agent('rel5');
    await h.api(h.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const act = (await h.act(a.key, { tool: 'llm.batch', cost_estimate_micro_usd: 300_000 })).body;
    await h.decide(act.approval_id!, { decision: 'allow_once' });
    expect((await h.api(a.key).answer('getAction', { params: { id: act.id } })).body).toMatchObject({ status: 'allowed', block_code: null });
    expect((await h.api(h.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body.reserved_micro_usd).toBe(300_000);
  });
});
