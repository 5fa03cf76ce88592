/**
 * Workflow guards compare strictly: a missing path or operands of the wrong types are an
 * `ExprError` (counted as a failure, fail closed) instead of the guardrails' `null` and `false`.
 * The comparison itself is the guardrail language's (`compare` in shared/core/expr.ts).
 */
import { ExprError, compare, type Comparison, type Operand } from '../../shared/core/expr.js';

/** What each path root reads: `args` (the transition's arguments), `context`, `workflow` (`{input}`). */
export type StrictEnv = Readonly<Record<string, unknown>>;

const hasOwn = Object.prototype.hasOwnProperty;

/** Reads a path; throws `ExprError` when any step of it does not exist. */
export function resolveStrict(env: StrictEnv, operand: Extract<Operand, { kind: 'path' }>): unknown {
  const missing = () => new ExprError(`${operand.text} does not exist`);
  let cur: unknown = hasOwn.call(env, operand.root) ? env[operand.root] : undefined;
  if (cur === undefined) throw missing();
  for (const seg of operand.segments) {
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : NaN;
      if (!(idx >= 0 && idx < cur.length)) throw missing();
      cur = cur[idx];
    } else if (cur !== null && typeof cur === 'object' && hasOwn.call(cur, String(seg))) {
      cur = (cur as Record<string, unknown>)[String(seg)];
    } else {
      throw missing();
    }
  }
  if (cur === undefined) throw missing();
  return cur;
}

const isPrimitive = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * `==` / `!=` compare two primitives of one type, or test nullness against the literal `null`;
 * `< <= > >=` need two numbers; `starts_with` two strings; `contains` a string in a string or a
 * primitive in an array. Anything else throws `ExprError`.
 */
export function evaluateStrict(c: Comparison, env: StrictEnv): boolean {
  const l = c.left.kind === 'path' ? resolveStrict(env, c.left) : c.left.value;
  const r = c.right.kind === 'path' ? resolveStrict(env, c.right) : c.right.value;
  const mismatch = () => new ExprError(`${c.op} cannot compare ${typeName(l)} with ${typeName(r)}`);
  switch (c.op) {
    case '==':
    case '!=':
      if ((c.left.kind === 'literal' && l === null) || (c.right.kind === 'literal' && r === null)) return compare(c.op, l, r);
      if (!isPrimitive(l) || !isPrimitive(r) || typeof l !== typeof r) throw mismatch();
      return compare(c.op, l, r);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (typeof l !== 'number' || typeof r !== 'number') throw mismatch();
      return compare(c.op, l, r);
    case 'starts_with':
    case 'command_starts_with':
      if (typeof l !== 'string' || typeof r !== 'string') throw mismatch();
      return compare(c.op, l, r);
    case 'contains':
      if (!((typeof l === 'string' && typeof r === 'string') || (Array.isArray(l) && isPrimitive(r)))) throw mismatch();
      return compare(c.op, l, r);
    default:
      throw new ExprError(`unknown operator ${String(c.op)}`);
  }
}
