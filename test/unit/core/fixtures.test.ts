import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/core/evaluate.js';
import { agentCtx, snapshot } from './snapshot.js';
import { fixtureAgentId, loadFixtures, matchedIds } from './fixtures.js';

const fixtures = loadFixtures();

it('finds the golden fixtures', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(8);
});

describe.each(fixtures)('golden fixture $file (pure core)', (fx) => {
  it.each(fx.cases)('$name', (c) => {
    const role = c.agent ? (fx.agents?.[c.agent]?.role ?? null) : null;
    const baseAgent = c.agent ? agentCtx({ id: fixtureAgentId(c.agent), name: c.agent, role }) : fx.http === false ? agentCtx({ id: 'agt_fixture' }) : null;
    const { agent: agentOver, settings: settingsOver, ...state } = c.state ?? {};
    const s = snapshot({
      policies: fx.policies.map((p) => ({ status: 'active' as const, ...p })),
      settings: { ...fx.settings, ...settingsOver },
      tool_policies: (fx.tool_policies ?? []).map((t) => ({ restrictions: {}, ...t })),
      role_overrides: fx.role_overrides ?? [],
      agent: baseAgent ? { ...baseAgent, ...agentOver } : null,
      ...state,
    });
    const d = evaluate(c.action, s);
    expect({ decision: d.decision, block_code: d.block_code, matched: matchedIds(d) }).toEqual({ decision: c.decision, block_code: c.block_code, matched: c.matched });
    if (c.explanation !== undefined) expect(d.explanation).toBe(c.explanation);
    if (c.grantable !== undefined) expect(d.grantable).toBe(c.grantable);
  });
});
