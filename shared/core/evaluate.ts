/**
 * The decision core: `evaluate(action, snapshot)` runs the layers of the decision pipeline
 * and combines them with the truth table below. Pure: no I/O, no clock (time is `snapshot.now`).
 *
 * @example
 *   const decision = evaluate({ tool: 'order.refund', value: 300 }, snapshot);
 *   decision.decision    // 'BLOCK'
 *   decision.explanation // 'value 300 exceeds max_value 250 on refund-ceiling v3; no other rule allows order.refund'
 */
import { guardrailsLayer, liftWithGrants, partVerdicts, type GrantLift, type GuardrailsLayerOutcome } from './compound.js';
import { gatesLayer } from './gates.js';
import { selfProtection } from './self-protection.js';
import { evaluateToolAccess } from './tool-access.js';
import type { ActionInput, BlockCode, BudgetState, Decision, GovernanceSettings, LayerResult, Snapshot, Verdict } from './types.js';
import type { BuiltinCategory } from '../vocabulary.js';

export const DEFAULT_SETTINGS: GovernanceSettings = {
  require_approval_for_external_comm: false,
  require_approval_for_public_writes: false,
  require_approval_for_permission_changes: false,
  allow_self_approval: false,
  approval_threshold: 1,
  approval_ttl_seconds: 300,
  category_flags: {},
  unmatched_decision: 'ALERT',
  high_risk_tools: ['shell.*', 'deploy.*', '*.deploy', 'payment.*', 'payments.*', 'iam.*'],
  high_risk_categories: ['deploy', 'payment', 'financial', 'permission_changes'],
};

const RANK: Record<Verdict, number> = { ALLOW: 0, ALERT: 1, BLOCK: 2 };

/** BLOCK > ALERT > ALLOW. */
export function mostCautious(a: Verdict, b: Verdict): Verdict {
  // Stryker disable next-line EqualityOperator: on equal ranks a and b are the same verdict
  return RANK[a] >= RANK[b] ? a : b;
}

/** How cautious a verdict is: ALLOW 0, ALERT 1, BLOCK 2. */
export const cautionOf = (v: Verdict): number => RANK[v];

/**
 * A BLOCK for when evaluation could not run (an error, an unreadable ledger): we fail closed.
 * The actions pipeline uses it when it cannot assemble a snapshot.
 */
export function failClosed(reason: string): Decision {
  return {
    decision: 'BLOCK',
    block_code: 'evaluation_error',
    explanation: `blocked because the decision could not be evaluated (fail closed): ${reason}`,
    matched: [],
    layers: [],
    grantable: false,
    grant_id: null,
  };
}

export interface Gate {
  verdict: 'BLOCK' | 'ABSTAIN';
  code: BlockCode | null;
  detail: string;
}

// Stryker disable next-line all: only formats amounts in a detail
const usd = (micro: number) => `$${(micro / 1_000_000).toFixed(2)}`;

/** A budget as a sentence names it: "the agent budget crew-03", "the global budget". */
function budgetPhrase(b: BudgetState): string {
  if (b.scope === 'global') return 'the global budget';
  return `the ${b.scope} budget ${b.scope_name ?? b.scope_id}`;
}

/**
 * The kill-switch layer alone: the global switch, a disabled agent, a paused budget, or an
 * estimate that does not fit a cap. Also checked when an approved action is released, because
 * the world may have changed while the operator was deciding. Throws on a malformed estimate.
 *
 * @example
 *   killSwitchGate({ tool: 'x', cost_estimate_micro_usd: 5 }, { ...snapshot, kill_switch: { engaged: true, reason: null } })
 *   // { verdict: 'BLOCK', code: 'kill_switch', detail: 'the global kill-switch is engaged' }
 */
