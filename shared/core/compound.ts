/**
 * The guardrails layer for an action that is really several: a `shell.exec` command line runs
 * every simple command in it, and writes (or reads) every file it redirects to. Each of those is
 * judged on its own, as its own action (`shell.exec` with that simple command, `fs.write` /
 * `fs.read` with that path); the most cautious verdict wins, and a command that no prefix rule may
 * allow (shared/core/shell.ts `unsafe`) asks even where a rule would allow it. Rules that match
 * the whole command line still count, for what they block or ask.
 *
 * A single safe simple command without redirections is judged exactly as any other action.
 */
import { findGrant, normalizePath, SHELL_TOOL } from './grants.js';
import { evaluateGuardrails, type GuardrailOutcome } from './guardrails.js';
import { analyzeShellCached } from './shell.js';
import type { ActionInput, BlockCode, CommandVerdict, GrantState, MatchedRule, Snapshot, Verdict } from './types.js';

export interface ActionPart {
  action: ActionInput;
  /** How the receipt names it: the simple command, or `> path` / `< path`. */
  text: string;
  /** Why no rule or grant may allow it without asking; null when plain rules decide it. */
  unsafe: string | null;
}

/**
 * The parts of a `shell.exec` action, or null when the action is judged whole: any other tool, a
 * command that is not a string, or one safe simple command without redirections.
 */
export function actionParts(action: ActionInput): ActionPart[] | null {
  const command = action.args?.command;
  if (action.tool !== SHELL_TOOL || typeof command !== 'string') return null;
  const analysis = analyzeShellCached(command);
  const only = analysis.commands.length === 1 ? analysis.commands[0]! : null;
  if (analysis.ok && only && only.unsafe === null && only.writes.length === 0 && only.reads.length === 0 && only.text === command.trim()) return null;
  const args = action.args!;
  const cwd = typeof args.cwd === 'string' ? { cwd: args.cwd } : {};
  const parts: ActionPart[] = [];
  for (const c of analysis.commands) {
    if (c.words.length > 0 || c.unsafe !== null) {
      parts.push({ action: { ...action, args: { ...args, command: c.text } }, text: c.text, unsafe: c.unsafe });
    }
    // Paths are resolved (`build/../../x` → `../x`) so a rule on `build/` never admits an escape.
    for (const target of c.writes) {
      const path = normalizePath(target);
      parts.push({ action: { tool: 'fs.write', args: { path, ...cwd, via: 'shell redirection' } }, text: `> ${target}`, unsafe: null });
    }
    for (const target of c.reads) {
      const path = normalizePath(target);
      parts.push({ action: { tool: 'fs.read', args: { path, ...cwd, via: 'shell redirection' } }, text: `< ${target}`, unsafe: null });
    }
  }
  // INVARIANT: a command line is never judged on nothing: an empty reading asks.
  // Stryker disable next-line StringLiteral: any non-null `unsafe` asks; its text is only the reason shown
  if (parts.length === 0) parts.push({ action, text: command, unsafe: 'the command runs nothing Warden could read' });
  return parts;
}

export interface PartOutcome {
  part: ActionPart;
  outcome: GuardrailOutcome;
  verdict: Verdict;
  detail: string;
  /** True when this part's ALERT may be lifted by a grant. */
  liftable: boolean;
}

export interface GuardrailsLayerOutcome {
  verdict: Verdict;
  block_code: BlockCode | null;
  detail: string;
  matched: MatchedRule[];
  /** True when the verdict is an ALERT that grants may lift (no always_ask rule, no unsafe command). */
  liftable: boolean;
  /** The parts judged one by one; null when the action was judged whole. */
  parts: PartOutcome[] | null;
}

// Stryker disable next-line all: quote only shapes the text of a receipt
const quote = (text: string) => `\`${text.length > 120 ? `${text.slice(0, 120)}\u2026` : text}\``;

