/**
 * The guardrails layer rule by rule (shared/core/guardrails.ts): which rules are candidates,
 * which matchers must fit, and how BLOCK, failed ceilings, always_ask, ALERT and ALLOW combine.
 */
import { describe, expect, it } from 'vitest';
import { candidateRules, compileGuardrails, evaluateGuardrails } from '../../../shared/core/guardrails.js';
import type { ActionInput, GuardrailPolicy, GuardrailRule } from '../../../shared/core/types.js';
import { agentCtx, policy } from './snapshot.js';

const decide = (policies: GuardrailPolicy[], action: ActionInput, opts: { role?: string | null; agentId?: string; unmatched?: 'ALERT' | 'BLOCK'; context?: Record<string, unknown> } = {}) =>
  evaluateGuardrails(compileGuardrails(policies), action, agentCtx({ role: opts.role ?? null, id: opts.agentId ?? 'agt_test' }), opts.context, opts.unmatched ?? 'ALERT');
const one = (rule: GuardrailRule) => [policy('p', [rule])];
const names = (policies: GuardrailPolicy[], tool: string, connector?: string) =>
  candidateRules(compileGuardrails(policies).index!, tool, connector).map((r) => `${r.policy_name}:${r.rule_index}`);

describe('candidate rules', () => {
  it('a prefix rule covers the bare prefix and anything after it, nothing shorter or different', () => {
    const p = [policy('a', [{ tool: 'fs.write*', decision: 'ALERT' }])];
    expect(names(p, 'fs.write')).toEqual(['a:0']);
    expect(names(p, 'fs.writeFile')).toEqual(['a:0']);
    expect(names(p, 'fs.writ')).toEqual([]);
    expect(names(p, 'fs.read')).toEqual([]);
  });

  it('prefixes of several lengths all apply, shortest first in the lookup, rule order in the result', () => {
    const p = [policy('a', [{ tool: 'fs.write.*', decision: 'ALERT' }, { tool: 'fs.*', decision: 'ALLOW' }, { tool: 'f*', decision: 'ALLOW' }])];
    expect(names(p, 'fs.write.x')).toEqual(['a:0', 'a:1', 'a:2']);
    expect(names(p, 'fs.read')).toEqual(['a:1', 'a:2']);
  });

  it('a rule without a connector applies to every connector; one with a connector only to it', () => {
    const p = [policy('a', [{ tool: 't', connector: 'cn_a', decision: 'ALERT' }, { tool: 't', decision: 'ALLOW' }])];
    expect(names(p, 't', 'cn_a')).toEqual(['a:0', 'a:1']);
    expect(names(p, 't', 'cn_b')).toEqual(['a:1']);
    expect(names(p, 't')).toEqual(['a:1']);
    expect(names(p, 't', '')).toEqual(['a:1']);
  });

  it('candidates from several buckets come back in policy-then-rule order', () => {
    const p = [policy('a', [{ decision: 'ALERT' }, { tool: 't*', decision: 'ALLOW' }]), policy('b', [{ tool: 't', decision: 'ALLOW' }, { tool: '*', decision: 'ALERT' }, { tool: '*t', decision: 'ALERT' }])];
    expect(names(p, 't')).toEqual(['a:0', 'a:1', 'b:0', 'b:1', 'b:2']);
  });

  it('one bucket alone is returned as it is; an empty world has no candidates', () => {
    expect(names([policy('a', [{ tool: 't', decision: 'ALLOW' }, { tool: 't', decision: 'ALERT' }])], 't')).toEqual(['a:0', 'a:1']);
    expect(names([], 't')).toEqual([]);
    expect(names([policy('a', [{ tool: 'u', decision: 'ALLOW' }])], 't')).toEqual([]);
  });

  it('a glob with a star inside is matched as a glob, not as a prefix', () => {
    expect(decide([policy('a', [{ tool: 'a*c*', decision: 'BLOCK' }])], { tool: 'abcd' }).verdict).toBe('BLOCK');
    const p = [policy('a', [{ tool: 'fs.*.x', decision: 'BLOCK' }])];
    expect(decide(p, { tool: 'fs.a.x' }).verdict).toBe('BLOCK');
    expect(decide(p, { tool: 'fs.a.y' }).unmatched).toBe(true);
    expect(decide([policy('a', [{ tool: '*', decision: 'BLOCK' }])], { tool: 'anything' }).verdict).toBe('BLOCK');
  });

  it('only active policies count', () => {
    const compiled = compileGuardrails([policy('on', [{ decision: 'ALLOW' }]), policy('off', [{ decision: 'BLOCK' }], { status: 'disabled' })]);
    expect(compiled.policies.map((p) => p.name)).toEqual(['on']);
    expect(compiled.index!.rule_count).toBe(1);
  });
});

