/**
 * Tool access: who may use a tool at all. Resolution order: a role override for
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
// Stryker disable next-line MethodExpression,Regex: both sides of a comparison are normalized alike, and brackets only ever wrap a whole IPv6 host
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

const MAX_DEPTH = 8;
/** Any `scheme:` prefix: `https:evil.com` and `https:/evil.com` reach evil.com as surely as `https://`. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** `scheme://…`, where an authority (a host) must follow. */
const WITH_AUTHORITY = /^[a-z][a-z0-9+.-]*:[/\\]{2}/i;
/** Scheme-relative (`//evil.com`, and `\\evil.com`, which WHATWG parsing treats the same). */
const SCHEME_RELATIVE = /^[/\\]{2}/;
/** Resolves scheme-relative references; `.invalid` can never be a real host. */
const RELATIVE_BASE = 'http://relative.invalid';
/** Last words of keys whose string values name a host even without a scheme (`evil.com`). */
const URL_KEY_WORDS = new Set(['url', 'uri', 'href', 'link', 'endpoint', 'website', 'host', 'hostname', 'domain']);

/** `url`, `callbackUrl`, `webhook_urls`, `Host`, `api-endpoint`: keys that hold a URL or a host. */
function isUrlKey(key: string): boolean {
  // Stryker disable next-line Regex: runs of separators only add empty words, and only the last word is read
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/);
  // Stryker disable next-line StringLiteral: split always returns at least one word
  const last = (words[words.length - 1] ?? '').replace(/s$/, '');
  return URL_KEY_WORDS.has(last);
}

const hostnameOf = (input: string, base?: string): string | null => {
  try {
    return new URL(input, base).hostname || null;
  } catch {
    return null;
  }
};

/** Without control characters (U+0000–U+0020) and whitespace at either end. */
function trimControls(s: string): string {
  // Stryker disable next-line EqualityOperator: a space (0x20) is whitespace for /\s/ too
  const ignored = (c: number) => c <= 0x20 || /\s/.test(String.fromCharCode(c));
  let start = 0;
  let end = s.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end charCodeAt is NaN, which is not ignored, so the loop stops there anyway
  while (start < end && ignored(s.charCodeAt(start))) start++;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: before the start charCodeAt is NaN, which is not ignored, and slice(start, end < start) is empty too
  while (end > start && ignored(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * The host a string names: a string, `null` when it looks like a URL but yields no host (fail
 * closed), or `undefined` when it is not a URL at all. In a URL-ish key (`urlKey`) every string
 * is a URL or a bare host, so anything that yields no host is `null`.
 */
function hostOf(raw: string, urlKey: boolean): string | null | undefined {
  // What WHATWG parsing (and so most HTTP clients) ignores: tabs and newlines anywhere, control
  // characters and spaces around. Stripping them here means `" https://evil.com"` and
  // `"ht\ttps://evil.com"` are read as the URL a client would fetch.
  const v = trimControls(raw.replace(/[\t\n\r]/g, ''));
  if (SCHEME_RELATIVE.test(v)) {
    const host = hostnameOf(v, RELATIVE_BASE);
    // Outside URL-ish keys, `// a comment` that parses to no host is text, not a URL.
    return host ?? (urlKey ? null : undefined);
  }
  if (SCHEME.test(v)) {
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      // INVARIANT: a string that starts like a URL but does not parse is an unknown host.
      return null;
    }
    if (parsed.hostname) return parsed.hostname;
    // `file:///x`, `foo://`: an authority that names no host is an unknown host.
    if (WITH_AUTHORITY.test(v)) return null;
    // `mailto:`, `note: text`, `C:\dir`: no host. In a URL-ish key it may still be a bare
    // `host:port` (`evil.com:8080` reads as scheme `evil.com`), handled below.
    // Stryker disable next-line ConditionalExpression: the same check follows right after this block
    if (!urlKey) return undefined;
  }
  if (!urlKey) return undefined;
  // A bare host (`evil.com`, `evil.com/x`, `user@evil.com:8080`). A path (`/x`), query or
  // fragment names no host of its own, so it is unknown, not the host of some base.
  // Stryker disable next-line ConditionalExpression,StringLiteral: an empty string yields no host below either (null)
  if (v === '' || /^[/\\?#]/.test(v)) return null;
  return hostnameOf(`http://${v}`);
}

/**
 * Hosts named by the args: every string anywhere in them that is a URL — any `scheme:` form a
 * WHATWG parser resolves to a host (`https://a.com`, `https:a.com`), or scheme-relative
 * (`//a.com`) — after trimming what a URL parser ignores; plus bare hosts in URL-ish keys (`url`,
 * `href`, `link`, `endpoint`, `website`, `host`, `domain`, `callback_url`, …). A string that looks
 * like a URL but yields no host, and any string in a URL-ish key that yields none, is `null`,
 * which no pattern allows (fail closed).
 *
 * @example
 *   hostsInArgs({ url: 'evil.com', note: ' https:/b.org', body: 'plain text' }) // ['evil.com', 'b.org']
 */
export function hostsInArgs(args: Record<string, unknown> | undefined): (string | null)[] {
  const out: (string | null)[] = [];
  const visit = (v: unknown, urlKey: boolean, depth: number) => {
    if (typeof v === 'string') {
      const host = hostOf(v, urlKey);
      if (host !== undefined) out.push(host);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    // INVARIANT: too deep to inspect is treated as an unknown host, never as "no host".
    if (depth >= MAX_DEPTH) {
      out.push(null);
      return;
    }
    // Array items inherit their key: `{urls: ["evil.com"]}` names a host.
    if (Array.isArray(v)) for (const x of v) visit(x, urlKey, depth + 1);
    else for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], isUrlKey(k), depth + 1);
  };
  // Stryker disable next-line BooleanLiteral: args is an object, whose keys decide for their own values
  visit(args, false, 0);
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
          // Stryker disable next-line all: only the wording of the BLOCK detail
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
