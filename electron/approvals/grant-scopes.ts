/**
 * What an Allow always grants. The default is the narrowest useful scope: the exact arguments
 * that say what the action does (a shell command and its folder, a file path, a URL, otherwise
 * every argument but free text), the request's own amount as `max_value`, and 30 days. Wider
 * scopes (a command prefix by words, a folder, a domain, any arguments) are proposed here and
 * chosen explicitly; on a high-risk tool a wide scope needs a confirmation.
 */
import { DEFAULT_GRANT_TTL_DAYS, type GrantScope } from '../../shared/api/grants.js';
import { globMatch } from '../../shared/core/glob.js';
import { PATH_KEYS, SHELL_TOOL, normalizePath } from '../../shared/core/grants.js';
import type { ActionInput, GovernanceSettings } from '../../shared/core/types.js';
import { toIso } from '../common/clock.js';
import { canonicalJson } from '../policies/rows.js';
import { invalid } from '../server/errors.js';
import { commandWords } from './command-words.js';

const DAY_MS = 86_400_000;
export const DEFAULT_GRANT_TTL_MS = DEFAULT_GRANT_TTL_DAYS * DAY_MS;

/** Free text that describes a request rather than saying what it does: left out of the exact scope. */
const VOLATILE_ARGS = new Set(['description', 'reason', 'comment', 'note', 'notes', 'summary', 'title', 'explanation', 'justification', 'rationale', 'task', 'task_id']);
const PATH_ARGS = [...PATH_KEYS];

export type ScopeKind = 'exact' | 'command_prefix' | 'folder' | 'domain' | 'amount' | 'any_args';

export interface Scope {
  id: string;
  kind: ScopeKind;
  label: string;
  args_pattern: Record<string, unknown> | null;
  max_value: number | null;
  wide: boolean;
}

const pick = (args: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter((k) => Object.prototype.hasOwnProperty.call(args, k)).map((k) => [k, args[k]]));

const isShell = (a: ActionInput) => a.tool.startsWith('shell.') && typeof a.args?.command === 'string';
const isHttp = (a: ActionInput) => typeof a.args?.url === 'string' && (a.tool.startsWith('http.') || a.tool.startsWith('web.') || a.tool.startsWith('fetch'));
const pathKeyOf = (a: ActionInput): string | undefined => PATH_ARGS.find((k) => typeof a.args?.[k] === 'string');

/** The arguments an exact grant pins, by what the tool is. */
function exactArgs(a: ActionInput): Record<string, unknown> {
  const args = a.args ?? {};
  if (isShell(a)) return pick(args, ['command', 'cwd']);
  if (a.tool.startsWith('fs.') && pathKeyOf(a)) return pick(args, PATH_ARGS);
  if (isHttp(a)) return pick(args, ['url', 'method']);
  return Object.fromEntries(Object.entries(args).filter(([k]) => !VOLATILE_ARGS.has(k)));
}

/**
 * A grant pattern holds exact values, or `*` globs in strings. A string value holding `*` would
 * be read as a glob, wider than the value itself, so an exact scope cannot pin it.
 */
function holdsStar(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('*');
  if (v && typeof v === 'object') return Object.values(v as Record<string, unknown>).some(holdsStar);
  return false;
}

/** The narrow default, or why it cannot be expressed. */
export function exactScope(a: ActionInput): { ok: true; scope: Scope } | { ok: false; why: string } {
  const args = exactArgs(a);
  const starred = Object.keys(args).filter((k) => holdsStar(args[k]));
  if (starred.length) {
    return {
      ok: false,
      why: `an exact grant cannot pin ${starred.map((k) => `\`${k}\``).join(', ')}: the value holds \`*\`, which a grant pattern reads as a wildcard`,
    };
  }
  const pattern = Object.keys(args).length ? args : null;
  return {
    ok: true,
    scope: {
      id: 'exact',
      kind: 'exact',
      label: exactLabel(a, pattern),
      args_pattern: pattern,
      max_value: a.value ?? null,
      wide: false,
    },
  };
}

const amount = (a: ActionInput) => (a.value !== undefined ? ` with value ≤ ${a.value}` : '');

function exactLabel(a: ActionInput, pattern: Record<string, unknown> | null): string {
  const args = a.args ?? {};
  if (isShell(a)) return `exactly \`${String(args.command)}\`${typeof args.cwd === 'string' ? ` in ${args.cwd}` : ''}`;
  const pathKey = pathKeyOf(a);
  if (a.tool.startsWith('fs.') && pathKey) return `exactly ${String(args[pathKey])}`;
  if (isHttp(a)) return `exactly ${typeof args.method === 'string' ? `${args.method} ` : ''}${String(args.url)}`;
  if (!pattern) return `${a.tool} (this request has no arguments)${amount(a)}`;
  return `these exact arguments${amount(a)}`;
}

