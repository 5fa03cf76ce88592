/**
 * Undo (`z` in the Inbox): within 10 s of an allow, an allow-always grant is revoked and an
 * action its agent has not picked up yet is withdrawn; after that, or once picked up, 409.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { harness, type Harness } from '../../support/actions-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function asked(t: Harness, key: string, command = 'make deploy') {
  const res = await t.act(key, { tool: 'shell.exec', args: { command } });
  expect(res.body.status).toBe('pending_approval');
  return res.body as { id: string; approval_id: string };
}

const undo = (t: Harness, id: string, key?: string) => t.raw('POST', `/v1/approvals/${id}/undo`, { key: key ?? t.op });

describe('POST /v1/approvals/{id}/undo', () => {
  it('within 10 s revokes the grant and withdraws the action its agent has not picked up; audited', async () => {
    h = await harness();
    const a = await h.agent('coder');
    const req = await asked(h, a.key);
    const decided = (await h.decide(req.approval_id, { decision: 'allow_always' })).body;
    expect((await h.act(a.key, { tool: 'shell.exec', args: { command: 'make deploy' } })).body.decision).toBe('ALLOW');
    h.clock.advance(10_000);

    expect((await undo(h, req.approval_id, a.key)).status).toBe(403);
    const res = await undo(h, req.approval_id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'approval_undo',
      grant_revoked: decided.grant_id,
      action_withdrawn: true,
      approval: { id: req.approval_id, status: 'denied', resolution: 'deny', undone_at: expect.any(String), undone_by: expect.stringMatching(/^opr_/) },
    });
    // The grant no longer applies; the agent that asks now learns it is denied.
    expect((await h.act(a.key, { tool: 'shell.exec', args: { command: 'make deploy' } })).body.decision).toBe('ALERT');
    const action = (await h.api(a.key).answer('getAction', { params: { id: req.id } })).body;
    expect(action).toMatchObject({ status: 'denied', reason: expect.stringMatching(/^withdrawn: the operator undid the approval/) });
    expect((await h.raw('POST', `/v1/actions/${req.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
    const audit = (await h.api(h.op).answer('listAudit', { query: { event_type: 'approval.undone' } })).body.data;
    expect(audit).toEqual([expect.objectContaining({ subject_id: req.approval_id, data: expect.objectContaining({ undid: 'allow_always', grant_revoked: decided.grant_id, action_withdrawn: true }) })]);
    expect((await h.api(h.op).answer('listAudit', { query: { event_type: 'grant.revoked' } })).body.data).toHaveLength(1);
    // Twice is a conflict.
    expect((await undo(h, req.approval_id)).status).toBe(409);
  });

  it('after 10 s it is too late', async () => {
    h = await harness();
    const a = await h.agent('coder');
    const req = await asked(h, a.key);
    await h.decide(req.approval_id, { decision: 'allow_always' });
    h.clock.advance(10_001);
    const res = await undo(h, req.approval_id);
    expect(res.status).toBe(409);
    expect(errorBody(res.body).error.message).toMatch(/10 s/);
    expect((await h.api(h.op).answer('listGrants')).body.data).toHaveLength(1);
  });

  it('an allow_once whose agent already picked up the answer has nothing to undo; an allow_always keeps the action and revokes the grant', async () => {
    h = await harness();
    const a = await h.agent('coder');
    const once = await asked(h, a.key, 'ls');
    await h.decide(once.approval_id, { decision: 'allow_once' });
    expect((await h.api(a.key).answer('getAction', { params: { id: once.id } })).body.status).toBe('allowed');
    const refused = await undo(h, once.approval_id);
    expect(refused.status).toBe(409);
    expect(errorBody(refused.body).error.message).toMatch(/already picked up/);
    expect((await h.api(a.key).answer('getAction', { params: { id: once.id } })).body.status).toBe('allowed');

    const always = await asked(h, a.key, 'make');
    await h.decide(always.approval_id, { decision: 'allow_always' });
    expect((await h.api(a.key).answer('getAction', { params: { id: always.id } })).body.status).toBe('allowed');
    const res = await undo(h, always.approval_id);
    expect(res.body).toMatchObject({ action_withdrawn: false, grant_revoked: expect.stringMatching(/^gnt_/), approval: { status: 'approved', undone_at: expect.any(String) } });
    expect((await h.api(a.key).answer('getAction', { params: { id: always.id } })).body.status).toBe('allowed');
  });

  it('an allow_once not yet picked up is withdrawn; a deny cannot be undone', async () => {
    h = await harness();
    const a = await h.agent('coder');
    const once = await asked(h, a.key, 'ls');
    await h.decide(once.approval_id, { decision: 'allow_once' });
    const res = await undo(h, once.approval_id);
    expect(res.body).toMatchObject({ action_withdrawn: true, grant_revoked: null, approval: { status: 'denied' } });
    // Its concurrency slot is free again: the agent's open actions do not count it.
    expect((await h.api(a.key).answer('listActions', { query: { status: 'allowed' } })).body.data).toEqual([]);

    const denied = await asked(h, a.key, 'rm');
    await h.decide(denied.approval_id, { decision: 'deny' });
    const res2 = await undo(h, denied.approval_id);
    expect(res2.status).toBe(409);
    expect(errorBody(res2.body).error.message).toMatch(/only an allow can be undone/);
  });
});
