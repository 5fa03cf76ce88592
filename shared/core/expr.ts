/**
 * Expression guards, parsed once and compiled to closures —
 * never `eval`.
 *
 *   guard      := comparison | { all_of: guard[] } | { any_of: guard[] } | { not: guard }
 *   comparison := operand OP operand
 *   OP         := == | != | < | <= | > | >= | starts_with | contains | command_starts_with
 *   operand    := path | number | 'string' | "string" | true | false | null
 *   path       := $.ROOT(.key | .N | [N] | ['key'])*   ROOT ∈ args arguments context agent action
 *   (workflow guards: ROOT ∈ arguments context workflow.input — `parseWorkflowComparison`)
 *
 * Semantics, chosen so an agent's input can never make a guard throw:
 * - A path that does not exist is `null`. Only own properties are read (no prototype walking).
 * - `==` / `!=` compare primitives of the same type; `x == null` / `x != null` test nullness.
 *   Any other comparison across types (or of objects) is false — for `!=` too.
 * - `< <= > >=` compare two numbers; anything else is false.
 * - `starts_with` needs two strings; `contains` a string in a string, or a primitive in an array.
 * - `command_starts_with` reads the left string as a shell command (shared/core/shell.ts): true
 *   when it is one simple command whose words begin with the right string's words, so
 *   `npm test --watch` matches `'npm test'` and `npm testing`, `npm test; rm -rf ~` do not (a
 *   compound command is judged one simple command at a time by the guardrails layer).
 *
 * @example
 *   const guard = compileGuard("$.args.branch starts_with 'feat/'");
 *   guard({ args: { branch: 'feat/x' } }) // true
 */
import { commandStartsWith } from './shell.js';
import type { Guard } from './types.js';

export type ExprOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'starts_with' | 'contains' | 'command_starts_with';

export type Operand =
  | { kind: 'path'; root: PathRoot; segments: (string | number)[]; text: string }
  | { kind: 'literal'; value: string | number | boolean | null };

export type PathRoot = 'args' | 'context' | 'agent' | 'action' | 'workflow';

export interface Comparison {
  left: Operand;
  op: ExprOp;
  right: Operand;
}

/** What `$.ROOT` reads during evaluation. */
export interface ExprEnv {
  args?: unknown;
  context?: unknown;
  agent?: unknown;
  action?: unknown;
  /** Workflow guards: `{ input }`, read by `$.workflow.input.…`. */
  workflow?: unknown;
}

export type CompiledGuard = (env: ExprEnv) => boolean;