/** Decides the guardrails layer for `action`, part by part where it has parts. Throws like `evaluateGuardrails`. */
export function guardrailsLayer(action: ActionInput, s: Snapshot, unmatched: 'ALERT' | 'BLOCK'): GuardrailsLayerOutcome {
  const whole = evaluateGuardrails(s.guardrails, action, s.agent, s.context, unmatched);
  const parts = actionParts(action);
  if (!parts) {
    return {
      verdict: whole.verdict,
      block_code: whole.block_code,
      detail: whole.detail,
      matched: whole.matched,
      liftable: whole.verdict === 'ALERT' && !whole.always_ask,
      parts: null,
    };
  }
  const outcomes: PartOutcome[] = parts.map((part) => {
    const o = evaluateGuardrails(s.guardrails, part.action, s.agent, s.context, unmatched);
    let verdict: Verdict = o.verdict;
    let detail = o.detail;
    if (part.unsafe !== null && verdict === 'ALLOW') {
      verdict = 'ALERT';
      detail = `${part.unsafe}, so no rule or grant allows it without asking`;
    } else if (
      // Stryker disable next-line all: this branch only words the detail of an ALERT that stays an ALERT
      part.unsafe !== null && verdict === 'ALERT'
    ) {
      detail = `${o.detail}; ${part.unsafe}`;
    }
    // Stryker disable next-line ConditionalExpression: liftable is only read on ALERT parts (the `alerts` filter below)
    return { part, outcome: o, verdict, detail, liftable: verdict === 'ALERT' && !o.always_ask && part.unsafe === null };
  });

  const matched = [...whole.matched];
  const seen = new Set(matched.map((m) => `${m.policy_id} ${m.rule}`));
  for (const p of outcomes) {
    for (const m of p.outcome.matched) {
      const key = `${m.policy_id} ${m.rule}`;
      if (!seen.has(key)) {
        seen.add(key);
        matched.push(m);
      }
    }
  }
  const n = outcomes.length;
  // Stryker disable next-line all: label only words the ALLOW detail
  const label = n === 1 ? 'the command' : `${n} commands`;
  // Rules on the whole line count for what they block or ask; its "no rule matched" does not.
  const wholeSays = !whole.unmatched && whole.verdict !== 'ALLOW';
  if (wholeSays && whole.verdict === 'BLOCK') {
    // Stryker disable next-line BooleanLiteral: a BLOCK is never lifted (evaluate stops at any BLOCK before grants)
    return { verdict: 'BLOCK', block_code: whole.block_code, detail: whole.detail, matched, liftable: false, parts: outcomes };
  }
  const blocked = outcomes.find((p) => p.verdict === 'BLOCK');
  if (blocked) {
    return { verdict: 'BLOCK', block_code: blocked.outcome.block_code, detail: `${quote(blocked.part.text)}: ${blocked.detail}`, matched, liftable: false, parts: outcomes };
  }
  const alerts = outcomes.filter((p) => p.verdict === 'ALERT');
  if (alerts.length > 0 || wholeSays) {
    const liftable = (!wholeSays || !whole.always_ask) && alerts.every((p) => p.liftable);
    // The part that asks every time explains the request best: name it first.
    const first = alerts.find((p) => !p.liftable) ?? alerts[0];
    const detail = first
          ? `${quote(first.part.text)}: ${first.detail}${alerts.length > 1 ? ` (${alerts.length} of ${n} parts need approval)` : ''}`
      : whole.detail;
    return { verdict: 'ALERT', block_code: null, detail, matched, liftable, parts: outcomes };
  }
  return { verdict: 'ALLOW', block_code: null, detail: `each of ${label} is allowed: ${outcomes.map((p) => `${quote(p.part.text)} (${p.detail})`).join('; ')}`, matched, liftable: false, parts: outcomes };
}

export interface GrantLift {
  /** The first grant used, for `grant_id`. */
  grant: GrantState;
  /** Per part: the verdict after grants, for the receipt (null when the action was judged whole). */
  commands: CommandVerdict[] | null;
}

/**
 * Grants for a liftable guardrail ALERT: the action whole (an exact grant of this very command
 * line covers all of it), or else every asking part by a grant of its own. Null when something
 * stays uncovered.
 */
export function liftWithGrants(g: GuardrailsLayerOutcome, action: ActionInput, s: Snapshot): GrantLift | null {
  const agentId = s.agent?.id ?? null;
  if (!g.parts) {
    const grant = findGrant(s.grants, agentId, action, s.now);
    return grant ? { grant, commands: null } : null;
  }
  // Only a grant of this exact command line covers it whole: a word pattern (`npm test *`)
  // covers simple commands, never the files a line redirects into.
  const exact = s.grants.filter((gr) => typeof gr.args_pattern?.command === 'string' && !gr.args_pattern.command.includes('*'));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: findGrant of no grants is null anyway (this skips the lookup)
  const whole = exact.length > 0 ? findGrant(exact, agentId, action, s.now) : null;
  const commands: CommandVerdict[] = [];
  let first: GrantState | null = whole;
  for (const p of g.parts) {
    if (p.verdict !== 'ALERT') {
      commands.push({ text: p.part.text, verdict: p.verdict, detail: p.detail });
      continue;
    }
    const grant = whole ?? findGrant(s.grants, agentId, p.part.action, s.now);
    if (!grant) return null;
    first ??= grant;
    commands.push({ text: p.part.text, verdict: 'ALLOW', detail: `allowed by grant ${grant.id} (allow always); without it, ${p.detail}`, grant_id: grant.id });
  }
  return first ? { grant: first, commands } : null;
}

/** The receipt's per-part list for a decision no grant changed. */
export function partVerdicts(g: GuardrailsLayerOutcome): CommandVerdict[] | null {
  return g.parts ? g.parts.map((p) => ({ text: p.part.text, verdict: p.verdict, detail: p.detail })) : null;
}
