/**
 * The golden policy fixtures (test/fixtures/policies) as ONE table run against every entry point
 * that asks the core for a decision, with the same expectations:
 *
 * - `core`: the pure core on the fixture's snapshot;
 * - `POST /v1/guardrails/evaluate`: the policy dry run, the fixture's policies sent as hypothetical;
 * - `POST /v1/evaluate`: the decision dry run, on the fixture's policies stored in a real Warden;
 * - `POST /v1/actions`: the real, recorded decision on those same stored policies.
 *
 * Fixtures marked `http: false` need state layers (kill-switch, budgets, quota, grants) put in
 * the snapshot directly: they run against the core only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/core/evaluate.js';
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/** A route's body as the contract types it: fixture JSON is cast to it once, at the call. */
type Body<N extends keyof Routes> = RouteInput<Routes[N]> extends { body: infer B } ? B : never;
import { coreSnapshot, fixtureAgentId, loadFixtures, matchedIds, type Fixture, type FixtureCase } from '../../unit/core/fixtures.js';

const ENTRY_POINTS = ['core', 'POST /v1/guardrails/evaluate', 'POST /v1/evaluate', 'POST /v1/actions'] as const;
type EntryPoint = (typeof ENTRY_POINTS)[number];

/** What every entry point answers, compared with the fixture's expectation. */
interface Answer {
  decision: string;
  block_code: string | null;
  matched: { policy_id: string }[];
  explanation: string;
  grantable: boolean;
}

/** The Warden a fixture's HTTP cases run against: its policies stored, its agents created. */
class FixtureWarden {
  /** Fixture agent key → real agent id; `''` is the agent that submits the cases naming none. */
  readonly agentIds = new Map<string, string>();
  /** Real guardrail id → the fixture's policy id. */
  private readonly policyIds = new Map<string, string>();

  private constructor(
    readonly t: TestApp,
    readonly fx: Fixture,
  ) {}

  static async start(fx: Fixture): Promise<FixtureWarden> {
    const w = new FixtureWarden(await startTestApp({ rateLimit: false }), fx);
    await w.store();
    return w;
  }

  /** The operator's typed client: a refused request throws with the server's error. */
  private get api() {
    return this.t.api(this.t.op);
  }

  /** Swaps fixture agent ids for the real ones, in rules and anywhere else. */
  realIds<T>(value: T): T {
    let json = JSON.stringify(value);
    for (const [key, id] of this.agentIds) if (key) json = json.split(fixtureAgentId(key)).join(id);
    return JSON.parse(json) as T;
  }

  private async store(): Promise<void> {
    const { fx } = this;
    for (const [key, a] of Object.entries(fx.agents ?? {})) {
      this.agentIds.set(key, (await this.t.agent(`fixture-${key}`, a.role ? { role: a.role } : {})).id);
    }
    this.agentIds.set('', (await this.t.agent('fixture-no-agent')).id);
    if (fx.settings) await this.api.call('updateGovernanceSettings', { body: fx.settings as Body<'updateGovernanceSettings'> });
    // Tool policies and overrides name declared tools (declared without categories).
    for (const name of new Set([...(fx.tool_policies ?? []), ...(fx.role_overrides ?? [])].map((x) => x.tool_name))) {
      await this.api.call('createTool', { body: { name } });
    }
    for (const tp of fx.tool_policies ?? []) {
      await this.api.call('createToolPolicy', { body: { tool_name: tp.tool_name, allowed: tp.allowed, ...(tp.restrictions ? { restrictions: tp.restrictions } : {}) } as Body<'createToolPolicy'> });
    }
    for (const o of fx.role_overrides ?? []) await this.api.call('createRoleOverride', { body: { role: o.role, tool_name: o.tool_name, allowed: o.allowed } });
    for (const p of fx.policies) {
      const rules = this.realIds(p.rules);
      // Stored at the fixture's version (explanations quote it): earlier versions hold a stand-in rule.
      const standIn = (v: number) => [{ tool: `fixture.version-${v}`, decision: 'ALLOW' }];
      const created = await this.api.call('createGuardrail', { body: { name: p.name, rules: p.version > 1 ? standIn(1) : rules } as Body<'createGuardrail'> });
      for (let v = 2; v <= p.version; v++) await this.api.call('updateGuardrail', { params: { id: created.id }, body: { rules: v === p.version ? rules : standIn(v) } as Body<'updateGuardrail'> });
      if (p.status && p.status !== 'active') await this.api.call('updateGuardrail', { params: { id: created.id }, body: { status: p.status } as Body<'updateGuardrail'> });
      this.policyIds.set(created.id, p.id);
    }
  }

  /** The answer with stored policy ids read as the fixture's. */
  fixtureIds(answer: Answer): Answer {
    return { ...answer, matched: answer.matched.map((m) => ({ ...m, policy_id: this.policyIds.get(m.policy_id) ?? m.policy_id })) };
  }

  async guardrailsEvaluate(c: FixtureCase): Promise<Answer> {
    const { fx } = this;
    const body = this.realIds({
      action: c.action,
      ...(c.agent ? { agent_id: fixtureAgentId(c.agent) } : {}),
      policies: fx.policies,
      settings: fx.settings ?? {},
      tool_policies: fx.tool_policies ?? [],
      role_overrides: fx.role_overrides ?? [],
    });
    return this.api.call('evaluateGuardrails', { body: body as Body<'evaluateGuardrails'> });
  }

  async evaluate(c: FixtureCase): Promise<Answer> {
    const body = this.realIds({ action: c.action, ...(c.agent ? { agent_id: fixtureAgentId(c.agent) } : {}) });
    return this.fixtureIds(await this.api.call('evaluate', { body: body as Body<'evaluate'> }));
  }

  async act(c: FixtureCase): Promise<Answer> {
    const action = await this.api.call('createAction', { body: { ...this.realIds(c.action), agent_id: this.agentIds.get(c.agent ?? '') } as Body<'createAction'> });
    // An allowed action holds a concurrency slot until completed: give it back for the next case.
    if (action.status === 'allowed') await this.api.call('completeAction', { params: { id: action.id }, body: { outcome: 'succeeded' } });
    return this.fixtureIds(action);
  }
}

const fixtures = loadFixtures();

/** The entry points a case runs through. */
const entryPointsOf = (fx: Fixture, c: FixtureCase): readonly EntryPoint[] =>
  fx.http === false || c.state ? ['core'] : ENTRY_POINTS;

describe.each(fixtures)('golden fixture $file', (fx) => {
  let warden: FixtureWarden | null = null;
  beforeAll(async () => {
    if (fx.http !== false) warden = await FixtureWarden.start(fx);
  });
  afterAll(async () => {
    await warden?.t.close();
  });

  const table = fx.cases.flatMap((c) => entryPointsOf(fx, c).map((entry) => ({ ...c, entry })));
  it.each(table)('$name ($entry)', async ({ entry, ...c }) => {
    let answer: Answer;
    if (entry === 'core') answer = evaluate(c.action, coreSnapshot(fx, c));
    else if (entry === 'POST /v1/guardrails/evaluate') answer = await warden!.guardrailsEvaluate(c);
    else if (entry === 'POST /v1/evaluate') answer = await warden!.evaluate(c);
    else answer = await warden!.act(c);
    expect({ decision: answer.decision, block_code: answer.block_code, matched: matchedIds(answer) }).toEqual({
      decision: c.decision,
      block_code: c.block_code,
      matched: c.matched,
    });
    if (c.explanation !== undefined) expect(answer.explanation).toBe(c.explanation);
    if (c.grantable !== undefined) expect(answer.grantable).toBe(c.grantable);
  });
});
