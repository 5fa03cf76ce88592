/**
 * Guardrails: compile active policies into an index once per change, then
 * decide one action by looking up a handful of buckets.
 *
 * Semantics of the layer: collect every rule of every active policy whose matchers (`tool`,
 * `connector`, `agent_id`, `role`, `expr`) fit the action. Any match whose `max_value`
 * constraint fails, or any matching BLOCK rule → BLOCK. Otherwise any ALERT → ALERT (marked
 * `always_ask` when such a rule matched: no grant lifts it), else any ALLOW → ALLOW. No match →
 * the `unmatched_decision` setting (ALERT asks the operator; BLOCK is the stricter
 * default-closed rule). Nothing runs without a rule or a human either way.
 */
import { compileGuard, ExprError } from './expr.js';
import { globMatch, isGlob } from './glob.js';
import type {
  ActionInput,
  AgentContext,
  CompiledGuardrails,
  CompiledRule,
  GuardEnv,
  GuardrailIndex,
  GuardrailPolicy,
  MatchedRule,
  Verdict,
} from './types.js';

const EMPTY: readonly CompiledRule[] = [];

/**
 * Compiles the active policies among `policies` (disabled ones are skipped): parses every
 * guard once and indexes rules by tool and connector. A rule whose guard does not parse is kept
 * with its `error`, so a decision it could apply to fails closed instead of silently skipping it.
 *
 * @example
 *   const compiled = compileGuardrails([{ id: 'grd_1', name: 'refunds', version: 1, status: 'active',
 *     rules: [{ tool: 'order.refund', decision: 'ALLOW', max_value: 250 }] }]);
 */
export function compileGuardrails(policies: readonly GuardrailPolicy[]): CompiledGuardrails {
  const active = policies.filter((p) => p.status === 'active');
  const exact = new Map<string, Map<string, CompiledRule[]>>();
  const prefix = new Map<string, CompiledRule[]>();
  const any: CompiledRule[] = [];
  let ordinal = 0;
  for (const policy of active) {
    policy.rules.forEach((rule, rule_index) => {
      let guard: CompiledRule['guard'] = null;
      let error: string | null = null;
      if (rule.expr !== undefined) {
        try {
          guard = compileGuard(rule.expr);
        } catch (err) {
          // Stryker disable next-line StringLiteral: the fallback text of an error; any non-null error fails closed
          error = err instanceof ExprError ? err.message : 'invalid expression';
        }
      }
      const tool = rule.tool;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: `*` alone is placed in the any bucket before prefixes are looked at, and a star-less tool never has its only star last
      const prefixGlob = tool !== undefined && tool.length > 1 && tool.endsWith('*') && tool.indexOf('*') === tool.length - 1;
      // Stryker disable next-line ConditionalExpression,StringLiteral: a `*` tool glob would match every tool, as the any bucket without a glob does
      const tool_glob = tool !== undefined && tool !== '*' && isGlob(tool) && !prefixGlob ? tool : null;
      const compiled: CompiledRule = {
        ordinal: ordinal++,
        policy,
        rule_index,
        rule,
        tool_glob,
        guard,
        error,
        connector: rule.connector ?? null,
        agent_id: rule.agent_id ?? null,
        role: rule.role ?? null,
        max_value: rule.max_value ?? null,
        decision: rule.decision,
        // Stryker disable next-line ConditionalExpression: always_ask is only read for ALERT rules
        always_ask: rule.decision === 'ALERT' && rule.always_ask === true,
        policy_id: policy.id,
        policy_name: policy.name,
        policy_version: policy.version,
      };
      if (tool === undefined || tool === '*' || tool_glob) {
        any.push(compiled);
      } else if (prefixGlob) {
        const key = tool.slice(0, -1);
        const bucket = prefix.get(key);
        if (bucket) bucket.push(compiled);
        else prefix.set(key, [compiled]);
      } else {
        let byConnector = exact.get(tool);
        if (!byConnector) exact.set(tool, (byConnector = new Map()));
        const key = rule.connector ?? '';
        const bucket = byConnector.get(key);
        if (bucket) bucket.push(compiled);
        else byConnector.set(key, [compiled]);
      }
    });
  }
  const index: GuardrailIndex = {
    exact,
    prefix,
    prefix_lengths: [...new Set([...prefix.keys()].map((k) => k.length))].sort((a, b) => a - b),
    any,
    rule_count: ordinal,
  };
  // Stryker disable next-line StringLiteral: a type tag nothing reads at run time
  return { kind: 'compiled_guardrails', policies: active, index };
}

/** The rules that could apply to `tool` on `connector`, in policy-then-rule order. */
export function candidateRules(index: GuardrailIndex, tool: string, connector: string | undefined): readonly CompiledRule[] {
  let out: CompiledRule[] | null = null;
  let single: readonly CompiledRule[] = EMPTY;
  const add = (rules: readonly CompiledRule[] | undefined) => {
    // Stryker disable next-line ConditionalExpression: single/out only spare copying one bucket; the result is the same rules sorted by ordinal
    if (!rules || rules.length === 0) return;
    // Stryker disable next-line all: single/out only spare copying one bucket; the result is the same rules sorted by ordinal
    if (single.length === 0 && out === null) {
      single = rules;
      return;
    }
    out ??= [...single];
    for (const r of rules) out.push(r);
  };
  const byConnector = index.exact.get(tool);
  if (byConnector) {
    add(byConnector.get(''));
    // Stryker disable next-line ConditionalExpression: no bucket is keyed by undefined
    if (connector !== undefined && connector !== '') add(byConnector.get(connector));
  }
  for (const len of index.prefix_lengths) {
    // Stryker disable next-line ConditionalExpression: a prefix longer than the tool cannot equal it; the break only stops looking
    if (len > tool.length) break;
    add(index.prefix.get(tool.slice(0, len)));
  }
  add(index.any);
  if (out === null) return single;
  return (out as CompiledRule[]).sort((a, b) => a.ordinal - b.ordinal);
}

