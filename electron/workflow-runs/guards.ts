/**
 * Workflow guards (WORKFLOWS.md "Guards"), evaluated without I/O: in declaration order, the
 * first failure stops the chain, and every guard evaluated (nested ones included) is recorded
 * with its path and result.
 *
 * Fail closed: a guard that cannot be evaluated (a path that does not exist, operands of the
 * wrong types, an expression that does not parse, an unknown kind) fails, inside `not` too: `not`
 * only inverts a guard that evaluated cleanly.
 */
import { ExprError, parseWorkflowComparison, type Comparison } from '../../shared/core/expr.js';
import { evaluateStrict } from './strict-compare.js';
import type { Guard } from '../../shared/workflows/definition.js';

/** Who asks for the transition, as the guards see them. */
export interface GuardCaller {
  kind: 'agent' | 'operator' | 'system';
  /** The agent's role, or the operator's (`owner` … `viewer`); null for none. */
  role: string | null;
  /** Named permissions; `*` holds every one. */
  permissions: readonly string[];
}

export interface EvidenceRecord {
  kind: string;
  /** The operator who approved, for `human_approval`. */
  operator_id: string | null;
}

export interface GuardInput {
  /** The transition's arguments; `undefined` when none are known yet (links). */
  arguments: unknown;
  context: unknown;
  input: unknown;
  evidence: readonly EvidenceRecord[];
  caller: GuardCaller;
}

export interface GuardEvaluation {
  /** Where the guard sits: `guards[1]`, `guards[0].guards[2]`, `guards[0].guard`. */
  path: string;
  kind: Guard['kind'];
  passed: boolean;
  /** Why it failed, or what it checked when it passed. */
  reason: string;
  /** The guard could not be evaluated (counted as a failure). */
  error?: true;
}

export interface GuardOutcome {
  passed: boolean;
  /** The first failing top-level guard's path, its guard and the deepest reason. */
  failure?: { path: string; guard: Guard; reason: string };
  evaluations: GuardEvaluation[];
}

interface Result {
  passed: boolean;
  reason: string;
  error: boolean;
}

const comparisonCache = new Map<string, Comparison | ExprError>();

function comparisonOf(expr: string): Comparison {
  let parsed = comparisonCache.get(expr);
  if (!parsed) {
    try {
      parsed = parseWorkflowComparison(expr);
    } catch (err) {
      parsed = err instanceof ExprError ? err : new ExprError('the expression does not parse');
    }
    if (comparisonCache.size > 5000) comparisonCache.clear();
    comparisonCache.set(expr, parsed);
  }
  if (parsed instanceof ExprError) throw parsed;
  return parsed;
}

function evaluateOne(guard: Guard, path: string, input: GuardInput, out: GuardEvaluation[], depth: number): Result {
  // The guard's own record comes before its nested guards' (declaration order, parents first).
  const slot = out.length;
  out.push({ path, kind: guard.kind, passed: false, reason: '' });
  let result: Result;
  try {
    if (depth > 64) throw new ExprError('guards nest deeper than 64 levels');
    result = evaluateKind(guard, path, input, out, depth);
  } catch (err) {
    const message = err instanceof ExprError ? err.message : 'the guard could not be evaluated';
    result = { passed: false, reason: `cannot be evaluated: ${message}`, error: true };
  }
  out[slot] = { path, kind: guard.kind, passed: result.passed, reason: result.reason, ...(result.error ? { error: true as const } : {}) };
  return result;
}

function evaluateKind(guard: Guard, path: string, input: GuardInput, out: GuardEvaluation[], depth: number): Result {
  const { caller } = input;
  switch (guard.kind) {
    case 'permission': {
      const held = caller.permissions.includes('*') || caller.permissions.includes(guard.permission);
      return { passed: held, reason: held ? `holds ${guard.permission}` : `the caller does not hold the permission ${guard.permission}`, error: false };
    }
    case 'role': {
      const ok = caller.role === guard.role;
      return { passed: ok, reason: ok ? `role is ${guard.role}` : `the caller's role is ${caller.role ?? 'none'}, not ${guard.role}`, error: false };
    }
    case 'expr': {
      const comparison = comparisonOf(guard.expr);
      const env = { args: input.arguments, context: input.context, workflow: { input: input.input } };
      const ok = evaluateStrict(comparison, env);
      return { passed: ok, reason: ok ? `${guard.expr} is true` : `${guard.expr} is false`, error: false };
    }
    case 'evidence': {
      for (const need of guard.requires) {
        const count = need.count ?? 1;
        const records = input.evidence.filter((e) => e.kind === need.kind);
        // Approvals count people, not records: one operator approving twice is one approval.
        const have = need.kind === 'human_approval' ? new Set(records.map((e) => e.operator_id ?? '')).size : records.length;
        if (have < count) {
          const unit = need.kind === 'human_approval' ? 'distinct operators' : 'records';
          return { passed: false, reason: `needs ${count} ${need.kind} evidence (${unit}), has ${have}`, error: false };
        }
      }
      return { passed: true, reason: `evidence present: ${guard.requires.map((r) => r.kind).join(', ')}`, error: false };
    }
    case 'all_of': {
      for (const [i, inner] of guard.guards.entries()) {
        const r = evaluateOne(inner, `${path}.guards[${i}]`, input, out, depth + 1);
        if (!r.passed) return { passed: false, reason: r.reason, error: r.error };
      }
      return { passed: true, reason: 'every nested guard passed', error: false };
    }
    case 'any_of': {
      const reasons: string[] = [];
      for (const [i, inner] of guard.guards.entries()) {
        const r = evaluateOne(inner, `${path}.guards[${i}]`, input, out, depth + 1);
        if (r.passed) return { passed: true, reason: `guards[${i}] passed`, error: false };
        reasons.push(r.reason);
      }
      return { passed: false, reason: `no nested guard passed (${reasons.join('; ')})`, error: false };
    }
    case 'not': {
      const r = evaluateOne(guard.guard, `${path}.guard`, input, out, depth + 1);
      // INVARIANT: an error inside `not` stays a failure; only a clean result is inverted.
      if (r.error) return { passed: false, reason: r.reason, error: true };
      return { passed: !r.passed, reason: r.passed ? `the negated guard passed (${r.reason})` : 'the negated guard failed', error: false };
    }
    default: {
      const unknown: { kind?: unknown } = guard;
      throw new ExprError(`unknown guard kind ${String(unknown.kind)}`);
    }
  }
}

/** Evaluates `guards` in order, stopping at the first failure. */
export function evaluateGuards(guards: readonly Guard[] | undefined, input: GuardInput, root = 'guards'): GuardOutcome {
  const evaluations: GuardEvaluation[] = [];
  for (const [i, guard] of (guards ?? []).entries()) {
    const path = `${root}[${i}]`;
    const r = evaluateOne(guard, path, input, evaluations, 0);
    if (!r.passed) return { passed: false, failure: { path, guard, reason: r.reason }, evaluations };
  }
  return { passed: true, evaluations };
}

/** True when any expression in `guards` reads `$.arguments` (those cannot be judged for links). */
export function readsArguments(guards: readonly Guard[] | undefined): boolean {
  const visit = (g: Guard): boolean => {
    switch (g.kind) {
      case 'expr':
        try {
          const c = comparisonOf(g.expr);
          return [c.left, c.right].some((o) => o.kind === 'path' && o.root === 'args');
        } catch {
          return true;
        }
      case 'all_of':
      case 'any_of':
        return g.guards.some(visit);
      case 'not':
        return visit(g.guard);
      default:
        return false;
    }
  };
  return (guards ?? []).some(visit);
}