export function killSwitchGate(action: Pick<ActionInput, 'cost_estimate_micro_usd'>, s: Pick<Snapshot, 'kill_switch' | 'agent' | 'budgets'>): Gate {
  if (s.kill_switch.engaged) {
    return { verdict: 'BLOCK', code: 'kill_switch', detail: `the global kill-switch is engaged${s.kill_switch.reason ? ` (${s.kill_switch.reason})` : ''}` };
  }
  if (s.agent && s.agent.status !== 'active') {
    return { verdict: 'BLOCK', code: 'agent_disabled', detail: `agent ${s.agent.name} is disabled` };
  }
  const cost = action.cost_estimate_micro_usd ?? 0;
  if (!Number.isSafeInteger(cost) || cost < 0) throw new Error(`cost_estimate_micro_usd ${String(cost)} is not a non-negative integer`);
  // A paused budget is a kill-switch for its scope whatever its mode (a warn budget is only
  // paused by hand).
  for (const b of s.budgets) {
    if (b.status === 'paused') {
      return { verdict: 'BLOCK', code: 'budget_paused', detail: `${budgetPhrase(b)} is paused` };
    }
  }
  for (const b of s.budgets) {
    if (b.mode !== 'cap') continue;
    const committed = b.spent_micro_usd + b.reserved_micro_usd;
    if (!Number.isFinite(committed) || committed + cost > b.limit_micro_usd) {
      // Stryker disable next-line all: only the amount left shown in the detail
      const left = Math.max(0, b.limit_micro_usd - committed);
      return {
        verdict: 'BLOCK',
        code: 'budget_insufficient',
        detail: `${budgetPhrase(b)} has ${usd(left)} of ${usd(b.limit_micro_usd)} left, not enough for an estimate of ${usd(cost)}`,
      };
    }
  }
  return { verdict: 'ABSTAIN', code: null, detail: 'no kill-switch, pause or exhausted cap applies' };
}

function quotaLayer(s: Snapshot): Gate {
  const q = s.quota;
  if (!q) return { verdict: 'ABSTAIN', code: null, detail: 'no quota applies' };
  if (q.runs_last_hour >= q.runs_per_hour) {
    return { verdict: 'BLOCK', code: 'quota_exceeded', detail: `${q.runs_last_hour} actions in the last hour reach runs_per_hour ${q.runs_per_hour}` };
  }
  if (q.open_actions >= q.concurrent_executions) {
    return { verdict: 'BLOCK', code: 'quota_exceeded', detail: `${q.open_actions} open actions reach concurrent_executions ${q.concurrent_executions}` };
  }
  return { verdict: 'ABSTAIN', code: null, detail: `within quota (${q.runs_last_hour}/${q.runs_per_hour} this hour, ${q.open_actions}/${q.concurrent_executions} open)` };
}

const BUILTIN_GATES = {
  external_comm: 'require_approval_for_external_comm',
  public_writes: 'require_approval_for_public_writes',
  permission_changes: 'require_approval_for_permission_changes',
} as const satisfies { [C in BuiltinCategory]: `require_approval_for_${C}` };

/** The action's categories (its own and its tool's) that the settings gate. */
function gatedCategories(action: ActionInput, s: Snapshot, settings: GovernanceSettings): string[] {
  const gated: string[] = [];
  const check = (c: string) => {
    // Stryker disable next-line ConditionalExpression: a category gated twice gates the same; only the listed text repeats
    if (gated.includes(c)) return;
    const builtin = BUILTIN_GATES[c as keyof typeof BUILTIN_GATES] as (typeof BUILTIN_GATES)[keyof typeof BUILTIN_GATES] | undefined;
    const flags = settings.category_flags ?? {};
    // Stryker disable next-line ConditionalExpression: settings[undefined] is never true
    if ((builtin !== undefined && settings[builtin] === true) || (Object.prototype.hasOwnProperty.call(flags, c) && flags[c] === true)) gated.push(c);
  };
  // Stryker disable next-line ArrayDeclaration: a made-up category name no flag names gates nothing
  for (const c of action.categories ?? []) check(c);
  const fromTool = s.tool_categories?.[action.tool];
  if (fromTool) for (const c of fromTool) check(c);
  return gated;
}

