/**
 * The product's invariants on grants, over random inputs: grants with nested object and array
 * patterns, expiries around `now`, amount scopes, and gated categories, BLOCK and `always_ask`
 * rules next to them.
 *
 * - a grant covers exactly what its pattern says (checked against `isDeepStrictEqual` as oracle);
 * - a grant is live strictly before its expiry, and never once revoked or unreadable;
 * - a grant never lifts a BLOCK, an `always_ask` ALERT or a settings-required ALERT;
 * - where a grant may lift, the action is allowed exactly when a live grant of the agent covers it.
 */
import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/core/evaluate.js';
import { argsMatch, findGrant, grantLive } from '../../../shared/core/grants.js';
import type { ActionInput, GrantState, GuardrailRule } from '../../../shared/core/types.js';
import { NOW, agentCtx, policy, snapshot } from './snapshot.js';

const KEYS = ['a', 'b', 'c'] as const;
/** JSON values from a small domain, so equal and almost-equal values both come up often. */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(1, 2, 'x', 'y', null, true, false),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));
const argsArb = fc.dictionary(fc.constantFrom(...KEYS), json, { maxKeys: 3, noNullPrototype: true });

/** A copy of `v` with one leaf somewhere inside it changed (or an item/key added), so it differs. */
function perturb(v: unknown, pick: number): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0 || pick % 4 === 0) return [...v, 1];
    const i = pick % v.length;
    return v.map((x, j) => (j === i ? perturb(x, Math.floor(pick / 3)) : x));
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0 || pick % 4 === 0) return { ...v, extra: 1 };
    const k = keys[pick % keys.length]!;
    return { ...v, [k]: perturb((v as Record<string, unknown>)[k], Math.floor(pick / 3)) };
  }
  return v === 1 ? 2 : 1;
}

/** The oracle: every key of the pattern is present and deeply, strictly equal. */
const covers = (pattern: Record<string, unknown>, args: Record<string, unknown>) =>
  Object.keys(pattern).every((k) => Object.prototype.hasOwnProperty.call(args, k) && isDeepStrictEqual(pattern[k], args[k]));

const iso = (ms: number) => new Date(ms).toISOString();
const expiryArb = fc.oneof(
  fc.constant<string | null>(null),
  fc.integer({ min: -3, max: 3 }).map((d) => iso(NOW + d)),
  fc.integer({ min: -86_400_000, max: 86_400_000 }).map((d) => iso(NOW + d)),
  fc.constantFrom('tomorrow', ''),
);

