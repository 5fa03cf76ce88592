/**
 * Operators over real HTTP: only the owner adds, revokes and rotates; a revoked or rotated token
 * is 401 at once (no cache keeps it alive); the owner's rotation rewrites operator.token; and an
 * approval threshold counts only operators that existed before the request and are not revoked.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { harness, type Harness } from '../../support/actions-harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});
async function start(): Promise<Harness> {
  const x = await harness();
  open.push(x);
  return x;
}

async function addOperator(h: Harness, name: string): Promise<{ id: string; token: string }> {
  const res = await h.api(h.op).answer('createOperator', { body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.id, token: res.body.token };
}

describe('operators', () => {
  it('a revoked token is 401 at once, even right after it was used; the owner cannot be revoked', async () => {
    const h = await start();
    const alice = await addOperator(h, 'alice');
    // Used first, so its token is in the in-memory cache when it is revoked.
    expect((await h.api(alice.token).answer('me')).status).toBe(200);
    const revoked = await h.api(h.op).answer('revokeOperator', { params: { id: alice.id }, body: undefined });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: alice.id, is_owner: false });
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect((await h.raw('GET', '/v1/me', { key: alice.token })).status).toBe(401);
    expect((await h.raw('DELETE', `/v1/operators/${alice.id}`, { key: h.op })).status).toBe(409);

    const me = await h.api(h.op).answer('me');
    const self = await h.raw('DELETE', `/v1/operators/${me.body.id}`, { key: h.op });
    expect(self.status).toBe(409);
    expect(errorBody(self.body).error.code).toBe('state_conflict');
    expect((await h.raw('DELETE', '/v1/operators/opr_nobody', { key: h.op })).status).toBe(404);
  });

  it('only the owner may add, revoke or rotate operators: another operator gets 403 insufficient_scope', async () => {
    const h = await start();
    const alice = await addOperator(h, 'alice');
    const bob = await addOperator(h, 'bob');
    const owner = (await h.api(h.op).answer('me')).body.id as string;
    for (const [method, path, body] of [
      ['POST', '/v1/operators', { name: 'mallory' }],
      ['DELETE', `/v1/operators/${bob.id}`, undefined],
      ['POST', `/v1/operators/${bob.id}/rotate`, undefined],
      ['POST', `/v1/operators/${owner}/rotate`, undefined],
    ] as const) {
      const res = await h.raw(method, path, { key: alice.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(errorBody(res.body).error.code).toBe('insufficient_scope');
    }
    expect((await h.api(bob.token).answer('me')).status).toBe(200);
    const list = await h.api(h.op).answer('listOperators');
    expect(list.body.data.map((o: { name: string }) => o.name)).toEqual(['owner', 'alice', 'bob']);
  });

  it("rotation shows a new token once; the old one is 401 at once; the owner's own rotation rewrites operator.token (0600)", async () => {
    const h = await start();
    const alice = await addOperator(h, 'alice');
    expect((await h.api(alice.token).answer('me')).status).toBe(200);
    const rotated = await h.api(h.op).answer('rotateOperator', { params: { id: alice.id }, body: undefined });
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toMatch(/^wk_op_/);
    expect((await h.raw('GET', '/v1/me', { key: alice.token })).status).toBe(401);
    expect((await h.api(rotated.body.token).answer('me')).body.id).toBe(alice.id);

    const oldOwner = h.op;
    const owner = (await h.api(oldOwner).answer('me')).body.id as string;
    const mine = await h.api(oldOwner).answer('rotateOperator', { params: { id: owner }, body: undefined });
    expect(mine.status).toBe(200);
    expect((await h.raw('GET', '/v1/me', { key: oldOwner })).status).toBe(401);
    expect((await h.api(mine.body.token).answer('me')).status).toBe(200);
    const file = join(h.dataDir, 'operator.token');
    expect(readFileSync(file, 'utf8').trim()).toBe(mine.body.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(h.app.operatorToken).toBe(mine.body.token);
  });

  it('the threshold counts operators that existed before the request and are not revoked; the approval names who may still decide', async () => {
    const h = await start();
    await h.settings({ approval_threshold: 2 });
    const alice = await addOperator(h, 'alice');
    const bob = await addOperator(h, 'bob');
    const agent = await h.agent('worker');
    const asked = await h.act(agent.key, { tool: 'shell.exec', args: { command: 'ls' } });
    expect(asked.body.status).toBe('pending_approval');
    const apr = asked.body.approval_id as string;
    // Added after the request: may not tip it.
    h.clock.advance(1);
    const late = await addOperator(h, 'late');
    const approval = await h.api(h.op).answer('getApproval', { params: { id: apr } });
    expect(approval.body.eligible_operators.map((o: { name: string }) => o.name)).toEqual(['owner', 'alice', 'bob']);

    expect((await h.api(alice.token).answer('decideApproval', { params: { id: apr }, body: { decision: 'allow_once' } })).status).toBe(200);
    const lateTry = await h.raw('POST', `/v1/approvals/${apr}/decision`, { key: late.token, body: { decision: 'allow_once' } });
    expect(lateTry.status).toBe(403);
    expect(errorBody(lateTry.body).error.code).toBe('insufficient_scope');
    const after = await h.api(h.op).answer('getApproval', { params: { id: apr } });
    expect(after.body.status).toBe('pending');
    expect(after.body.eligible_operators.map((o: { name: string }) => o.name)).toEqual(['owner', 'bob']);

    // Alice is revoked: her allow no longer counts, so Bob's alone does not reach 2.
    expect((await h.api(h.op).answer('revokeOperator', { params: { id: alice.id }, body: undefined })).status).toBe(200);
    const bobs = await h.api(bob.token).answer('decideApproval', { params: { id: apr }, body: { decision: 'allow_once' } });
    expect(bobs.status).toBe(200);
    expect(bobs.body.status).toBe('pending');
    const owners = await h.api(h.op).answer('decideApproval', { params: { id: apr }, body: { decision: 'allow_once' } });
    expect(owners.body.status).toBe('approved');
    expect(owners.body.eligible_operators).toEqual([]);
  });
});