/**
 * How a guardrails verdict that is not BLOCK combines with the settings gate and grants.
 * Read a row as: guardrails said G, settings gate S, a live grant R → verdict, grantable.
 * G is `ALERT!` for an ALERT no grant may lift: an `always_ask` rule, or a shell command with a
 * substitution, inline code or a pipe into a shell (shared/core/compound.ts).
 * INVARIANT: a grant lifts only a liftable guardrail ALERT, never a settings ALERT nor `ALERT!`;
 * those are not grantable (the inbox offers no Allow always).
 */
const TRUTH_TABLE: Record<`${'ALLOW' | 'ALERT' | 'ALERT!'} ${'gated' | 'open'} ${'grant' | 'none'}`, { verdict: Verdict; grantable: boolean; lifted: boolean }> = {
  //  G       S      R        verdict             grantable
  'ALLOW open none': { verdict: 'ALLOW', grantable: false, lifted: false },
  'ALLOW open grant': { verdict: 'ALLOW', grantable: false, lifted: false }, // nothing to lift
  'ALLOW gated none': { verdict: 'ALERT', grantable: false, lifted: false }, // settings ask every time
  'ALLOW gated grant': { verdict: 'ALERT', grantable: false, lifted: false },
  'ALERT open none': { verdict: 'ALERT', grantable: true, lifted: false },
  'ALERT open grant': { verdict: 'ALLOW', grantable: false, lifted: true }, // allow-always
  'ALERT gated none': { verdict: 'ALERT', grantable: false, lifted: false },
  'ALERT gated grant': { verdict: 'ALERT', grantable: false, lifted: false }, // grant cannot lift settings
  'ALERT! open none': { verdict: 'ALERT', grantable: false, lifted: false }, // asks every time
  'ALERT! open grant': { verdict: 'ALERT', grantable: false, lifted: false }, // a grant cannot lift it
  'ALERT! gated none': { verdict: 'ALERT', grantable: false, lifted: false },
  'ALERT! gated grant': { verdict: 'ALERT', grantable: false, lifted: false },
};

