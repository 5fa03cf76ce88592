import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { immediate } from '../../../electron/db/connection.js';
import { harness, type Harness } from '../../support/actions-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('POST /v1/actions', () => {
  it('ALLOW: allowed with a receipt naming the matched rule and every layer; action.evaluated is audited and published', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const res = await h.act(a.key, { tool: 'fs.read', args: { path: '/tmp/x', api_key: 'sk-secret' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'action',
      id: expect.stringMatching(/^act_/),
      agent_id: a.id,
      decision: 'ALLOW',
      status: 'allowed',
      approval_id: null,
      block_code: null,
      receipt_id: expect.stringMatching(/^rcp_/),
      matched: [expect.objectContaining({ policy_version: 1, rule: 0, decision: 'ALLOW' })],
    });
    expect(res.body.layers.map((l) => l.layer)).toEqual(expect.arrayContaining(['kill_switch', 'quota', 'guardrails']));
    // Secrets in args are redacted before anything is stored.
    expect(res.body.action.args).toEqual({ path: '/tmp/x', api_key: '[REDACTED]' });

    const receipt = await h.api(a.key).answer('getReceipt', { params: { id: res.body.receipt_id } });
    expect(receipt.body).toMatchObject({ object: 'receipt', action_id: res.body.id, decision: 'ALLOW', explanation: res.body.explanation });
    expect(JSON.stringify(receipt.body)).not.toContain('sk-secret');

    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'action.evaluated' } });
    expect(audit.body.data[0]).toMatchObject({ agent_id: a.id, actor: `agent:${a.id}`, subject_id: res.body.id });
    expect(h.events.find((e) => e.type === 'action.evaluated')?.data).toMatchObject({ id: res.body.id, decision: 'ALLOW' });
    const tools = await h.api(h.op).answer('listTools');
    expect(JSON.stringify(tools.body)).toContain('fs.read');
  });

  it('BLOCK: blocked with a block code, and no approval', async () => {
    h = await harness();
    await h.settings({ unmatched_decision: 'BLOCK' });
    const a = await h.agent('alpha');
    const res = await h.act(a.key, { tool: 'shell.exec' });
    expect(res.body).toMatchObject({ decision: 'BLOCK', status: 'blocked', block_code: 'no_matching_rule', approval_id: null });
    expect((await h.api(h.op).answer('listApprovals')).body.data).toEqual([]);
  });

  it('a disabled agent and the global kill-switch BLOCK', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: true, reason: 'stop' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'kill_switch' });
    await h.api(h.op).answer('setKillSwitch', { body: { engaged: false } });
    await h.api(h.op).answer('updateAgent', { params: { id: a.id }, body: { status: 'disabled' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'agent_disabled' });
  });

  // Agent rows are kept in memory once read (every decision reads one): what may be kept.
  it('an agent disabled in a transaction that rolls back still acts; re-enabled, it acts again', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const { agents } = h.app.services;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    expect(() =>
      immediate(h.app.db, () => {
        agents.update(a.id, { status: 'disabled' }, 'system');
        expect(agents.get(a.id).status).toBe('disabled');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(agents.get(a.id).status).toBe('active');
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    await h.api(h.op).answer('updateAgent', { params: { id: a.id }, body: { status: 'disabled' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'agent_disabled' });
    await h.api(h.op).answer('updateAgent', { params: { id: a.id }, body: { status: 'active' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('validates input: tool is required, unknown fields are rejected, an agent cannot act for another', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    let res = await h.actRaw(a.key, { args: {} });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ code: 'missing_parameter', param: 'tool' });
    res = await h.actRaw(a.key, { tool: 'x', nope: 1 });
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'nope' });
    res = await h.actRaw(a.key, { tool: 'x', agent_id: b.id });
    expect(res.status).toBe(403);
    res = await h.actRaw(h.op, { tool: 'x' });
    expect(errorBody(res.body).error).toMatchObject({ code: 'missing_parameter', param: 'agent_id' });
    res = await h.actRaw(h.op, { tool: 'x', agent_id: 'agt_missing' });
    expect(res.status).toBe(404);
    res = await h.actRaw(a.key, { tool: 'x' }, '?wait_s=56');
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'wait_s' });
    expect((await h.api(h.op).answer('listActions')).body.data).toHaveLength(0);
  });

  it('an agent sees only its own actions and receipts', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const mine = (await h.act(a.key, { tool: 'fs.read' })).body;
    await h.act(b.key, { tool: 'fs.read' });
    expect((await h.raw('GET', `/v1/actions/${mine.id}`, { key: b.key })).status).toBe(404);
    expect((await h.raw('GET', `/v1/receipts/${mine.receipt_id}`, { key: b.key })).status).toBe(404);
    expect((await h.raw('POST', `/v1/actions/${mine.id}/complete`, { key: b.key, body: { outcome: 'succeeded' } })).status).toBe(404);
    expect((await h.api(a.key).answer('listActions')).body.data.map((x) => x.id)).toEqual([mine.id]);
    expect((await h.api(h.op).answer('listActions')).body.data).toHaveLength(2);
  });
});