describe('matchers', () => {
  it('agent_id and role must fit the asking agent', () => {
    expect(decide(one({ agent_id: 'agt_test', decision: 'BLOCK' }), { tool: 't' }).verdict).toBe('BLOCK');
    expect(decide(one({ agent_id: 'agt_other', decision: 'BLOCK' }), { tool: 't' }).unmatched).toBe(true);
    expect(decide(one({ role: 'dev', decision: 'BLOCK' }), { tool: 't' }, { role: 'dev' }).verdict).toBe('BLOCK');
    expect(decide(one({ role: 'dev', decision: 'BLOCK' }), { tool: 't' }, { role: 'ops' }).unmatched).toBe(true);
    expect(decide(one({ role: 'dev', decision: 'BLOCK' }), { tool: 't' }).unmatched).toBe(true);
  });

  it('a connector rule in the any bucket still checks the connector', () => {
    expect(decide(one({ connector: 'cn_a', decision: 'BLOCK' }), { tool: 't', connector: 'cn_b' }).unmatched).toBe(true);
    expect(decide(one({ connector: 'cn_a', decision: 'BLOCK' }), { tool: 't', connector: 'cn_a' }).verdict).toBe('BLOCK');
  });

  it('a guard decides with the args and the context', () => {
    const rule: GuardrailRule = { tool: 't', expr: '$.args.n > 5', decision: 'BLOCK' };
    expect(decide(one(rule), { tool: 't', args: { n: 6 } }).verdict).toBe('BLOCK');
    expect(decide(one(rule), { tool: 't', args: { n: 5 } }).unmatched).toBe(true);
    expect(decide(one(rule), { tool: 't' }).unmatched).toBe(true);
    const ctx: GuardrailRule = { tool: 't', expr: '$.context.env == "prod"', decision: 'BLOCK' };
    expect(decide(one(ctx), { tool: 't' }, { context: { env: 'prod' } }).verdict).toBe('BLOCK');
    expect(decide(one(ctx), { tool: 't' }).unmatched).toBe(true);
  });

  it('a rule whose guard does not compile throws for the actions it could apply to only', () => {
    const p = [policy('bad', [{ tool: 't', expr: 'nope nope', decision: 'ALLOW' }])];
    expect(() => decide(p, { tool: 't' })).toThrow();
    expect(decide(p, { tool: 'u' }).unmatched).toBe(true);
    expect(compileGuardrails(p).index!.exact.get('t')?.get('')?.[0]?.error).toEqual(expect.any(String));
  });
});