function evaluateUnchecked(action: ActionInput, s: Snapshot): Decision {
  // Stryker disable next-line OptionalChaining: a missing action throws either way, and evaluate turns any throw into BLOCK
  if (typeof action?.tool !== 'string' || action.tool.length === 0) throw new Error('the action has no tool');
  // Stryker disable next-line ConditionalExpression: Number.isFinite is already false for anything but a number
  if (action.value !== undefined && (typeof action.value !== 'number' || !Number.isFinite(action.value))) {
    throw new Error('value is not a finite number');
  }
  const settings = s.settings ?? DEFAULT_SETTINGS;
  // Stryker disable next-line StringLiteral: guardrails treat anything but BLOCK as ALERT
  const unmatched = settings.unmatched_decision === 'BLOCK' ? 'BLOCK' : 'ALERT';

  const protect = selfProtection(action, s.protected);
  const kill = killSwitchGate(action, s);
  const gates = gatesLayer(action, s.agent, s.gates);
  const quota = quotaLayer(s);
  const tools = evaluateToolAccess(action, s.agent, s.tool_policies, s.role_overrides);
  const g: GuardrailsLayerOutcome = guardrailsLayer(action, s, unmatched);
  const gated = gatedCategories(action, s, settings);

  const guardrailsResult: LayerResult = { layer: 'guardrails', verdict: g.verdict, detail: g.detail };
  const parts = partVerdicts(g);
  if (parts) guardrailsResult.commands = parts;
  const layers: LayerResult[] = [
    { layer: 'self_protection', verdict: protect.verdict, detail: protect.detail },
    { layer: 'kill_switch', verdict: kill.verdict, detail: kill.detail },
    gates.blocking.length ? { layer: 'gates', verdict: gates.verdict, detail: gates.detail, gates: gates.blocking } : { layer: 'gates', verdict: gates.verdict, detail: gates.detail },
    { layer: 'quota', verdict: quota.verdict, detail: quota.detail },
    { layer: 'tool_access', verdict: tools.verdict, detail: tools.detail },
    guardrailsResult,
    {
      layer: 'settings',
      verdict: gated.length ? 'ALERT' : 'ABSTAIN',
      detail: gated.length ? `the governance settings require approval for ${gated.join(', ')}` : 'no gated category',
    },
  ];

  // Step 1: a BLOCK in any layer wins; the first blocking layer, in pipeline order, names the code.
  // INVARIANT: self-protection comes first and nothing after it can lift it.
  const blocking: { code: BlockCode | null; detail: string } | null =
    protect.verdict === 'BLOCK' ? { code: 'self_protection', detail: protect.detail }
    : kill.verdict === 'BLOCK' ? { code: kill.code, detail: kill.detail }
    : gates.verdict === 'BLOCK' ? { code: 'gate_pending' as const, detail: gates.detail }
    : quota.verdict === 'BLOCK' ? { code: quota.code, detail: quota.detail }
    : tools.verdict === 'BLOCK' ? { code: tools.block_code, detail: tools.detail }
    : g.verdict === 'BLOCK' ? { code: g.block_code, detail: g.detail }
    : null;
  if (blocking) {
    layers.push({ layer: 'grants', verdict: 'ABSTAIN', detail: 'a grant never lifts a BLOCK' });
    // Stryker disable next-line StringLiteral: every blocking layer carries a code; the fallback is unreachable
    return { decision: 'BLOCK', block_code: blocking.code ?? 'evaluation_error', explanation: blocking.detail, matched: g.matched, layers, grantable: false, grant_id: null };
  }

  // Step 2: the truth table. Grants are looked up only where they could matter.
  const G = g.verdict === 'ALERT' && !g.liftable ? 'ALERT!' : (g.verdict as 'ALLOW' | 'ALERT');
  const S = gated.length ? 'gated' : 'open';
  const lift: GrantLift | null = G === 'ALERT' && S === 'open' ? liftWithGrants(g, action, s) : null;
  const grant = lift?.grant ?? null;
  const row = TRUTH_TABLE[`${G} ${S} ${grant ? 'grant' : 'none'}`];

  // Stryker disable next-line LogicalOperator,OptionalChaining: a lift exists only where the row lifts
  if (row.lifted && lift?.commands) guardrailsResult.commands = lift.commands;
  layers.push(
    grant
      ? { layer: 'grants', verdict: 'ALLOW', detail: `grant ${grant.id} (allow always) covers ${action.tool}` }
      : {
          layer: 'grants',
          verdict: 'ABSTAIN',
          detail: G === 'ALERT' && S === 'open' ? `no live grant covers ${action.tool}` : G === 'ALERT!' ? 'this request asks every time: no grant may lift it' : 'no guardrail ALERT to lift',
        },
  );

  let explanation: string;
  // Stryker disable all: this chain only chooses the wording of the explanation
  if (row.lifted && grant) explanation = `allowed by grant ${grant.id} (allow always); without it, ${g.detail}`;
  else if (row.verdict === 'ALLOW') explanation = g.detail;
  else if (S === 'gated' && G !== 'ALLOW') explanation = `${g.detail}, and the governance settings require approval for ${gated.join(', ')}`;
  else if (S === 'gated') explanation = `${action.tool} needs approval because the governance settings gate ${gated.join(', ')}`;
  else explanation = g.detail;
  // Stryker restore all

  return {
    decision: row.verdict,
    block_code: null,
    explanation,
    matched: g.matched,
    layers,
    grantable: row.grantable,
    // Stryker disable next-line LogicalOperator: a grant is found only where the row lifts
    grant_id: row.lifted && grant ? grant.id : null,
  };
}

/**
 * Decides one action against a snapshot. Never throws: any error inside evaluation (a bad
 * snapshot, an invalid rule, a bug) yields BLOCK `evaluation_error`.
 */
export function evaluate(action: ActionInput, snapshot: Snapshot): Decision {
  try {
    return evaluateUnchecked(action, snapshot);
  } catch (err) {
    // Stryker disable next-line StringLiteral: only the reason text of a BLOCK
    return failClosed(err instanceof Error ? err.message : 'unknown error');
  }
}
