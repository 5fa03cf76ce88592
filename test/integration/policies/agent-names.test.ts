/**
 * Guardrail rules naming agents: `agent: "name"` is resolved to the agent's id when saved (and in
 * a dry run), read back with both the id and the current name, keeps matching after a rename,
 * and `warden policy export` writes names that `apply` reads back as no change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';
import { parse, stringify } from 'yaml';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let refundBot: string;
let codeBot: string;
let dir: string;

async function decision(agentId: string, tool = 'order.refund') {
  const res = await t.api(t.op).answer('evaluate', { body: { action: { tool }, agent_id: agentId } });
  expect(res.status).toBe(200);
  return res.body.decision as string;
}

beforeAll(async () => {
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-agent-names-'));
  refundBot = (await t.agent('refund-bot')).id;
  codeBot = (await t.agent('code-bot')).id;
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rules by agent name', () => {
  let policyId: string;

  it('resolves the name to the id on save, stores the id only, and reads back both', async () => {
    const res = await t.api(t.op).answer('createGuardrail', { body: {
      name: 'refunds-by-name',
      rules: [{ tool: 'order.refund', agent: 'refund-bot', decision: 'ALLOW' }],
    } });
    expect(res.status).toBe(201);
    expect(res.body.rules).toEqual([{ tool: 'order.refund', agent_id: refundBot, agent: 'refund-bot', decision: 'ALLOW' }]);
    policyId = res.body.id;
    const stored = t.app.db.prepare('SELECT rules FROM guardrail_policies WHERE id = ?').pluck().get(policyId) as string;
    expect(JSON.parse(stored)).toEqual([{ tool: 'order.refund', agent_id: refundBot, decision: 'ALLOW' }]);
    const versions = await t.api(t.op).answer('listGuardrailVersions', { params: { id: policyId } });
    expect(versions.body.data[0]!.rules[0]).toMatchObject({ agent_id: refundBot, agent: 'refund-bot' });
  });

  it('evaluation matches by id: the named agent is allowed, another agent is asked', async () => {
    expect(await decision(refundBot)).toBe('ALLOW');
    expect(await decision(codeBot)).toBe('ALERT');
  });

  it('an unknown name → 400 invalid_parameter naming rules[i].agent, with close matches; nothing saved', async () => {
    const res = await t.raw('POST', '/v1/guardrails', { key: t.op, body: {
      name: 'typo-policy',
      rules: [{ tool: 'x', decision: 'ALERT' }, { tool: 'order.refund', agent: 'refund-bto', decision: 'ALLOW' }],
    } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'rules[1].agent' });
    expect(errorBody(res.body).error.message).toContain('refund-bot');
    expect(errorBody(res.body).error.message).not.toContain('code-bot');
    const list = await t.api(t.op).answer('listGuardrails');
    expect(list.body.data.map((p: { name: string }) => p.name)).not.toContain('typo-policy');

    const patch = await t.raw('PATCH', `/v1/guardrails/${policyId}`, { key: t.op, body: { rules: [{ tool: 'x', agent: 'nobody-at-all-here', decision: 'ALLOW' }] } });
    expect(patch.status).toBe(400);
    expect(errorBody(patch.body).error.param).toBe('rules[0].agent');
    expect((await t.api(t.op).answer('getGuardrail', { params: { id: policyId } })).body.version).toBe(1);
  });

  it('a name and an agent_id of different agents → 400; the same agent both ways is no new version', async () => {
    const mismatch = await t.raw('PATCH', `/v1/guardrails/${policyId}`, { key: t.op, body: { rules: [{ tool: 'order.refund', agent: 'refund-bot', agent_id: codeBot, decision: 'ALLOW' }] } });
    expect(mismatch.status).toBe(400);
    expect(errorBody(mismatch.body).error.param).toBe('rules[0].agent');
    // What GET returns can be sent back as is (the UI does).
    const current = (await t.api(t.op).answer('getGuardrail', { params: { id: policyId } })).body;
    const same = await t.api(t.op).answer('updateGuardrail', { params: { id: policyId }, body: { rules: current.rules } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
  });

  it('renaming the agent keeps the rule matching; the rule reads the new name; a taken name → 409', async () => {
    const renamed = await t.api(t.op).answer('updateAgent', { params: { id: refundBot }, body: { name: 'refunds-v2' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('refunds-v2');
    expect(await decision(refundBot)).toBe('ALLOW');
    expect(await decision(codeBot)).toBe('ALERT');
    const read = await t.api(t.op).answer('getGuardrail', { params: { id: policyId } });
    expect(read.body.rules[0]).toMatchObject({ agent_id: refundBot, agent: 'refunds-v2' });
    expect(read.body.version).toBe(1);

    const taken = await t.raw('PATCH', `/v1/agents/${refundBot}`, { key: t.op, body: { name: 'code-bot' } });
    expect(taken.status).toBe(409);
    expect(errorBody(taken.body).error.param).toBe('name');
    expect((await t.api(t.op).answer('getAgent', { params: { id: refundBot } })).body.name).toBe('refunds-v2');
    // The old name now resolves to nobody.
    const old = await t.raw('POST', '/v1/guardrails', { key: t.op, body: { name: 'old-name', rules: [{ tool: 'x', agent: 'refund-bot', decision: 'ALLOW' }] } });
    expect(old.status).toBe(400);
    expect(errorBody(old.body).error.message).toContain('refunds-v2');
  });

  it('the dry run resolves names in hypothetical policies; an unknown one → 400 with its param', async () => {
    const policies: RouteInput<Routes['evaluateGuardrails']>['body']['policies'] = [{ rules: [{ tool: 'deploy.run', agent: 'code-bot', decision: 'ALLOW' }] }];
    const forCode = await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'deploy.run' }, agent_id: codeBot, policies } });
    expect(forCode.body.decision).toBe('ALLOW');
    expect(forCode.body.matched[0]!.rule_def).toMatchObject({ agent_id: codeBot });
    const forRefunds = await t.api(t.op).answer('evaluateGuardrails', { body: { action: { tool: 'deploy.run' }, agent_id: refundBot, policies } });
    expect(forRefunds.body.decision).toBe('ALERT');
    const unknown = await t.raw('POST', '/v1/guardrails/evaluate', { key: t.op, body: {
      action: { tool: 'deploy.run' },
      policies: [{ rules: [{ tool: 'x', decision: 'ALERT' }] }, { rules: [{ tool: 'deploy.run', agent: 'cod-bot', decision: 'ALLOW' }] }],
    } });
    expect(unknown.status).toBe(400);
    expect(errorBody(unknown.body).error.param).toBe('policies[1].rules[0].agent');
    expect(errorBody(unknown.body).error.message).toContain('code-bot');
  });

  it('warden policy export writes names, not ids; apply of that file is no change; apply accepts names', async () => {
    const env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
    const exported = await cli(['policy', 'export'], { env });
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(refundBot);
    const doc = parse(exported.stdout);
    const policy = doc.guardrails.find((g: { name: string }) => g.name === 'refunds-by-name');
    expect(policy.rules).toEqual([{ tool: 'order.refund', agent: 'refunds-v2', decision: 'ALLOW' }]);

    const file = join(dir, 'policies.yaml');
    writeFileSync(file, exported.stdout);
    const again = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 changes');

    policy.rules.push({ tool: 'order.cancel', agent: 'code-bot', decision: 'BLOCK' });
    writeFileSync(file, stringify(doc));
    const applied = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(applied.code).toBe(0);
    const read = (await t.api(t.op).answer('getGuardrail', { params: { id: policyId } })).body;
    expect(read.version).toBe(2);
    expect(read.rules[1]).toEqual({ tool: 'order.cancel', agent_id: codeBot, agent: 'code-bot', decision: 'BLOCK' });

    policy.rules[1].agent = 'no-such-agent';
    writeFileSync(file, stringify(doc));
    const bad = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rules[1].agent');
  });
});
