/**
 * The product's invariants as properties over random policies, settings, agents, grants and
 * actions. Where an invariant only holds under a condition, the condition is spelled out and
 * the reason given next to it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cautionOf, evaluate } from '../../../shared/core/evaluate.js';
import { compileGuard } from '../../../shared/core/expr.js';
import type { ActionInput, GovernanceSettings, GrantState, GuardrailPolicy, GuardrailRule, Snapshot } from '../../../shared/core/types.js';
import { agentCtx, snapshot } from './snapshot.js';

const TOOLS = ['order.refund', 'fs.read', 'fs.write', 'shell.exec', 'email.send', 'git.push'];
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const ruleArb = (decision?: 'ALLOW' | 'ALERT', withMax = true): fc.Arbitrary<GuardrailRule> =>
  fc
    .record({
      tool: opt(fc.constantFrom(...TOOLS, 'fs.*', '*.exec', '*')),
      connector: opt(fc.constantFrom('cn_a', 'cn_b')),
      role: opt(fc.constantFrom('dev', 'ops')),
      agent_id: opt(fc.constantFrom('agt_test', 'agt_other')),
      expr: opt(fc.constantFrom<GuardrailRule['expr'] & {}>('$.args.n > 5', "$.args.s starts_with 'a'", { not: '$.args.n == 3' }, { any_of: ['$.args.flag == true', '$.context.x == 1'] })),
      max_value: withMax ? opt(fc.constantFrom(10, 100, 1000)) : fc.constant(undefined),
      decision: decision ? fc.constant(decision) : fc.constantFrom<'ALLOW' | 'ALERT'>('ALLOW', 'ALERT'),
    })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as GuardrailRule);

let n = 0;
const policyArb = (rule: fc.Arbitrary<GuardrailRule> = ruleArb()): fc.Arbitrary<GuardrailPolicy> =>
  fc.record({ rules: fc.array(rule, { minLength: 1, maxLength: 4 }), status: fc.constantFrom<'active' | 'disabled'>('active', 'active', 'disabled') }).map((p) => ({
    id: `grd_${++n}`,
    name: `p-${n}`,
    version: 1,
    ...p,
  }));

const actionArb: fc.Arbitrary<ActionInput> = fc
  .record({
    tool: fc.constantFrom(...TOOLS, 'other.tool'),
    connector: opt(fc.constantFrom('cn_a', 'cn_b')),
    value: opt(fc.integer({ min: 0, max: 2000 })),
    args: fc.record({ n: fc.integer({ min: 0, max: 10 }), s: fc.constantFrom('abc', 'xyz', ''), flag: fc.boolean() }),
    categories: fc.subarray(['external_comm', 'public_writes', 'financial']),
  })
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as ActionInput);

const settingsArb: fc.Arbitrary<Partial<GovernanceSettings>> = fc.record({
  unmatched_decision: fc.constantFrom<'ALERT' | 'BLOCK'>('ALERT', 'BLOCK'),
  require_approval_for_external_comm: fc.boolean(),
  category_flags: fc.record({ financial: fc.boolean() }),
});

const grantArb: fc.Arbitrary<GrantState> = fc.record({
  id: fc.constant('gnt_1'),
  agent_id: fc.constantFrom('agt_test', 'agt_other'),
  tool: fc.constantFrom(...TOOLS),
  connector: fc.constantFrom(null, 'cn_a'),
  args_pattern: fc.constantFrom(null, { s: 'a*' }),
  max_value: fc.constant(null),
  expires_at: fc.constant(null),
  revoked_at: fc.constant(null),
});

const worldArb = fc.record({
  settings: settingsArb,
  role: fc.constantFrom(null, 'dev', 'ops'),
  grants: fc.array(grantArb, { maxLength: 2 }),
  context: fc.record({ x: fc.integer({ min: 0, max: 2 }) }),
});
type World = { settings: Partial<GovernanceSettings>; role: string | null; grants: GrantState[]; context: Record<string, unknown> };

const snap = (policies: GuardrailPolicy[], w: World): Snapshot =>
  snapshot({ policies, settings: w.settings, agent: agentCtx({ role: w.role }), grants: w.grants, context: w.context });

const RUNS = { numRuns: 400 };

describe('invariants', () => {
  it('with no policies and no grants nothing runs unasked', () => {
    fc.assert(
      fc.property(actionArb, worldArb, (action, w) => {
        expect(evaluate(action, snap([], { ...w, grants: [] })).decision).not.toBe('ALLOW');
      }),
      RUNS,
    );
  });

  it('with every policy deleted, only a human grant (allow always) can still allow', () => {
    fc.assert(
      fc.property(actionArb, worldArb, (action, w) => {
        const after = evaluate(action, snap([], w));
        if (after.decision === 'ALLOW') expect(after.grant_id).not.toBeNull();
      }),
      RUNS,
    );
  });

  // Deleting a policy holding an ALERT rule can turn that ALERT into another policy's ALLOW, and
  // deleting a ceiling can lift its BLOCK; the invariant is about policies that allow.
  it('deleting or disabling a policy of ALLOW rules never makes a verdict less cautious', () => {
    fc.assert(
      fc.property(fc.array(policyArb(), { maxLength: 4 }), policyArb(ruleArb('ALLOW', false)), actionArb, worldArb, fc.boolean(), (others, target, action, w, disable) => {
        const active = { ...target, status: 'active' as const };
        const before = evaluate(action, snap([...others, active], w));
        const after = evaluate(action, snap(disable ? [...others, { ...active, status: 'disabled' }] : others, w));
        expect(cautionOf(after.decision)).toBeGreaterThanOrEqual(cautionOf(before.decision));
      }),
      RUNS,
    );
  });

  it('deleting or disabling a policy without ceilings never lets a blocked action run', () => {
    fc.assert(
      fc.property(fc.array(policyArb(), { maxLength: 4 }), policyArb(ruleArb(undefined, false)), actionArb, worldArb, fc.boolean(), (others, target, action, w, disable) => {
        const active = { ...target, status: 'active' as const };
        const before = evaluate(action, snap([...others, active], w));
        const after = evaluate(action, snap(disable ? [...others, { ...active, status: 'disabled' }] : others, w));
        if (before.decision === 'BLOCK') expect(after.decision).toBe('BLOCK');
      }),
      RUNS,
    );
  });

  // Under unmatched_decision BLOCK a new ALERT rule deliberately opens a blocked action to
  // approval (BLOCK → ALERT); with the default ALERT it can only tighten.
  it('adding an ALERT rule never makes a verdict less cautious (unmatched_decision ALERT)', () => {
    fc.assert(
      fc.property(fc.array(policyArb(), { maxLength: 4 }), ruleArb('ALERT'), actionArb, worldArb, (policies, rule, action, w) => {
        const world = { ...w, settings: { ...w.settings, unmatched_decision: 'ALERT' as const } };
        const before = evaluate(action, snap(policies, world));
        const added = { id: 'grd_added', name: 'added', version: 1, status: 'active' as const, rules: [rule] };
        const after = evaluate(action, snap([...policies, added], world));
        expect(cautionOf(after.decision)).toBeGreaterThanOrEqual(cautionOf(before.decision));
      }),
      RUNS,
    );
  });

  it('adding a constraint to a rule never makes a verdict less cautious', () => {
    fc.assert(
      fc.property(fc.array(policyArb(), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), fc.constantFrom(10, 100, 1000), actionArb, worldArb, (policies, pi, ri, max, action, w) => {
        const p = policies[pi % policies.length]!;
        const idx = ri % p.rules.length;
        const current = p.rules[idx]!.max_value;
        const tightened = { ...p, rules: p.rules.map((r, i) => (i === idx ? { ...r, max_value: current === undefined ? max : Math.min(current, max) } : r)) };
        const before = evaluate(action, snap(policies, w));
        const after = evaluate(action, snap(policies.map((x) => (x === p ? tightened : x)), w));
        expect(cautionOf(after.decision)).toBeGreaterThanOrEqual(cautionOf(before.decision));
      }),
      RUNS,
    );
  });

  it('a grant never lifts a BLOCK nor a settings ALERT', () => {
    fc.assert(
      fc.property(fc.array(policyArb(), { maxLength: 4 }), actionArb, worldArb, fc.array(grantArb, { minLength: 1, maxLength: 3 }), (policies, action, w, grants) => {
        const without = evaluate(action, snap(policies, { ...w, grants: [] }));
        const withGrants = evaluate(action, snap(policies, { ...w, grants }));
        if (without.decision === 'BLOCK') expect(withGrants.decision).toBe('BLOCK');
        if (without.decision === 'ALERT' && !without.grantable) expect(withGrants.decision).toBe('ALERT');
        if (withGrants.decision === 'ALLOW' && without.decision !== 'ALLOW') expect(withGrants.grant_id).not.toBeNull();
      }),
      RUNS,
    );
  });

  it('evaluation never throws, whatever the action and snapshot hold; errors are BLOCK', () => {
    const junk = fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.record({ tool: fc.oneof(fc.string(), junk), connector: junk, args: junk, value: junk, categories: junk, cost_estimate_micro_usd: junk }, { requiredKeys: [] }),
        fc.array(policyArb(), { maxLength: 3 }),
        fc.record({ budgets: junk, quota: junk, grants: junk, tool_policies: junk, role_overrides: junk, context: junk, agent: junk }, { requiredKeys: [] }),
        (action, policies, broken) => {
          const s = { ...snapshot({ policies }), ...(broken as object) } as Snapshot;
          let d: ReturnType<typeof evaluate> | undefined;
          expect(() => (d = evaluate(action as unknown as ActionInput, s))).not.toThrow();
          expect(['ALLOW', 'ALERT', 'BLOCK']).toContain(d!.decision);
          if (d!.block_code === 'evaluation_error') expect(d!.decision).toBe('BLOCK');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('no agent input makes a compiled guard throw', () => {
    const guards = [compileGuard('$.args.a.b[0].c >= 3'), compileGuard({ any_of: ["$.args.a contains 'x'", { not: '$.context.k starts_with $.args.p' }] })];
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, maxDepth: 4 }), fc.anything({ maxDepth: 3 }), (args, context) => {
        for (const g of guards) expect(typeof g({ args, context })).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
