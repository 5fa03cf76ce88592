import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { fixtureAgentId, loadFixtures, matchedIds } from '../../unit/core/fixtures.js';

const fixtures = loadFixtures().filter((f) => f.http !== false);
let t: TestApp;
const agentIds = new Map<string, string>();

beforeAll(async () => {
  t = await startTestApp();
  const roles = new Map<string, string | undefined>();
  for (const f of fixtures) for (const [key, a] of Object.entries(f.agents ?? {})) roles.set(key, a.role);
  for (const [key, role] of roles) {
    const created = await t.agent(`fixture-${key}`, role ? { role } : {});
    agentIds.set(key, created.id);
  }
});
afterAll(async () => {
  await t.close();
});

/** Swaps fixture agent ids for the real ones, in rules and anywhere else. */
function realIds<T>(value: T): T {
  let json = JSON.stringify(value);
  for (const [key, id] of agentIds) json = json.split(fixtureAgentId(key)).join(id);
  return JSON.parse(json) as T;
}

describe.each(fixtures)('golden fixture $file (POST /v1/guardrails/evaluate)', (fx) => {
  it.each(fx.cases)('$name', async (c) => {
    const body = realIds({
      action: c.action,
      ...(c.agent ? { agent_id: fixtureAgentId(c.agent) } : {}),
      policies: fx.policies,
      settings: fx.settings ?? {},
      tool_policies: fx.tool_policies ?? [],
      role_overrides: fx.role_overrides ?? [],
    });
    const res = await t.api(t.op).answer('evaluateGuardrails', { body });
    expect(res.status).toBe(200);
    expect({ decision: res.body.decision, block_code: res.body.block_code, matched: matchedIds(res.body) }).toEqual({
      decision: c.decision,
      block_code: c.block_code,
      matched: c.matched,
    });
    if (c.explanation !== undefined) expect(res.body.explanation).toBe(c.explanation);
    if (c.grantable !== undefined) expect(res.body.grantable).toBe(c.grantable);
  });
});
