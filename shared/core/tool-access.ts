/**
 * Tool access (reference 000): who may use a tool at all. Resolution order: a role override for
 * the agent's role → the tool policy → no policy (the layer abstains). A tool policy's
 * restrictions apply even when a role override allows the tool: the override says who, the
 * restrictions say how.
 */
import type { ActionInput, AgentContext, RoleOverride, ToolPolicy } from './types.js';

export interface ToolAccessOutcome {
  verdict: 'ALLOW' | 'BLOCK' | 'ABSTAIN';
  block_code: 'tool_denied' | 'domain_not_allowed' | null;
  detail: string;
}

/** Lowercased host without a trailing dot. */
const normalizeHost = (h: string) => h.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');

/**
 * True when `host` is allowed by `pattern`: `api.example.com` matches only itself;
 * `*.example.com` matches any subdomain (`a.example.com`, `a.b.example.com`) but not `example.com`.
 */
export function hostMatches(pattern: string, host: string): boolean {
  const h = normalizeHost(host);
  const p = normalizeHost(pattern);
  if (p.startsWith('*.')) {
    const suffix = p.slice(1); // ".example.com"
    return h.length > suffix.length && h.endsWith(suffix);
  }
  return h === p;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_KEYS = new Set(['host', 'hostname', 'domain']);
const MAX_DEPTH = 8;

/**
 * Hosts named by the args: every URL-like string (`scheme://…`) anywhere in them, and string
 * values of keys named `host`, `hostname` or `domain`. A URL-like string that does not parse
 * yields `null`, which no pattern allows (fail closed).
 */
export function hostsInArgs(args: Record<string, unknown> | undefined): (string | null)[] {
  const out: (string | null)[] = [];
  const visit = (v: unknown, key: string | null, depth: number) => {
    if (typeof v === 'string') {
      if (URL_LIKE.test(v)) {
        try {
          out.push(new URL(v).hostname || null);
        } catch {
          out.push(null);
        }
      } else if (key !== null && HOST_KEYS.has(key.toLowerCase())) {
        out.push(v.trim() ? v.trim() : null);
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    // INVARIANT: too deep to inspect is treated as an unknown host, never as "no host".
    if (depth >= MAX_DEPTH) {
      out.push(null);
      return;
    }
    if (Array.isArray(v)) for (const x of v) visit(x, key, depth + 1);
    else for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], k, depth + 1);
  };
  visit(args, null, 0);
  return out;
}

const RESPONSE_SIZE_ARGS = ['max_response_size_kb', 'response_size_kb'];

export function evaluateToolAccess(
  action: ActionInput,
  agent: AgentContext | null,
  toolPolicies: readonly ToolPolicy[],
  roleOverrides: readonly RoleOverride[],
): ToolAccessOutcome {
  const tool = action.tool;
  const role = agent?.role ?? null;
  const override = role === null ? undefined : roleOverrides.find((o) => o.role === role && o.tool_name === tool);
  const policy = toolPolicies.find((p) => p.tool_name === tool);

  if (override && !override.allowed) {
    return { verdict: 'BLOCK', block_code: 'tool_denied', detail: `role ${role} may not use ${tool} (role override)` };
  }
  if (!override && policy && !policy.allowed) {
    return { verdict: 'BLOCK', block_code: 'tool_denied', detail: `${tool} is not allowed by its tool policy` };
  }
  if (policy) {
    const domains = policy.restrictions.allowed_domains;
    if (domains) {
      for (const host of hostsInArgs(action.args)) {
        if (host === null || !domains.some((d) => hostMatches(d, host))) {
          const shown = host === null ? 'an unreadable URL' : host;
          return { verdict: 'BLOCK', block_code: 'domain_not_allowed', detail: `${shown} is not in the allowed domains of ${tool} (${domains.join(', ') || 'none'})` };
        }
      }
    }
    const maxKb = policy.restrictions.max_response_size_kb;
    if (maxKb !== undefined) {
      for (const key of RESPONSE_SIZE_ARGS) {
        const asked = action.args?.[key];
        if (asked !== undefined && (typeof asked !== 'number' || !(asked <= maxKb))) {
          return { verdict: 'BLOCK', block_code: 'tool_denied', detail: `${key} ${String(asked)} exceeds max_response_size_kb ${maxKb} of ${tool}` };
        }
      }
    }
  }
  if (override) return { verdict: 'ALLOW', block_code: null, detail: `role ${role} may use ${tool} (role override)` };
  if (policy) return { verdict: 'ALLOW', block_code: null, detail: `${tool} is allowed by its tool policy` };
  return { verdict: 'ABSTAIN', block_code: null, detail: `no tool policy for ${tool}` };
}