export class ExprError extends Error {
  constructor(
    message: string,
    /** Where in a composed guard, e.g. `['all_of', 1]`. */
    readonly path: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

/** The roots an expression may read, by the name written after `$.`. */
type Roots = Readonly<Record<string, PathRoot>>;
const GUARDRAIL_ROOTS: Roots = { args: 'args', arguments: 'args', context: 'context', agent: 'agent', action: 'action' };
/** Workflow guards read the transition's arguments, the run's context and `$.workflow.input`. */
const WORKFLOW_ROOTS: Roots = { arguments: 'args', context: 'context', workflow: 'workflow' };

function rootList(roots: Roots): string {
  return Object.keys(roots)
    .map((r) => (r === 'workflow' ? '$.workflow.input' : `$.${r}`))
    .join(', ');
}
const hasOwn = Object.prototype.hasOwnProperty;
const WORD_OPS = new Set(['starts_with', 'contains', 'command_starts_with']);
const MAX_EXPR_LENGTH = 2000;
const MAX_DEPTH = 32;

// ---------------------------------------------------------------------------------------------
// Tokenizer and parser

type Token = { t: 'operand'; operand: Operand } | { t: 'op'; op: ExprOp };

function readPath(src: string, start: number, roots: Roots): { operand: Operand; end: number } {
  // src[start] === '$'
  let i = start + 1;
  if (src[i] !== '.') throw new ExprError(`expected "." after "$" at position ${start + 1}`);
  i++;
  const ident = /[A-Za-z_][A-Za-z0-9_-]*/y;
  ident.lastIndex = i;
  const rootMatch = ident.exec(src);
  if (!rootMatch) throw new ExprError(`expected a path root after "$." at position ${i}`);
  const root = hasOwn.call(roots, rootMatch[0]) ? roots[rootMatch[0]] : undefined;
  if (!root) throw new ExprError(`unknown path root "$.${rootMatch[0]}": expected one of ${rootList(roots)}`);
  i = ident.lastIndex;
  const segments: (string | number)[] = [];
  const key = /[A-Za-z0-9_-]+/y;
  for (;;) {
    const c = src[i];
    if (c === '.') {
      key.lastIndex = i + 1;
      const m = key.exec(src);
      if (!m) throw new ExprError(`expected a key after "." at position ${i + 1}`);
      segments.push(/^\d+$/.test(m[0]) ? Number(m[0]) : m[0]);
      i = key.lastIndex;
    } else if (c === '[') {
      const num = /\[(\d+)\]/y;
      num.lastIndex = i;
      const n = num.exec(src);
      if (n) {
        segments.push(Number(n[1]));
        i = num.lastIndex;
        continue;
      }
      const quoted = /\[(['"])((?:(?!\1)[^\\]|\\.)*)\1\]/y;
      quoted.lastIndex = i;
      const q = quoted.exec(src);
      if (!q) throw new ExprError(`expected [N] or ['key'] at position ${i}`);
      segments.push(unescape(q[2] ?? ''));
      i = quoted.lastIndex;
    } else {
      break;
    }
  }
  if (root === 'workflow' && segments[0] !== 'input') throw new ExprError('a workflow path reads $.workflow.input.…');
  return { operand: { kind: 'path', root, segments, text: src.slice(start, i) }, end: i };
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function tokenize(src: string, roots: Roots): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '$') {
      const { operand, end } = readPath(src, i, roots);
      tokens.push({ t: 'operand', operand });
      i = end;
      continue;
    }
    if (c === "'" || c === '"') {
      const re = c === "'" ? /'((?:[^'\\]|\\.)*)'/y : /"((?:[^"\\]|\\.)*)"/y;
      re.lastIndex = i;
      const m = re.exec(src);
      if (!m) throw new ExprError(`unterminated string starting at position ${i}`);
      tokens.push({ t: 'operand', operand: { kind: 'literal', value: unescape(m[1] ?? '') } });
      i = re.lastIndex;
      continue;
    }
    const num = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
    num.lastIndex = i;
    const n = num.exec(src);
    if (n && /[-\d.]/.test(c)) {
      const value = Number(n[0]);
      if (!Number.isFinite(value)) throw new ExprError(`number out of range at position ${i}`);
      tokens.push({ t: 'operand', operand: { kind: 'literal', value } });
      i = num.lastIndex;
      continue;
    }
    const sym = /(==|!=|<=|>=|<|>)/y;
    sym.lastIndex = i;
    const s = sym.exec(src);
    if (s) {
      tokens.push({ t: 'op', op: s[0] as ExprOp });
      i = sym.lastIndex;
      continue;
    }
    const word = /[A-Za-z_][A-Za-z0-9_]*/y;
    word.lastIndex = i;
    const w = word.exec(src);
    if (w) {
      const text = w[0];
      if (WORD_OPS.has(text)) tokens.push({ t: 'op', op: text as ExprOp });
      else if (text === 'true' || text === 'false') tokens.push({ t: 'operand', operand: { kind: 'literal', value: text === 'true' } });
      else if (text === 'null') tokens.push({ t: 'operand', operand: { kind: 'literal', value: null } });
      else throw new ExprError(`unexpected word "${text}" at position ${i}: expected a path, a literal or an operator`);
      i = word.lastIndex;
      continue;
    }
    throw new ExprError(`unexpected character "${c}" at position ${i}`);
  }
  return tokens;
}

/** Parses one comparison; throws `ExprError` with a readable message on anything else. */
export function parseComparison(src: string): Comparison {
  return parseWith(src, GUARDRAIL_ROOTS);
}

/**
 * Parses one workflow guard comparison (roots `$.arguments`, `$.context`, `$.workflow.input`);
 * evaluate it with `compare` over an env of `{ args, context, workflow: { input } }`.
 */
export function parseWorkflowComparison(src: string): Comparison {
  return parseWith(src, WORKFLOW_ROOTS);
}

function parseWith(src: string, roots: Roots): Comparison {
  if (typeof src !== 'string') throw new ExprError('expected an expression string');
  if (src.length > MAX_EXPR_LENGTH) throw new ExprError(`expression is longer than ${MAX_EXPR_LENGTH} characters`);
  const tokens = tokenize(src, roots);
  const [a, b, c, ...rest] = tokens;
  if (!a || !b || !c || rest.length) {
    throw new ExprError(`expected "operand OPERATOR operand", got ${tokens.length} token${tokens.length === 1 ? '' : 's'}`);
  }
  if (a.t !== 'operand') throw new ExprError('expected a path or literal before the operator');
  if (b.t !== 'op') throw new ExprError('expected an operator (== != < <= > >= starts_with contains command_starts_with) after the first operand');
  if (c.t !== 'operand') throw new ExprError('expected a path or literal after the operator');
  if (a.operand.kind === 'literal' && c.operand.kind === 'literal') {
    throw new ExprError(`an expression must read at least one path (${rootList(roots)})`);
  }
  return { left: a.operand, op: b.op, right: c.operand };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function resolve(env: ExprEnv, root: PathRoot, segments: readonly (string | number)[]): unknown {
  let cur: unknown = env[root];
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return null;
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : NaN;
      if (!(idx >= 0 && idx < cur.length)) return null;
      cur = cur[idx];
    } else {
      const k = String(seg);
      if (!hasOwn.call(cur, k)) return null;
      cur = (cur as Record<string, unknown>)[k];
    }
  }
  return cur === undefined ? null : cur;
}