describe('completion, quotas and the ledger', () => {
  it('complete frees the slot; completing twice is 409; only allowed actions complete', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const act = (await h.act(a.key, { tool: 'fs.read' })).body;
    const done = await h.api(a.key).answer('completeAction', { params: { id: act.id }, body: { outcome: 'succeeded' } });
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'succeeded', completed_at: expect.any(String) });
    const twice = await h.raw('POST', `/v1/actions/${act.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } });
    expect(twice.status).toBe(409);
    expect(errorBody(twice.body).error.code).toBe('state_conflict');
    const pending = (await h.act(a.key, { tool: 'other' })).body;
    expect((await h.raw('POST', `/v1/actions/${pending.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
  });

  it('concurrent_executions counts allowed actions not completed; completing frees a slot', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const q = await h.api(h.op).answer('updateQuota', { body: { agent_id: a.id, concurrent_executions: 2 } });
    expect(q.status).toBe(200);
    const first = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'quota_exceeded' });
    // Quotas are per agent.
    expect((await h.act(b.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    await h.api(a.key).answer('completeAction', { params: { id: first.id }, body: { outcome: 'failed' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('a slot never completed (the agent crashed) stops counting after an hour', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('updateQuota', { body: { agent_id: a.id, concurrent_executions: 1 } });
    const abandoned = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');
    h.clock.advance(3_600_000 - 1);
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');
    h.clock.advance(1);
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    // Late completion is still accepted.
    expect((await h.api(a.key).answer('completeAction', { params: { id: abandoned.id }, body: { outcome: 'succeeded' } })).status).toBe(200);
  });

  it('runs_per_hour counts the rolling hour', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('updateQuota', { body: { agent_id: a.id, runs_per_hour: 2 } });
    for (let i = 0; i < 2; i++) {
      const act = (await h.act(a.key, { tool: 'fs.read' })).body;
      expect(act.decision).toBe('ALLOW');
      await h.api(a.key).answer('completeAction', { params: { id: act.id }, body: { outcome: 'succeeded' } });
      h.clock.advance(60_000);
    }
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'quota_exceeded' });
    h.clock.advance(3_600_000 - 120_000 + 1);
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('an estimate is reserved on ALLOW and settled on completion with the actual cost', async () => {
    h = await harness();
    await h.allow('llm.call');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const budget = async () => (await h.api(h.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body;
    const act = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 600_000 })).body;
    expect(act.decision).toBe('ALLOW');
    expect((await budget()).reserved_micro_usd).toBe(600_000);
    // Another estimate that no longer fits next to the reservation is blocked.
    expect((await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 500_000 })).body).toMatchObject({
      decision: 'BLOCK',
      block_code: 'budget_insufficient',
    });
    const done = await h.api(a.key).answer('completeAction', { params: { id: act.id }, body: { outcome: 'succeeded', cost_micro_usd: 250_000 } });
    expect(done.body).toMatchObject({ status: 'completed', cost_micro_usd: 250_000 });
    expect(await budget()).toMatchObject({ reserved_micro_usd: 0, spent_micro_usd: 250_000 });
  });

  it('an approved estimate is reserved at approval; an expired one reserves nothing and holds no slot', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    await h.api(h.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const budget = async () => (await h.api(h.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body;
    const asked = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 300_000 })).body;
    expect(asked.status).toBe('pending_approval');
    expect((await budget()).reserved_micro_usd).toBe(0);
    await h.decide(asked.approval_id!, { decision: 'allow_once' });
    expect((await budget()).reserved_micro_usd).toBe(300_000);
    await h.api(a.key).answer('completeAction', { params: { id: asked.id }, body: { outcome: 'failed' } });
    expect(await budget()).toMatchObject({ reserved_micro_usd: 0, spent_micro_usd: 0 });

    const lapsed = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 300_000 })).body;
    h.clock.advance(300_000);
    expect((await h.api(a.key).answer('getAction', { params: { id: lapsed.id } })).body.status).toBe('expired');
    expect((await budget()).reserved_micro_usd).toBe(0);
    expect((await h.raw('POST', `/v1/actions/${lapsed.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
  });
});

describe('POST /v1/evaluate', () => {
  it('answers what POST /v1/actions would, recording nothing', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const dry = await h.api(a.key).answer('evaluate', { body: { action: { tool: 'fs.read' } } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ object: 'evaluation', agent_id: a.id, decision: 'ALLOW', status: 'allowed' });
    const alertDry = await h.api(h.op).answer('evaluate', { body: { action: { tool: 'shell.exec' }, agent_id: b.id } });
    expect(alertDry.body).toMatchObject({ decision: 'ALERT', status: 'pending_approval', agent_id: b.id });
    expect((await h.raw('POST', '/v1/evaluate', { key: a.key, body: { action: { tool: 'x' }, agent_id: b.id } })).status).toBe(403);
    expect(errorBody((await h.raw('POST', '/v1/evaluate', { key: h.op, body: { action: {} } })).body).error.code).toBe('missing_parameter');
    expect((await h.api(h.op).answer('listActions')).body.data).toEqual([]);
    expect((await h.api(h.op).answer('listApprovals')).body.data).toEqual([]);
    expect((await h.api(h.op).answer('listAudit', { query: { event_type: 'action.evaluated' } })).body.data).toEqual([]);
  });
});
