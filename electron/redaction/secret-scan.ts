/**
 * Secrets found by their shape: secretlint's recommended rule set (AWS, GitHub, GitLab, Slack,
 * OpenAI, Anthropic, npm, SendGrid, private keys, connection strings, …), run synchronously on a
 * text, plus the key formats it has no rule for (Stripe, Google API keys, JWTs, AWS access key
 * ids, OpenAI project keys). Used by `redactForStorage`, never by evaluation.
 */
import { rules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretScanner } from '../../shared/redact.js';

interface RuleLike {
  meta: { id: string; type?: string };
  create(context: unknown, options: unknown): { file?: (source: unknown) => unknown };
}

/** Formats the preset has no rule for. Each is anchored on a fixed prefix, so it runs in linear time. */
const EXTRA_PATTERNS: readonly RegExp[] = [
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g, // Stripe secret and restricted keys
  /\bwhsec_[A-Za-z0-9]{24,}\b/g, // Stripe webhook secrets
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bya29\.[0-9A-Za-z_-]{20,}/g, // Google OAuth access tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/g, // OpenAI project, service and admin keys
];

type Range = readonly [number, number];

let sink: Range[] = [];
const context = {
  createTranslator: () => () => '',
  report: (d: { range: Range }) => sink.push(d.range),
  ignore: () => {},
  sharedOptions: {},
};

/** Each rule's handler, made once: a scan only runs the rules' patterns. */
const handlers = (rules as unknown as RuleLike[])
  // filter-comments only reacts to `secretlint-disable` comments: an agent must not switch rules off.
  .filter((rule) => rule.meta.type !== 'preset' && !rule.meta.id.endsWith('filter-comments'))
  .map((rule) => rule.create(context, {}).file)
  .filter((file): file is (source: unknown) => unknown => typeof file === 'function');

const source = (content: string) => ({
  content,
  filePath: 'value.txt',
  ext: '.txt',
  contentType: 'text',
  sourceType: 'text',
  indexToPosition: () => ({ line: 1, column: 0 }),
  locationToRange: () => [0, 0],
});

/** A run of key characters long enough for a credential, e.g. `ghp_…`, `xoxb-…`, a JWT segment. */
const KEY_RUN = /[A-Za-z0-9_+/=-]{20,}/g;
/** An id from common/ids.ts: a short prefix, 9 base36 characters of time, 12 random base64url. */
const WARDEN_ID = /^[a-z]{2,4}_[0-9a-z]{9}[A-Za-z0-9_-]{12}$/;

/**
 * Whether `text` may hold a secret the rules look for: a private key block, or a run of 20+ key
 * characters mixing letters and digits. The rules cost about a tenth of a millisecond a text
 * whatever its length; most texts (commands, paths, explanations) skip them here.
 */
export function mayHoldKey(text: string): boolean {
  if (text.includes('-----BEGIN')) return true;
  for (const m of text.matchAll(KEY_RUN)) {
    const run = m[0];
    if (!/[0-9]/.test(run) || !/[A-Za-z]/.test(run)) continue;
    // Warden's own ids (`act_…`, `rcp_…`) and hex digests (hash chains, omitted bodies): no rule matches them.
    if (WARDEN_ID.test(run) || /^[0-9a-f]+$/.test(run)) continue;
    return true;
  }
  return false;
}

/** Texts repeat (explanations, tool names, the same command): their findings are kept, bounded. */
const memo = new Map<string, readonly Range[]>();
const MEMO_MAX = 2_000;
const MEMO_TEXT_MAX = 4_096;

export const scanForSecrets: SecretScanner = (text) => {
  if (!mayHoldKey(text)) return [];
  const known = memo.get(text);
  if (known) return known;
  const found = runRules(text);
  if (text.length <= MEMO_TEXT_MAX) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(text, found);
  }
  return found;
};

function runRules(text: string): Range[] {
  sink = [];
  const src = source(text);
  for (const file of handlers) {
    try {
      const result = file(src);
      // A rule that answers asynchronously (only for binary files it never sees here) is ignored.
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // A failing rule must not fail the request; the others still ran.
    }
  }
  const found = sink;
  sink = [];
  for (const pattern of EXTRA_PATTERNS) {
    for (const m of text.matchAll(pattern)) found.push([m.index, m.index + m[0].length]);
  }
  return found;
}