/** Every proposal, narrowest first; the exact scope first when it can be expressed. */
export function proposeScopes(a: ActionInput): Scope[] {
  const scopes: Scope[] = [];
  const exact = exactScope(a);
  if (exact.ok) scopes.push(exact.scope);
  const args = a.args ?? {};
  const value = a.value ?? null;

  if (isShell(a)) {
    // Word-wise prefixes exist only where the core matches commands by words (shell.exec).
    const words = a.tool === SHELL_TOOL ? commandWords(String(args.command)) : null;
    const cwd = typeof args.cwd === 'string' && !args.cwd.includes('*') ? { cwd: args.cwd } : {};
    if (words) {
      for (let n = Math.min(words.plain.length, words.count - 1); n >= 1; n--) {
        const prefix = `${words.plain.slice(0, n).join(' ')} *`;
        scopes.push({
          id: `command_prefix_${n}`,
          kind: 'command_prefix',
          label: `commands starting with the words \`${prefix}\`${cwd.cwd ? ` in ${cwd.cwd}` : ''}`,
          args_pattern: { command: prefix, ...cwd },
          max_value: value,
          wide: true,
        });
      }
    }
    // Never "any command": a shell grant is always pinned to words.
    return scopes;
  }

  const pathKey = pathKeyOf(a);
  if (a.tool.startsWith('fs.') && pathKey) {
    // Matched against the resolved path (the core resolves `..` before matching a folder).
    const path = normalizePath(String(args[pathKey]));
    const parts = path.split('/');
    // The file's folder, then its parent, never the root or a top-level folder.
    for (let up = 1; up <= 2; up++) {
      const dir = parts.slice(0, parts.length - up).join('/');
      if (!dir || dir.includes('*') || dir.split('/').filter(Boolean).length < 2) break;
      scopes.push({
        id: `folder_${up}`,
        kind: 'folder',
        label: `anything under ${dir}/`,
        args_pattern: { [pathKey]: `${dir}/*` },
        max_value: value,
        wide: true,
      });
    }
    return scopes;
  }

  if (isHttp(a)) {
    let origin: string | null = null;
    try {
      const u = new URL(String(args.url));
      if (u.protocol === 'https:' || u.protocol === 'http:') origin = `${u.protocol}//${u.host}`;
    } catch {
      origin = null;
    }
    if (origin && !origin.includes('*')) {
      const method = typeof args.method === 'string' && !args.method.includes('*') ? { method: args.method } : {};
      scopes.push({
        id: 'domain',
        kind: 'domain',
        label: `any URL on ${origin}/${method.method ? ` (${method.method})` : ''}`,
        args_pattern: { url: `${origin}/*`, ...method },
        max_value: value,
        wide: true,
      });
    }
    return scopes;
  }

  const hasArgs = Object.keys(exactArgs(a)).length > 0;
  if (value !== null && hasArgs) {
    scopes.push({ id: 'amount', kind: 'amount', label: `any ${a.tool} with value ≤ ${value}`, args_pattern: null, max_value: value, wide: true });
  } else if (hasArgs) {
    scopes.push({ id: 'any_args', kind: 'any_args', label: `any ${a.tool}, whatever its arguments`, args_pattern: null, max_value: null, wide: true });
  }
  return scopes;
}

/** Why the tool counts as high-risk under the settings, or null. */
export function highRiskReason(a: ActionInput, categories: readonly string[], settings: GovernanceSettings): string | null {
  const tool = (settings.high_risk_tools ?? []).find((g) => globMatch(g, a.tool));
  if (tool) return `${a.tool} is a high-risk tool (${tool})`;
  const risky = new Set(settings.high_risk_categories ?? []);
  const category = [...(a.categories ?? []), ...categories].find((c) => risky.has(c));
  return category ? `${a.tool} is in the high-risk category ${category}` : null;
}

export interface ResolvedGrant {
  args_pattern: Record<string, unknown> | null;
  max_value: number | null;
  expires_at: string | null;
}

/**
 * The grant an allow_always creates from the operator's options: every option left out takes
 * its narrow default. Throws 400 for a scope that cannot be granted as asked.
 */
export function resolveGrant(a: ActionInput, options: GrantScope | undefined, highRisk: string | null, nowMs: number): ResolvedGrant {
  const exact = exactScope(a);
  let args_pattern: Record<string, unknown> | null;
  if (options?.args_pattern !== undefined) args_pattern = options.args_pattern;
  else if (exact.ok) args_pattern = exact.scope.args_pattern;
  else throw invalid('grant.args_pattern', `${exact.why}; choose grant.args_pattern explicitly, or allow once`);

  if (options?.max_value !== undefined && options.max_value !== null && a.value === undefined) {
    throw invalid('grant.max_value', `the request carries no value, so a grant with max_value ${options.max_value} would never apply to it`);
  }
  const max_value = options?.max_value !== undefined ? options.max_value : (a.value ?? null);

  let expires_at: string | null;
  if (options?.expires_at === null) expires_at = null;
  else if (options?.expires_at !== undefined) {
    const at = Date.parse(options.expires_at);
    if (!(at > nowMs)) throw invalid('grant.expires_at', `grant.expires_at must be in the future, got ${options.expires_at}`);
    expires_at = toIso(at);
  } else expires_at = toIso(nowMs + DEFAULT_GRANT_TTL_MS);

  const widerArgs = !exact.ok || canonicalJson(args_pattern) !== canonicalJson(exact.scope.args_pattern);
  const widerValue = a.value !== undefined && (max_value === null || max_value > a.value);
  if (highRisk && (widerArgs || widerValue) && options?.confirm !== true) {
    throw invalid('grant.confirm', `${highRisk}: a grant wider than the exact request needs grant.confirm: true`);
  }
  return { args_pattern, max_value, expires_at };
}
