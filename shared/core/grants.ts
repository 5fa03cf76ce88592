/**
 * Grants (allow-always): a live grant for (agent, tool, connector, args pattern, amount) lifts a
 * guardrail ALERT. Matching is exact on agent, tool and connector (a null connector matches any);
 * `args_pattern` holds, per key, an exact JSON value or a string glob such as `src/*`;
 * `max_value`, when set, needs a finite `value` at most that much.
 *
 * Two kinds of argument are read as what they mean rather than as characters:
 * - a shell command (`command` of `shell.exec`): a pattern with `*` matches the WORDS of one safe
 *   simple command (`git push origin *`: those three words, then anything), never a compound
 *   command or one with a substitution (shared/core/shell.ts); an exact pattern matches the exact
 *   command only;
 * - a path (`path`, `file_path`, …): `..` and `.` are resolved first, so a folder grant
 *   `/repo/src/*` never covers `/repo/src/../../etc/passwd`.
 */
import { globMatch } from './glob.js';
import { analyzeShellCached, wordsMatch } from './shell.js';
import type { ActionInput, GrantState } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** The tool whose `command` argument is a shell command line. */
export const SHELL_TOOL = 'shell.exec';
/** Argument names that hold a file path. */
export const PATH_KEYS: ReadonlySet<string> = new Set(['path', 'file_path', 'notebook_path', 'filename', 'file', 'dir', 'directory', 'target', 'destination', 'source']);

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the line above left both arrays or neither, and key-wise comparison of dense JSON arrays is item-wise
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => hasOwn.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A POSIX path with `.`, `..` and repeated slashes resolved (`/a/b/../c` → `/a/c`). A relative
 * path that climbs out of where it starts keeps its leading `..`.
 */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/** True when a shell command matches a grant's `command` pattern (see the file header). */
function commandMatches(pattern: string, command: string): boolean {
  if (!pattern.includes('*')) return pattern === command;
  const a = analyzeShellCached(command);
  if (!a.ok || a.commands.length !== 1) return false;
  const only = a.commands[0]!;
  // Redirections are judged apart, as writes and reads of their files (shared/core/compound.ts).
  if (only.unsafe !== null) return false;
  return wordsMatch(pattern, only.words);
}

/**
 * True when every key of `pattern` is present in `args` and matches (glob for strings; words
 * for a shell command when `tool` is `shell.exec`; resolved paths for path arguments).
 */
export function argsMatch(pattern: Record<string, unknown> | null, args: Record<string, unknown> | undefined, tool?: string): boolean {
  if (pattern === null) return true;
  for (const key of Object.keys(pattern)) {
    const want = pattern[key];
    if (!args || !hasOwn.call(args, key)) return false;
    const got = args[key];
    if (tool === SHELL_TOOL && key === 'command' && typeof want === 'string') {
      // Stryker disable next-line ConditionalExpression: commandMatches never matches a non-string (exact compare, or unreadable as shell)
      if (typeof got !== 'string' || !commandMatches(want, got)) return false;
    } else if (typeof want === 'string' && want.includes('*')) {
      if (typeof got !== 'string') return false;
      const text = PATH_KEYS.has(key) ? normalizePath(got) : got;
      if (!globMatch(want, text)) return false;
    } else if (!sameJson(want, got)) {
      return false;
    }
  }
  return true;
}

/** True when the grant's amount scope admits the action's value. */
function valueFits(max: number | null | undefined, value: number | undefined): boolean {
  if (max === null || max === undefined) return true;
  // INVARIANT: an amount scope with nothing to compare does not match, or leaving `value` out would bypass it.
  // Stryker disable next-line ConditionalExpression: Number.isFinite is already false for anything but a number
  return typeof value === 'number' && Number.isFinite(value) && value <= max;
}

/** True when `g` is live at `now` (not revoked; an unreadable expiry counts as expired). */
export function grantLive(g: GrantState, now: number): boolean {
  if (g.revoked_at !== null) return false;
  if (g.expires_at === null) return true;
  const at = Date.parse(g.expires_at);
  // INVARIANT: an unreadable expiry is treated as expired.
  return at > now;
}

/** True when grant `g` (live or not) covers `action` of agent `agentId`. */
export function grantCovers(g: GrantState, agentId: string, action: ActionInput): boolean {
  if (g.agent_id !== agentId || g.tool !== action.tool) return false;
  if (g.connector !== null && g.connector !== action.connector) return false;
  if (!valueFits(g.max_value, action.value)) return false;
  return argsMatch(g.args_pattern, action.args, action.tool);
}

/** The first live grant of `agentId` covering the action, or null. `now` is epoch ms. */
export function findGrant(grants: readonly GrantState[], agentId: string | null, action: ActionInput, now: number): GrantState | null {
  // Stryker disable next-line ConditionalExpression: a grant's agent_id is a string, so grantCovers already refuses a null agent
  if (agentId === null) return null;
  for (const g of grants) {
    if (grantLive(g, now) && grantCovers(g, agentId, action)) return g;
  }
  return null;
}