describe('combining matched rules', () => {
  it('a failed ceiling blocks over ALERT, ALLOW and BLOCK rules, and the first failed one is named', () => {
    const p = [policy('c', [{ tool: 't', decision: 'ALLOW', max_value: 10 }, { tool: 't', decision: 'ALERT', max_value: 5 }, { tool: 't', decision: 'ALERT' }])];
    const o = decide(p, { tool: 't', value: 11 });
    expect(o).toMatchObject({ verdict: 'BLOCK', block_code: 'constraint_failed', always_ask: false, unmatched: false });
    expect(o.matched.map((m) => m.constraint_failed)).toEqual(['max_value', 'max_value', undefined]);
  });

  it('a ceiling holds at its value and fails above it or without a value', () => {
    const p = one({ tool: 't', decision: 'ALLOW', max_value: 10 });
    expect(decide(p, { tool: 't', value: 10 }).verdict).toBe('ALLOW');
    expect(decide(p, { tool: 't', value: 10.5 }).block_code).toBe('constraint_failed');
    expect(decide(p, { tool: 't' }).block_code).toBe('constraint_failed');
    expect(decide(p, { tool: 't', value: Number.NaN }).block_code).toBe('constraint_failed');
    expect(decide(p, { tool: 't' }).matched[0]?.constraint_failed).toBe('max_value');
  });

  it('a rule whose ceiling failed does not also count for its decision', () => {
    const p = [policy('c', [{ tool: 't', decision: 'BLOCK', max_value: 1 }])];
    expect(decide(p, { tool: 't', value: 0 })).toMatchObject({ verdict: 'BLOCK', block_code: 'rule_blocked' });
    expect(decide(p, { tool: 't', value: 2 })).toMatchObject({ verdict: 'BLOCK', block_code: 'constraint_failed' });
  });

  it('BLOCK beats always_ask, which beats ALERT, which beats ALLOW', () => {
    const rules: GuardrailRule[] = [{ tool: 't', decision: 'ALLOW' }, { tool: 't', decision: 'ALERT' }, { tool: 't', decision: 'ALERT', always_ask: true }, { tool: 't', decision: 'BLOCK' }];
    expect(decide([policy('p', rules)], { tool: 't' })).toMatchObject({ verdict: 'BLOCK', block_code: 'rule_blocked', always_ask: false });
    expect(decide([policy('p', rules.slice(0, 3))], { tool: 't' })).toMatchObject({ verdict: 'ALERT', always_ask: true, block_code: null });
    expect(decide([policy('p', rules.slice(0, 2))], { tool: 't' })).toMatchObject({ verdict: 'ALERT', always_ask: false });
    expect(decide([policy('p', rules.slice(0, 1))], { tool: 't' })).toMatchObject({ verdict: 'ALLOW', always_ask: false, unmatched: false });
  });

  it('always_ask counts on ALERT rules only', () => {
    expect(decide(one({ tool: 't', decision: 'ALLOW', always_ask: true }), { tool: 't' })).toMatchObject({ verdict: 'ALLOW', always_ask: false });
    expect(decide(one({ tool: 't', decision: 'ALERT', always_ask: false }), { tool: 't' })).toMatchObject({ verdict: 'ALERT', always_ask: false });
  });

  it('every matched rule is reported, in order, with its decision', () => {
    const o = decide([policy('p', [{ tool: 't', decision: 'ALLOW' }, { tool: 'u', decision: 'BLOCK' }, { decision: 'ALERT' }])], { tool: 't' });
    expect(o.matched.map((m) => [m.rule, m.decision])).toEqual([[0, 'ALLOW'], [2, 'ALERT']]);
  });

  it('no match: the unmatched decision, marked unmatched', () => {
    expect(decide([], { tool: 't' })).toMatchObject({ verdict: 'ALERT', unmatched: true, block_code: null, always_ask: false, matched: [] });
    expect(decide([], { tool: 't' }, { unmatched: 'BLOCK' })).toMatchObject({ verdict: 'BLOCK', unmatched: true, block_code: 'no_matching_rule' });
  });

  it('a hand-built compiled set without an index is indexed on the fly', () => {
    const compiled = { ...compileGuardrails([policy('p', [{ tool: 't', decision: 'BLOCK' }])]), index: undefined };
    expect(evaluateGuardrails(compiled, { tool: 't' }, null, undefined, 'ALERT').verdict).toBe('BLOCK');
  });
});
