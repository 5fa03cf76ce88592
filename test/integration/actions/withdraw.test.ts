/**
 * Late approvals: a client that stops waiting withdraws its request (POST /v1/actions/{id}/withdraw),
 * after which nobody can allow it and it holds nothing; and an action an approval allowed that its
 * agent never picks up gives back its slot and reservation after the pick-up window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { pickupTimeoutFromEnv } from '../../../electron/headless.js';
import type { WardenEvent } from '../../../shared/events.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const SECOND = 1000;

async function setup(opts: { pickupTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const app = await startTestApp({ clock, timeZone: 'UTC', ...opts });
  t = app;
  const events: WardenEvent[] = [];
  app.app.bus.subscribe((e) => events.push(e));
  // llm.call is allowed at once; anything else asks (no matching rule → ALERT).
  await app.api(app.op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } });
  const agent = await app.agent('waiter');
  await app.api(app.op).answer('updateQuota', { body: { agent_id: agent.id, concurrent_executions: 1 } });
  await app.api(app.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' } });
  const ask = (tool = 'shell.exec', extra: Record<string, unknown> = {}) =>
    app.api(agent.key).answer('createAction', { body: { tool, args: { command: 'make deploy' }, ...extra } });
  const reserved = async () => (await app.api(app.op).answer('getBudget', { params: { scope: 'agent', scope_id: agent.id } })).body.reserved_micro_usd as number;
  return { app, clock, agent, events, ask, reserved };
}

describe('POST /v1/actions/{id}/withdraw', () => {
  it('a withdrawn request can no longer be allowed, and says so on the approval', async () => {
    const { app, agent, events, ask } = await setup();
    const act = await ask();
    expect(act.body.status).toBe('pending_approval');
    const w = await app.api(agent.key).answer('withdrawAction', { params: { id: act.body.id }, body: undefined });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ id: act.body.id, status: 'expired' });
    expect(w.body.withdrawn_at).toEqual(expect.any(String));

    const approval = (await app.api(app.op).answer('getApproval', { params: { id: act.body.approval_id! } })).body;
    expect(approval.withdrawn_at).toBe(w.body.withdrawn_at);
    expect(approval.status).toBe('expired');

    const allow = await app.raw('POST', `/v1/approvals/${act.body.approval_id}/decision`, { key: app.op, body: { decision: 'allow_once' } });
    expect(allow.status).toBe(409);
    expect(errorBody(allow.body).error.code).toBe('state_conflict');
    expect(errorBody(allow.body).error.message).toMatch(/stopped waiting/);
    expect((await app.api(agent.key).answer('getAction', { params: { id: act.body.id } })).body.status).toBe('expired');

    const audit = (await app.api(app.op).answer('listAudit', { query: { event_type: 'action.withdrawn' } })).body.data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_id: act.body.id, actor: `agent:${agent.id}`, data: { was: 'pending_approval' } });
    expect(events.map((e) => e.type)).toContain('action.withdrawn');
    const resolved = events.find((e) => e.type === 'approval.resolved');
    expect(resolved?.data).toMatchObject({ id: act.body.approval_id, withdrawn_at: w.body.withdrawn_at });
  });

  it('withdrawing twice, or a completed action, is 409', async () => {
    const { app, agent, ask } = await setup();
    const act = await ask();
    expect((await app.api(agent.key).answer('withdrawAction', { params: { id: act.body.id }, body: undefined })).status).toBe(200);
    const again = await app.raw('POST', `/v1/actions/${act.body.id}/withdraw`, { key: agent.key });
    expect(again.status).toBe(409);
    expect(errorBody(again.body).error.code).toBe('state_conflict');

    const done = await ask('llm.call');
    expect(done.body.status).toBe('allowed');
    await app.api(agent.key).answer('completeAction', { params: { id: done.body.id }, body: { outcome: 'succeeded' } });
    const late = await app.raw('POST', `/v1/actions/${done.body.id}/withdraw`, { key: agent.key });
    expect(late.status).toBe(409);
    expect(errorBody(late.body).error.message).toMatch(/completed/);
  });

  it('only the action’s own agent may withdraw it: another agent gets 404, the operator 403', async () => {
    const { app, ask } = await setup();
    const act = await ask();
    const other = await app.agent('other');
    const foreign = await app.raw('POST', `/v1/actions/${act.body.id}/withdraw`, { key: other.key });
    expect(foreign.status).toBe(404);
    const op = await app.raw('POST', `/v1/actions/${act.body.id}/withdraw`, { key: app.op });
    expect(op.status).toBe(403);
    expect((await app.api(app.op).answer('getAction', { params: { id: act.body.id } })).body.status).toBe('pending_approval');
  });

  it('an allowed action withdrawn unrun gives back its slot and reservation and cannot be completed', async () => {
    const { app, agent, ask, reserved } = await setup();
    const act = await ask('llm.call', { cost_estimate_micro_usd: 30_000 });
    expect(act.body.status).toBe('allowed');
    expect(await reserved()).toBe(30_000);
    // concurrent_executions is 1: the slot is taken.
    expect((await ask('llm.call')).body.block_code).toBe('quota_exceeded');

    const w = await app.api(agent.key).answer('withdrawAction', { params: { id: act.body.id }, body: undefined });
    expect(w.status).toBe(200);
    expect(await reserved()).toBe(0);
    expect((await ask('llm.call')).body.status).toBe('allowed');
    const complete = await app.raw('POST', `/v1/actions/${act.body.id}/complete`, { key: agent.key, body: { outcome: 'succeeded' } });
    expect(complete.status).toBe(409);
  });
});

describe('the pick-up window', () => {
  it('an approved action its agent never picks up releases its slot and reservation after the window', async () => {
    const { app, clock, agent, events, ask, reserved } = await setup({ pickupTimeoutMs: 60 * SECOND });
    const act = await ask('shell.exec', { cost_estimate_micro_usd: 20_000 });
    expect(act.body.status).toBe('pending_approval');
    await app.api(app.op).answer('decideApproval', { params: { id: act.body.approval_id! }, body: { decision: 'allow_once' } });
    expect(await reserved()).toBe(20_000);
    expect((await ask('llm.call')).body.block_code).toBe('quota_exceeded');

    clock.advance(30 * SECOND);
    expect(await reserved()).toBe(20_000);
    clock.advance(45 * SECOND);
    expect(await reserved()).toBe(0);
    expect((await ask('llm.call')).body.status).toBe('allowed');
    const audit = (await app.api(app.op).answer('listAudit', { query: { event_type: 'action.released' } })).body.data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_id: act.body.id, data: { reason: 'not_picked_up', pickup_timeout_ms: 60 * SECOND } });
    expect(events.some((e) => e.type === 'action.released' && e.data.id === act.body.id)).toBe(true);
    // Still allowed: an agent that runs it late can report it.
    const complete = await app.api(agent.key).answer('completeAction', { params: { id: act.body.id }, body: { outcome: 'succeeded' } });
    expect(complete.status).toBe(200);
  });

  it('an approved action its agent picked up keeps its slot past the window', async () => {
    const { app, clock, agent, ask, reserved } = await setup({ pickupTimeoutMs: 60 * SECOND });
    const act = await ask('shell.exec', { cost_estimate_micro_usd: 20_000 });
    await app.api(app.op).answer('decideApproval', { params: { id: act.body.approval_id! }, body: { decision: 'allow_once' } });
    // The operator reading it does not count; its own agent reading it does.
    await app.api(app.op).answer('getAction', { params: { id: act.body.id } });
    const read = await app.api(agent.key).answer('getAction', { params: { id: act.body.id } });
    expect(read.body.status).toBe('allowed');
    clock.advance(5 * 60 * SECOND);
    expect(await reserved()).toBe(20_000);
    expect((await ask('llm.call')).body.block_code).toBe('quota_exceeded');
    const audit = (await app.api(app.op).answer('listAudit', { query: { event_type: 'action.released' } })).body.data;
    expect(audit).toHaveLength(0);
  });

  it('an action allowed at once is picked up by its answer', async () => {
    const { clock, ask, reserved } = await setup({ pickupTimeoutMs: 60 * SECOND });
    const act = await ask('llm.call', { cost_estimate_micro_usd: 10_000 });
    expect(act.body.status).toBe('allowed');
    clock.advance(5 * 60 * SECOND);
    expect(await reserved()).toBe(10_000);
  });

  it('WARDEN_PICKUP_TIMEOUT_S sets the window; bad values are refused', () => {
    expect(pickupTimeoutFromEnv({})).toBeUndefined();
    expect(pickupTimeoutFromEnv({ WARDEN_PICKUP_TIMEOUT_S: '30' })).toBe(30_000);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => pickupTimeoutFromEnv({ WARDEN_PICKUP_TIMEOUT_S: bad })).toThrow(/WARDEN_PICKUP_TIMEOUT_S: expected a positive integer/);
    }
  });
});