export interface GuardrailOutcome {
  verdict: Verdict;
  block_code: 'constraint_failed' | 'rule_blocked' | 'no_matching_rule' | null;
  /** True when no rule matched and `unmatched_decision` decided. */
  unmatched: boolean;
  /** True when the ALERT comes (also) from an `always_ask` rule: no grant may lift it. */
  always_ask: boolean;
  matched: MatchedRule[];
  detail: string;
}

const cite = (p: GuardrailPolicy) => `${p.name} v${p.version}`;

/**
 * Decides the guardrails layer for one action. Throws when a candidate rule could not be
 * compiled; the caller turns any throw into BLOCK `evaluation_error`.
 */
export function evaluateGuardrails(
  compiled: CompiledGuardrails,
  action: ActionInput,
  agent: AgentContext | null,
  context: Record<string, unknown> | undefined,
  unmatchedDecision: 'ALERT' | 'BLOCK',
): GuardrailOutcome {
  const index = compiled.index ?? compileGuardrails(compiled.policies).index!;
  const candidates = candidateRules(index, action.tool, action.connector);
  const matched: MatchedRule[] = [];
  let env: GuardEnv | null = null;
  let failed: { rule: CompiledRule; detail: string } | null = null;
  let blocked: CompiledRule | null = null;
  let alwaysAsk: CompiledRule | null = null;
  let alert: CompiledRule | null = null;
  let allow: CompiledRule | null = null;

  for (const c of candidates) {
    if (c.tool_glob !== null && !globMatch(c.tool_glob, action.tool)) continue;
    if (c.connector !== null && c.connector !== action.connector) continue;
    if (c.agent_id !== null && c.agent_id !== agent?.id) continue;
    if (c.role !== null && c.role !== agent?.role) continue;
    if (c.error !== null) {
      throw new Error(`rule ${c.rule_index} of ${cite(c.policy)} has an invalid expression: ${c.error}`);
    }
    if (c.guard) {
      env ??= { args: action.args ?? {}, context: context ?? {}, agent, action };
      if (!c.guard(env)) continue;
    }
    const m: MatchedRule = {
      policy_id: c.policy_id,
      policy_name: c.policy_name,
      policy_version: c.policy_version,
      rule: c.rule_index,
      rule_def: c.rule,
      decision: c.decision,
    };
    const max = c.max_value;
    if (max !== null) {
      const value = action.value;
      // INVARIANT: a ceiling with nothing to compare fails closed, or leaving `value` out would bypass it.
      // Stryker disable next-line ConditionalExpression: Number.isFinite is already false for anything but a number
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        m.constraint_failed = 'max_value';
        failed ??= { rule: c, detail: `${action.tool} carries no value to check against max_value ${max} on ${cite(c.policy)}` };
      } else if (value > max) {
        m.constraint_failed = 'max_value';
        failed ??= { rule: c, detail: `value ${value} exceeds max_value ${max} on ${cite(c.policy)}` };
      }
    }
    if (m.constraint_failed === undefined) {
      if (c.decision === 'BLOCK') blocked ??= c;
      else if (c.decision === 'ALERT') {
        alert ??= c;
        if (c.always_ask) alwaysAsk ??= c;
      } else allow ??= c;
    }
    matched.push(m);
  }

  if (failed) {
    const others = alert ?? allow ?? blocked;
    const tail = others ? 'a failed constraint blocks whatever other rules say' : `no other rule allows ${action.tool}`;
    return { verdict: 'BLOCK', block_code: 'constraint_failed', unmatched: false, always_ask: false, matched, detail: `${failed.detail}; ${tail}` };
  }
  if (blocked) {
    return { verdict: 'BLOCK', block_code: 'rule_blocked', unmatched: false, always_ask: false, matched, detail: `rule ${blocked.rule_index} of ${cite(blocked.policy)} blocks ${action.tool}` };
  }
  if (alwaysAsk) {
    return {
      verdict: 'ALERT',
      block_code: null,
      unmatched: false,
      always_ask: true,
      matched,
      detail: `${cite(alwaysAsk.policy)} requires approval for ${action.tool} every time (always ask)`,
    };
  }
  if (alert) {
    return { verdict: 'ALERT', block_code: null, unmatched: false, always_ask: false, matched, detail: `${cite(alert.policy)} requires approval for ${action.tool}` };
  }
  if (allow) {
    // Stryker disable next-line all: only the wording of the ALLOW detail
    const v = allow.max_value !== null ? ` (value ${action.value} within max_value ${allow.max_value})` : '';
    return { verdict: 'ALLOW', block_code: null, unmatched: false, always_ask: false, matched, detail: `${cite(allow.policy)} allows ${action.tool}${v}` };
  }
  if (unmatchedDecision === 'BLOCK') {
    // Stryker disable next-line BooleanLiteral: always_ask is only read on an ALERT; a BLOCK is never lifted
    return { verdict: 'BLOCK', block_code: 'no_matching_rule', unmatched: true, always_ask: false, matched, detail: `no rule allows ${action.tool} and unmatched actions are blocked` };
  }
  return { verdict: 'ALERT', block_code: null, unmatched: true, always_ask: false, matched, detail: `no rule matches ${action.tool}, so it needs approval` };
}
