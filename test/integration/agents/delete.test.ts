/**
 * Deleting an agent (DELETE /v1/agents/{id}, an admin's route): its keys are revoked at once (401
 * from then on, even for a key the server had cached), it is left out of lists, its history
 * stays readable, its pending requests are withdrawn (none can be allowed after), and nothing more
 * can be done to it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentRoutes } from '../../../shared/api/agents.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('DELETE /v1/agents/{id}', () => {
  it('revokes every key, hides the agent from lists, keeps its history', async () => {
    t = await startTestApp();
    const app = t;
    const doomed = await app.agent('doomed');
    const kept = await app.agent('kept');
    const second = (await app.api(app.op).answer('createAgentKey', { params: { id: doomed.id }, body: {} })).body;
    // Both keys work (and are cached by the server) before the delete.
    expect((await app.api(doomed.key).answer('me')).status).toBe(200);
    expect((await app.api(second.api_key).answer('me')).status).toBe(200);
    const act = (await app.api(doomed.key).answer('createAction', { body: { tool: 'shell.exec', args: { command: 'ls' } } })).body;

    expect(act.approval_id).toEqual(expect.any(String));
    expect((await app.api(app.op).answer('getApproval', { params: { id: act.approval_id! } })).body.status).toBe('pending');

    const deleted = await app.api(app.op).answer('deleteAgent', { params: { id: doomed.id } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: doomed.id, name: 'doomed', status: 'disabled', deleted_at: expect.any(String) });
    // Its pending request left the Inbox, withdrawn, and cannot be allowed any more.
    const withdrawn = (await app.api(app.op).answer('getApproval', { params: { id: act.approval_id! } })).body;
    expect(withdrawn).toMatchObject({ status: 'expired', withdrawn_at: deleted.body.deleted_at });
    const allow = await app.raw('POST', `/v1/approvals/${act.approval_id!}/decision`, { key: app.op, body: { decision: 'allow_once' } });
    expect(allow.status).toBe(409);
    expect((await app.api(app.op).answer('listApprovals', { query: { status: 'pending' } })).body.data.map((a) => a.id)).not.toContain(act.approval_id);

    for (const key of [doomed.key, second.api_key]) expect((await app.raw('GET', '/v1/me', { key })).status).toBe(401);
    expect((await app.raw('GET', '/v1/me', { key: kept.key })).status).toBe(200);
    const keys = (await app.api(app.op).answer('listAgentKeys', { params: { id: doomed.id } })).body.data;
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.revoked_at === deleted.body.deleted_at)).toBe(true);

    const listed = (await app.api(app.op).answer('listAgents')).body.data.map((a) => a.name);
    expect(listed).toContain('kept');
    expect(listed).not.toContain('doomed');
    const all = (await app.api(app.op).answer('listAgents', { query: { include_deleted: 'true' } })).body.data;
    expect(all.find((a) => a.name === 'doomed')?.deleted_at).toBe(deleted.body.deleted_at);
    // History stays: the agent, its action and the audit read as before.
    expect((await app.api(app.op).answer('getAgent', { params: { id: doomed.id } })).body.deleted_at).toBe(deleted.body.deleted_at);
    expect((await app.api(app.op).answer('getAction', { params: { id: act.id } })).body.agent_id).toBe(doomed.id);
    const audit = (await app.api(app.op).answer('listAudit', { query: { event_type: 'agent.deleted' } })).body.data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_id: doomed.id, data: { keys_revoked: expect.arrayContaining([second.id]) } });
    expect((await app.api(app.op).answer('listAudit', { query: { agent_id: doomed.id, event_type: 'agent.created' } })).body.data).toHaveLength(1);
  });

  it('a second delete, a new key or an edit of a deleted agent is 409; an unknown id 404; an agent key 403', async () => {
    t = await startTestApp();
    const app = t;
    const doomed = await app.agent('doomed');
    const other = await app.agent('other');
    const asAgent = await app.raw('DELETE', `/v1/agents/${doomed.id}`, { key: other.key });
    expect(asAgent.status).toBe(403);
    expect((await app.api(app.op).answer('deleteAgent', { params: { id: doomed.id } })).status).toBe(200);
    for (const [method, path, body] of [
      ['DELETE', `/v1/agents/${doomed.id}`, undefined],
      ['POST', `/v1/agents/${doomed.id}/keys`, {}],
      ['PATCH', `/v1/agents/${doomed.id}`, { status: 'active' }],
    ] as const) {
      const res = await app.raw(method, path, { key: app.op, body });
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(errorBody(res.body).error.code).toBe('state_conflict');
    }
    expect((await app.raw('DELETE', '/v1/agents/agt_nope', { key: app.op })).status).toBe(404);
  });

  it('is declared for admins', () => {
    expect(agentRoutes.deleteAgent.role).toBe('admin');
  });
});
