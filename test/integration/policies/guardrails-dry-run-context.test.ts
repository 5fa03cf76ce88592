/**
 * `POST /v1/guardrails/evaluate` must read `$.context` exactly as a real action does: a dry run
 * that answers differently from `POST /v1/evaluate` would tell an operator a rule works when it
 * does not (or the reverse).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let agentId: string;

beforeAll(async () => {
  t = await startTestApp();
  agentId = (await t.agent('mission-agent')).id;
  await t.api(t.op).answer('updateGovernanceSettings', { body: { unmatched_decision: 'BLOCK' } });
  const res = await t.api(t.op).answer('createGuardrail', { body: { name: 'mission-one', rules: [{ tool: 'deploy.run', expr: '$.context.mission_id == "m1"', decision: 'ALLOW' }] } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
});
afterAll(async () => {
  await t.close();
});

describe('guardrails dry run and $.context', () => {
  it.each([
    ['m1', 'ALLOW'],
    ['m2', 'BLOCK'],
    [undefined, 'BLOCK'],
  ])('mission %s: /v1/guardrails/evaluate decides %s, like /v1/evaluate', async (mission, expected) => {
    const action = { tool: 'deploy.run', ...(mission ? { mission_id: mission } : {}) };
    const dry = await t.api(t.op).answer('evaluateGuardrails', { body: { action, agent_id: agentId } });
    const full = await t.api(t.op).answer('evaluate', { body: { action, agent_id: agentId } });
    expect([dry.status, full.status]).toEqual([200, 200]);
    expect(dry.body.decision).toBe(expected);
    expect(full.body.decision).toBe(expected);
    expect(dry.body.matched).toEqual(full.body.matched);
  });
});
