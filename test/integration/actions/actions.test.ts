import { afterEach, describe, expect, it } from 'vitest';
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
    expect(res.body.layers.map((l: any) => l.layer)).toEqual(expect.arrayContaining(['kill_switch', 'quota', 'guardrails']));
    // Secrets in args are redacted before anything is stored.
    expect(res.body.action.args).toEqual({ path: '/tmp/x', api_key: '[REDACTED]' });

    const receipt = await h.req('GET', `/v1/receipts/${res.body.receipt_id}`, { key: a.key });
    expect(receipt.body).toMatchObject({ object: 'receipt', action_id: res.body.id, decision: 'ALLOW', explanation: res.body.explanation });
    expect(JSON.stringify(receipt.body)).not.toContain('sk-secret');

    const audit = await h.req('GET', '/v1/audit?event_type=action.evaluated', { key: h.op });
    expect(audit.body.data[0]).toMatchObject({ agent_id: a.id, actor: `agent:${a.id}`, subject_id: res.body.id });
    expect(h.events.find((e) => e.type === 'action.evaluated')?.data).toMatchObject({ id: res.body.id, decision: 'ALLOW' });
    const tools = await h.req('GET', '/v1/tools', { key: h.op });
    expect(JSON.stringify(tools.body)).toContain('fs.read');
  });

  it('BLOCK: blocked with a block code, and no approval', async () => {
    h = await harness();
    await h.settings({ unmatched_decision: 'BLOCK' });
    const a = await h.agent('alpha');
    const res = await h.act(a.key, { tool: 'shell.exec' });
    expect(res.body).toMatchObject({ decision: 'BLOCK', status: 'blocked', block_code: 'no_matching_rule', approval_id: null });
    expect((await h.req('GET', '/v1/approvals', { key: h.op })).body.data).toEqual([]);
  });

  it('a disabled agent and the global kill-switch BLOCK', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.req('POST', '/v1/kill-switch', { key: h.op, body: { engaged: true, reason: 'stop' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'kill_switch' });
    await h.req('POST', '/v1/kill-switch', { key: h.op, body: { engaged: false } });
    await h.req('PATCH', `/v1/agents/${a.id}`, { key: h.op, body: { status: 'disabled' } });
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
    await h.req('PATCH', `/v1/agents/${a.id}`, { key: h.op, body: { status: 'disabled' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'agent_disabled' });
    await h.req('PATCH', `/v1/agents/${a.id}`, { key: h.op, body: { status: 'active' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('validates input: tool is required, unknown fields are rejected, an agent cannot act for another', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    let res = await h.act(a.key, { args: {} });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_parameter', param: 'tool' });
    res = await h.act(a.key, { tool: 'x', nope: 1 });
    expect(res.body.error).toMatchObject({ code: 'invalid_parameter', param: 'nope' });
    res = await h.act(a.key, { tool: 'x', agent_id: b.id });
    expect(res.status).toBe(403);
    res = await h.act(h.op, { tool: 'x' });
    expect(res.body.error).toMatchObject({ code: 'missing_parameter', param: 'agent_id' });
    res = await h.act(h.op, { tool: 'x', agent_id: 'agt_missing' });
    expect(res.status).toBe(404);
    res = await h.act(a.key, { tool: 'x' }, '?wait_s=56');
    expect(res.body.error).toMatchObject({ code: 'invalid_parameter', param: 'wait_s' });
    expect((await h.req('GET', '/v1/actions', { key: h.op })).body.data).toHaveLength(0);
  });

  it('an agent sees only its own actions and receipts', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const mine = (await h.act(a.key, { tool: 'fs.read' })).body;
    await h.act(b.key, { tool: 'fs.read' });
    expect((await h.req('GET', `/v1/actions/${mine.id}`, { key: b.key })).status).toBe(404);
    expect((await h.req('GET', `/v1/receipts/${mine.receipt_id}`, { key: b.key })).status).toBe(404);
    expect((await h.req('POST', `/v1/actions/${mine.id}/complete`, { key: b.key, body: { outcome: 'succeeded' } })).status).toBe(404);
    expect((await h.req('GET', '/v1/actions', { key: a.key })).body.data.map((x: any) => x.id)).toEqual([mine.id]);
    expect((await h.req('GET', '/v1/actions', { key: h.op })).body.data).toHaveLength(2);
  });
});

describe('completion, quotas and the ledger', () => {
  it('complete frees the slot; completing twice is 409; only allowed actions complete', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const act = (await h.act(a.key, { tool: 'fs.read' })).body;
    const done = await h.req('POST', `/v1/actions/${act.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } });
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'succeeded', completed_at: expect.any(String) });
    const twice = await h.req('POST', `/v1/actions/${act.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('state_conflict');
    const pending = (await h.act(a.key, { tool: 'other' })).body;
    expect((await h.req('POST', `/v1/actions/${pending.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
  });

  it('concurrent_executions counts allowed actions not completed; completing frees a slot', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const q = await h.req('PATCH', '/v1/quota', { key: h.op, body: { agent_id: a.id, concurrent_executions: 2 } });
    expect(q.status).toBe(200);
    const first = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    expect((await h.act(a.key, { tool: 'fs.read' })).body).toMatchObject({ decision: 'BLOCK', block_code: 'quota_exceeded' });
    // Quotas are per agent.
    expect((await h.act(b.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    await h.req('POST', `/v1/actions/${first.id}/complete`, { key: a.key, body: { outcome: 'failed' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('a slot never completed (the agent crashed) stops counting after an hour', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.req('PATCH', '/v1/quota', { key: h.op, body: { agent_id: a.id, concurrent_executions: 1 } });
    const abandoned = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');
    h.clock.advance(3_600_000 - 1);
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');
    h.clock.advance(1);
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    // Late completion is still accepted.
    expect((await h.req('POST', `/v1/actions/${abandoned.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(200);
  });

  it('runs_per_hour counts the rolling hour', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.req('PATCH', '/v1/quota', { key: h.op, body: { agent_id: a.id, runs_per_hour: 2 } });
    for (let i = 0; i < 2; i++) {
      const act = (await h.act(a.key, { tool: 'fs.read' })).body;
      expect(act.decision).toBe('ALLOW');
      await h.req('POST', `/v1/actions/${act.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } });
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
    await h.req('POST', '/v1/budgets', { key: h.op, body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const budget = async () => (await h.req('GET', `/v1/budgets/agent/${a.id}`, { key: h.op })).body;
    const act = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 600_000 })).body;
    expect(act.decision).toBe('ALLOW');
    expect((await budget()).reserved_micro_usd).toBe(600_000);
    // Another estimate that no longer fits next to the reservation is blocked.
    expect((await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 500_000 })).body).toMatchObject({
      decision: 'BLOCK',
      block_code: 'budget_insufficient',
    });
    const done = await h.req('POST', `/v1/actions/${act.id}/complete`, { key: a.key, body: { outcome: 'succeeded', cost_micro_usd: 250_000 } });
    expect(done.body).toMatchObject({ status: 'completed', cost_micro_usd: 250_000 });
    expect(await budget()).toMatchObject({ reserved_micro_usd: 0, spent_micro_usd: 250_000 });
  });

  it('an approved estimate is reserved at approval; an expired one reserves nothing and holds no slot', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    await h.req('POST', '/v1/budgets', { key: h.op, body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const budget = async () => (await h.req('GET', `/v1/budgets/agent/${a.id}`, { key: h.op })).body;
    const asked = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 300_000 })).body;
    expect(asked.status).toBe('pending_approval');
    expect((await budget()).reserved_micro_usd).toBe(0);
    await h.decide(asked.approval_id, { decision: 'allow_once' });
    expect((await budget()).reserved_micro_usd).toBe(300_000);
    await h.req('POST', `/v1/actions/${asked.id}/complete`, { key: a.key, body: { outcome: 'failed' } });
    expect(await budget()).toMatchObject({ reserved_micro_usd: 0, spent_micro_usd: 0 });

    const lapsed = (await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 300_000 })).body;
    h.clock.advance(300_000);
    expect((await h.req('GET', `/v1/actions/${lapsed.id}`, { key: a.key })).body.status).toBe('expired');
    expect((await budget()).reserved_micro_usd).toBe(0);
    expect((await h.req('POST', `/v1/actions/${lapsed.id}/complete`, { key: a.key, body: { outcome: 'succeeded' } })).status).toBe(409);
  });
});

describe('POST /v1/evaluate', () => {
  it('answers what POST /v1/actions would, recording nothing', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const dry = await h.req('POST', '/v1/evaluate', { key: a.key, body: { action: { tool: 'fs.read' } } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ object: 'evaluation', agent_id: a.id, decision: 'ALLOW', status: 'allowed' });
    const alertDry = await h.req('POST', '/v1/evaluate', { key: h.op, body: { action: { tool: 'shell.exec' }, agent_id: b.id } });
    expect(alertDry.body).toMatchObject({ decision: 'ALERT', status: 'pending_approval', agent_id: b.id });
    expect((await h.req('POST', '/v1/evaluate', { key: a.key, body: { action: { tool: 'x' }, agent_id: b.id } })).status).toBe(404);
    expect((await h.req('POST', '/v1/evaluate', { key: h.op, body: { action: {} } })).body.error.code).toBe('missing_parameter');
    expect((await h.req('GET', '/v1/actions', { key: h.op })).body.data).toEqual([]);
    expect((await h.req('GET', '/v1/approvals', { key: h.op })).body.data).toEqual([]);
    expect((await h.req('GET', '/v1/audit?event_type=action.evaluated', { key: h.op })).body.data).toEqual([]);
  });
});
