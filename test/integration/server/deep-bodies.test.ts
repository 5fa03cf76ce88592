/**
 * Deeply nested bodies are refused by the body parser, before validation: thousands of
 * `{"not": …}` where a guard goes used to overflow zod's recursion and answer 500. Guards under
 * the body limit still meet the guard depth limit, with a param short enough to read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let guardrailId: string;
let agentKey: string;

beforeAll(async () => {
  t = await startTestApp();
  agentKey = (await t.agent('deep-agent')).key;
  const res = await t.api(t.op).answer('createGuardrail', { body: { name: 'shallow', rules: [{ tool: '*', decision: 'ALLOW' }] } });
  guardrailId = res.body.id;
});
afterAll(async () => {
  await t.close();
});

const nots = (n: number): unknown => {
  let g: unknown = '$.args.x == 1';
  for (let i = 0; i < n; i++) g = { not: g };
  return g;
};
const nested = (n: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
// JSON.stringify recurses too; build the deepest bodies as text.
const deepNotsText = (n: number) => '{"not":'.repeat(n) + '"$.args.x == 1"' + '}'.repeat(n);

describe('bodies nested too deeply', () => {
  it.each([
    ['POST', '/v1/guardrails', (deep: string) => `{"name":"deep-one","rules":[{"decision":"ALLOW","expr":${deep}}]}`],
    ['PATCH', '/v1/guardrails/:id', (deep: string) => `{"rules":[{"decision":"ALLOW","expr":${deep}}]}`],
    ['POST', '/v1/guardrails/evaluate', (deep: string) => `{"action":{"tool":"x"},"policies":[{"rules":[{"decision":"ALLOW","expr":${deep}}]}]}`],
    ['POST', '/v1/evaluate', (deep: string) => `{"action":{"tool":"x","args":{"a":${deep}}}}`],
  ])('%s %s with 3,000 and 5,000 levels in the guard → 400 invalid_parameter', async (method, route, wrap) => {
    for (const levels of [3000, 5000]) {
      const res = await t.raw(method, route.replace(':id', guardrailId), { key: t.op, rawBody: wrap(deepNotsText(levels)), headers: { 'content-type': 'application/json' } });
      expect(res.status, `${levels} levels`).toBe(400);
      expect(errorBody(res.body).error).toEqual({ code: 'invalid_parameter', message: 'the body nests deeper than 64 levels of objects and arrays' });
    }
  });

  it('an agent posting a deep action gets the same 400, and nothing is recorded', async () => {
    const before = (await t.api(t.op).answer('verifyAudit')).body.rows;
    const res = await t.raw('POST', '/v1/actions', { key: agentKey, rawBody: `{"tool":"x","args":{"a":${deepNotsText(5000)}}}`, headers: { 'content-type': 'application/json' } });
    expect([res.status, errorBody(res.body).error.code]).toEqual([400, 'invalid_parameter']);
    expect((await t.api(t.op).answer('verifyAudit')).body.rows).toBe(before);
  });

  it('64 levels pass the parser; 65 do not', async () => {
    // body → action → args is 3 levels; the args nest the rest.
    const at = (levels: number) => t.raw('POST', '/v1/evaluate', { key: t.op, body: { action: { tool: 'x', args: nested(levels - 3) } } });
    expect((await at(64)).status).toBe(200);
    const over = await at(65);
    expect([over.status, errorBody(over.body).error.code]).toEqual([400, 'invalid_parameter']);
  });

  it('a guard past its own depth limit is 400 naming a short param', async () => {
    const res = await t.raw('POST', '/v1/guardrails', { key: t.op, body: { name: 'deep-two', rules: [{ decision: 'ALLOW', expr: nots(40) }] } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.code).toBe('invalid_parameter');
    expect(errorBody(res.body).error.message).toMatch(/guards nest deeper than 32 levels/);
    expect(errorBody(res.body).error.param).toBe('rules[0].expr.not.not.not.not.not');
  });

  it('the server is healthy afterwards', async () => {
    expect((await t.api().answer('health')).body.ok).toBe(true);
    expect((await t.api(t.op).answer('getGuardrail', { params: { id: guardrailId } })).body.version).toBe(1);
  });
});