function operandReader(o: Operand): (env: ExprEnv) => unknown {
  if (o.kind === 'literal') {
    const v = o.value;
    return () => v;
  }
  const { root, segments } = o;
  return (env) => resolve(env, root, segments);
}

const isPrimitive = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The comparison semantics described at the top of this file. Never throws. */
export function compare(op: ExprOp, l: unknown, r: unknown): boolean {
  switch (op) {
    case '==':
    case '!=': {
      if (l === null || r === null) return op === '==' ? l === r : l !== r;
      if (!isPrimitive(l) || !isPrimitive(r) || typeof l !== typeof r) return false;
      return op === '==' ? l === r : l !== r;
    }
    case '<':
      return typeof l === 'number' && typeof r === 'number' && l < r;
    case '<=':
      return typeof l === 'number' && typeof r === 'number' && l <= r;
    case '>':
      return typeof l === 'number' && typeof r === 'number' && l > r;
    case '>=':
      return typeof l === 'number' && typeof r === 'number' && l >= r;
    case 'starts_with':
      return typeof l === 'string' && typeof r === 'string' && l.startsWith(r);
    case 'command_starts_with':
      return typeof l === 'string' && typeof r === 'string' && commandStartsWith(l, r);
    case 'contains':
      if (typeof l === 'string') return typeof r === 'string' && l.includes(r);
      if (Array.isArray(l)) return isPrimitive(r) && l.some((x) => x === r);
      return false;
    default:
      return assertNever(op);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

function compileComparison(c: Comparison): CompiledGuard {
  const left = operandReader(c.left);
  const right = operandReader(c.right);
  const op = c.op;
  return (env) => compare(op, left(env), right(env));
}

function compileAt(guard: Guard, path: (string | number)[], depth: number): CompiledGuard {
  if (depth > MAX_DEPTH) throw new ExprError(`guards nest deeper than ${MAX_DEPTH} levels`, path);
  if (typeof guard === 'string') {
    try {
      return compileComparison(parseComparison(guard));
    } catch (err) {
      if (err instanceof ExprError) throw new ExprError(err.message, path);
      throw err;
    }
  }
  if (guard === null || typeof guard !== 'object' || Array.isArray(guard)) {
    throw new ExprError('expected an expression string or one of all_of, any_of, not', path);
  }
  const keys = Object.keys(guard);
  if (keys.length !== 1) throw new ExprError('a composed guard has exactly one key: all_of, any_of or not', path);
  if ('all_of' in guard || 'any_of' in guard) {
    const key = 'all_of' in guard ? 'all_of' : 'any_of';
    const list = (guard as Record<string, unknown>)[key];
    if (!Array.isArray(list) || list.length === 0) throw new ExprError(`${key} needs a non-empty list of guards`, [...path, key]);
    const parts = list.map((g: Guard, i) => compileAt(g, [...path, key, i], depth + 1));
    return key === 'all_of' ? (env) => parts.every((p) => p(env)) : (env) => parts.some((p) => p(env));
  }
  if ('not' in guard) {
    const inner = compileAt(guard.not, [...path, 'not'], depth + 1);
    return (env) => !inner(env);
  }
  throw new ExprError(`unknown guard key "${keys[0] ?? ''}": expected all_of, any_of or not`, path);
}

/** Parses and compiles a guard; throws `ExprError` (with `path`) when it is invalid. */
export function compileGuard(guard: Guard): CompiledGuard {
  return compileAt(guard, [], 0);
}

/** Why a guard is invalid, with the path inside it (e.g. `['all_of', 1]`), or null when it parses. */
export function guardError(guard: Guard): { path: (string | number)[]; message: string } | null {
  try {
    compileGuard(guard);
    return null;
  } catch (err) {
    if (err instanceof ExprError) return { path: err.path, message: err.message };
    return { path: [], message: 'invalid expression' };
  }
}
