/**
 * Grants (allow-always): a live grant for (agent, tool, connector, args pattern) lifts a
 * guardrail ALERT. Matching is exact on agent, tool and connector (a null connector matches any);
 * `args_pattern` holds, per key, an exact JSON value or a string glob such as `git *`.
 */
import { globMatch } from './glob.js';
import type { ActionInput, GrantState } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => hasOwn.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** True when every key of `pattern` is present in `args` and matches (glob for strings). */
export function argsMatch(pattern: Record<string, unknown> | null, args: Record<string, unknown> | undefined): boolean {
  if (pattern === null) return true;
  for (const key of Object.keys(pattern)) {
    const want = pattern[key];
    if (!args || !hasOwn.call(args, key)) return false;
    const got = args[key];
    if (typeof want === 'string' && want.includes('*')) {
      if (typeof got !== 'string' || !globMatch(want, got)) return false;
    } else if (!sameJson(want, got)) {
      return false;
    }
  }
  return true;
}

/** The first live grant of `agentId` covering the action, or null. `now` is epoch ms. */
export function findGrant(grants: readonly GrantState[], agentId: string | null, action: ActionInput, now: number): GrantState | null {
  if (agentId === null) return null;
  for (const g of grants) {
    if (g.agent_id !== agentId || g.tool !== action.tool) continue;
    if (g.revoked_at !== null) continue;
    if (g.expires_at !== null) {
      const at = Date.parse(g.expires_at);
      // INVARIANT: an unreadable expiry is treated as expired.
      if (!(at > now)) continue;
    }
    if (g.connector !== null && g.connector !== action.connector) continue;
    if (!argsMatch(g.args_pattern, action.args)) continue;
    return g;
  }
  return null;
}