describe('a grant covers exactly what its pattern says', () => {
  it('exact nested patterns: a match is deep strict equality of every key the pattern names', () => {
    fc.assert(
      fc.property(argsArb, argsArb, (pattern, args) => {
        expect(argsMatch(pattern, args)).toBe(covers(pattern, args));
      }),
      { numRuns: 500 },
    );
  });

  it('a pattern taken from the args covers them, and any change deep inside a named value does not', () => {
    fc.assert(
      fc.property(argsArb, fc.subarray([...KEYS]), fc.nat(), (args, named, pick) => {
        const pattern = Object.fromEntries(named.filter((k) => k in args).map((k) => [k, structuredClone(args[k])]));
        expect(argsMatch(pattern, args)).toBe(true);
        const keys = Object.keys(pattern);
        if (keys.length === 0) return;
        const k = keys[pick % keys.length]!;
        const changed = { ...args, [k]: perturb(args[k], pick) };
        expect(argsMatch(pattern, changed)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('string globs in a pattern', () => {
  const GLOBS = ['*', 'a*', '*b', 'a*b', 'a**b', 'a', 'ab', 'src/*', '*/etc'];
  const STRINGS = ['', 'a', 'b', 'ab', 'axb', 'ba', 'a*b', '*', 'src/x', 'src/../etc', 'src/./x', '/etc'];
  /** The oracle: `*` is any run of characters, every other character itself. */
  const globRe = (g: string) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 's');

  it('a top-level string with * is a glob (on the resolved path for a path argument); nested, * is a plain character', () => {
    fc.assert(
      fc.property(fc.constantFrom('name', 'path', 'file_path'), fc.constantFrom(...GLOBS), fc.oneof(fc.constantFrom(...STRINGS), json), fc.boolean(), (key, glob, got, nested) => {
        const pattern = nested ? { [key]: { v: glob } } : { [key]: glob };
        const args = nested ? { [key]: { v: got } } : { [key]: got };
        const isPath = key !== 'name';
        const expected = nested
          ? isDeepStrictEqual(glob, got)
          : glob.includes('*')
            ? typeof got === 'string' && globRe(glob).test(isPath ? posix.normalize(got) : got)
            : glob === got;
        expect(argsMatch(pattern, args)).toBe(expected);
      }),
      { numRuns: 800 },
    );
  });
});

describe('expiry around now', () => {
  it('live exactly when not revoked and the expiry is absent or strictly after now', () => {
    fc.assert(
      fc.property(expiryArb, fc.boolean(), fc.integer({ min: -5, max: 5 }), (expires_at, revoked, shift) => {
        const now = NOW + shift;
        const g: GrantState = { id: 'gnt_1', agent_id: 'agt_test', tool: 't', connector: null, args_pattern: null, max_value: null, expires_at, revoked_at: revoked ? iso(NOW) : null };
        const at = expires_at === null ? Number.POSITIVE_INFINITY : Date.parse(expires_at);
        const expected = !revoked && (expires_at === null || (!Number.isNaN(at) && at > now));
        expect(grantLive(g, now)).toBe(expected);
        expect(findGrant([g], 'agt_test', { tool: 't' }, now) !== null).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

// ─── Grants next to BLOCK rules, always_ask rules and gated categories ─────────────────────────

const TOOLS = ['order.refund', 'email.send', 'fs.write', 'db.drop'] as const;
const CATEGORIES = ['external_comm', 'financial', 'public_writes'] as const;

const grantArb: fc.Arbitrary<GrantState> = fc.record({
  id: fc.constantFrom('gnt_1', 'gnt_2', 'gnt_3'),
  agent_id: fc.constantFrom('agt_test', 'agt_other'),
  tool: fc.constantFrom(...TOOLS),
  connector: fc.constantFrom(null, 'cn_a'),
  args_pattern: fc.option(argsArb, { nil: null }),
  max_value: fc.constantFrom(null, 50, 100),
  expires_at: expiryArb,
  revoked_at: fc.constantFrom(null, null, null, iso(NOW - 1000)),
});

const actionArb: fc.Arbitrary<ActionInput> = fc
  .record({
    tool: fc.constantFrom(...TOOLS),
    connector: fc.constantFrom(undefined, 'cn_a', 'cn_b'),
    value: fc.constantFrom(undefined, 0, 50, 75, 100, 150),
    args: argsArb,
    categories: fc.subarray([...CATEGORIES]),
  })
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as ActionInput);

/** Rules: every tool asks (liftable) unless one of the random rules says otherwise. */
const ruleArb: fc.Arbitrary<GuardrailRule> = fc.oneof(
  fc.record({ tool: fc.constantFrom(...TOOLS), decision: fc.constant<'BLOCK'>('BLOCK') }),
  fc.record({ tool: fc.constantFrom(...TOOLS), decision: fc.constant<'ALERT'>('ALERT'), always_ask: fc.constant(true) }),
  fc.record({ tool: fc.constantFrom(...TOOLS), decision: fc.constant<'ALLOW'>('ALLOW') }),
  fc.record({ tool: fc.constantFrom(...TOOLS), decision: fc.constant<'ALLOW'>('ALLOW'), max_value: fc.constant(100) }),
);

const worldArb = fc.record({
  action: actionArb,
  grants: fc.array(grantArb, { maxLength: 5 }),
  rules: fc.array(ruleArb, { maxLength: 3 }),
  gate_external: fc.boolean(),
  gate_financial: fc.boolean(),
  tool_categories: fc.constantFrom<Record<string, string[]> | undefined>(undefined, { 'email.send': ['external_comm'] }, { 'order.refund': ['financial'] }),
});

describe('grants next to BLOCK, always_ask and gated categories', () => {
  it('a grant never lifts a BLOCK, an always_ask ALERT or a settings ALERT; otherwise it allows exactly what a live grant covers', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const policies = [policy('base', [{ tool: '*', decision: 'ALERT' }]), policy('random', w.rules)];
        const settings = { require_approval_for_external_comm: w.gate_external, category_flags: { financial: w.gate_financial } };
        const base = { policies, settings, agent: agentCtx(), ...(w.tool_categories ? { tool_categories: w.tool_categories } : {}) };
        const without = evaluate(w.action, snapshot({ ...base, grants: [] }));
        const withGrants = evaluate(w.action, snapshot({ ...base, grants: w.grants }));

        const categories = new Set([...(w.action.categories ?? []), ...(w.tool_categories?.[w.action.tool] ?? [])]);
        const gated = (w.gate_external && categories.has('external_comm')) || (w.gate_financial && categories.has('financial'));
        const applies = (r: GuardrailRule) => r.tool === w.action.tool;
        const blockRule = w.rules.some((r) => applies(r) && r.decision === 'BLOCK');
        const alwaysAsk = w.rules.some((r) => applies(r) && r.decision === 'ALERT' && r.always_ask === true);
        const ceilingFails = w.rules.some((r) => applies(r) && r.max_value !== undefined && !(typeof w.action.value === 'number' && w.action.value <= r.max_value));

        if (without.decision === 'BLOCK') {
          // Never lifted: the same BLOCK, for the same reason.
          expect(withGrants).toMatchObject({ decision: 'BLOCK', block_code: without.block_code, grant_id: null, grantable: false });
          expect(blockRule || ceilingFails).toBe(true);
          return;
        }
        expect(blockRule || ceilingFails).toBe(false);
        if (gated || alwaysAsk) {
          // Asks every time: no grant lifts it, and the inbox offers no Allow always.
          expect(withGrants).toMatchObject({ decision: 'ALERT', grant_id: null, grantable: false });
          return;
        }
        // The base rule asks (an ALERT outranks any ALLOW rule): a grant may lift it.
        expect(without).toMatchObject({ decision: 'ALERT', grantable: true });
        const live = w.grants.find(
          (g) =>
            g.agent_id === 'agt_test' &&
            g.tool === w.action.tool &&
            g.revoked_at === null &&
            (g.expires_at === null || Date.parse(g.expires_at) > NOW) &&
            (g.connector === null || g.connector === w.action.connector) &&
            (g.max_value === null || (typeof w.action.value === 'number' && w.action.value <= g.max_value)) &&
            (g.args_pattern === null || covers(g.args_pattern, w.action.args ?? {})),
        );
        if (live) expect(withGrants).toMatchObject({ decision: 'ALLOW', grant_id: live.id, grantable: false });
        else expect(withGrants).toMatchObject({ decision: 'ALERT', grant_id: null, grantable: true });
      }),
      { numRuns: 500 },
    );
  });
});
