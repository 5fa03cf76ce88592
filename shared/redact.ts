/**
 * Secret redaction applied before anything is stored: values under keys named like a password,
 * token, secret, authorization, API key or cookie are replaced, at any depth.
 *
 * A key is judged by its words (`snake_case`, `camelCase`, `kebab-case`, dots), not by its
 * letters: `refresh_token`, `apiKey` and `access_tokens` are secrets; `input_tokens`,
 * `max_tokens`, `token_count` and `passenger` are not. A boolean or null under a secret key is kept: it carries no secret.
 *
 * @example redactSecrets({ headers: { Authorization: 'Bearer x' } }) // → { headers: { Authorization: '[REDACTED]' } }
 * @example redactSecrets({ usage: { input_tokens: 12 }, operator_token_rotated: true }) // → unchanged
 */
export const REDACTED = '[REDACTED]';

/** Words that name a secret on their own. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode',
  'secret', 'secrets', 'token', 'jwt',
  'authorization', 'authorisation',
  'cookie', 'cookies',
  'credential', 'credentials', 'creds',
  'apikey',
]);

/** Secrets written as one word: `accesstoken`, `clientsecret`, `dbpassword`, `privatekey`. */
const GLUED_SECRET = /(token|secret|password|passwd|passphrase|cookie|credentials?|(api|private|access|secret|signing|encryption|session)key)$/;

/** Two words that name a secret together: `api_key`, `privateKey`, `aws-access-key-id`. */
const SECRET_PAIR = /^(api|private|access|secret|signing|encryption|session)key$/;

/** Words after `token` that make it a quantity of LLM tokens: `token_count`, `totalTokenCount`. */
const TOKEN_QUANTITY = new Set(['count', 'counts', 'usage', 'limit', 'limits']);

/**
 * Words before `tokens` that make it a count of LLM tokens (`input_tokens`, `maxTokens`). Any
 * other `tokens` (`tokens`, `access_tokens`, `api_tokens`) may hold credentials: redacted.
 */
const TOKEN_KINDS = new Set([
  'input', 'output', 'max', 'min', 'prompt', 'completion', 'total', 'reasoning', 'cache', 'cached',
  'read', 'write', 'creation', 'audio', 'text', 'image', 'billed', 'used', 'remaining', 'num', 'context',
]);

/** The lowercase words of a key: `X-API-Key` → x, api, key; `totalTokenCount` → total, token, count. */
function wordsOf(key: string): string[] {
  return key
    .replace(/(?<=[a-z0-9])(?=[A-Z])/g, ' ') // apiKey → api Key
    .replace(/(?<=[A-Z])(?=[A-Z][a-z])/g, ' ') // APIKey → API Key
    .replace(/(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/g, ' ') // password2 → password 2
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Payloads repeat the same few keys: each is judged once (a bounded memo, cleared when full). */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 10_000;

/**
 * Whether values under this key are redacted.
 *
 * @example isSecretKey('refresh_token') // → true;  isSecretKey('input_tokens') // → false
 */
export function isSecretKey(key: string): boolean {
  let secret = judged.get(key);
  if (secret === undefined) {
    if (judged.size >= JUDGED_MAX) judged.clear();
    secret = judgeKey(key);
    judged.set(key, secret);
  }
  return secret;
}

function judgeKey(key: string): boolean {
  const words = wordsOf(key);
  return words.some((word, i) => {
    const next = words[i + 1];
    if (next !== undefined && TOKEN_QUANTITY.has(next) && word.endsWith('token')) return false;
    if (word === 'tokens') return !TOKEN_KINDS.has(words[i - 1] ?? '');
    return SECRET_WORDS.has(word) || GLUED_SECRET.test(word) || (next !== undefined && SECRET_PAIR.test(word + next));
  });
}

/** What is kept of a value under a secret key: true/false/null tell nothing, anything else may. */
function redactValue(value: unknown): unknown {
  return value === null || value === undefined || typeof value === 'boolean' ? value : REDACTED;
}

export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > 64) return REDACTED as T; // deeper than any real payload: refuse rather than recurse forever
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) ? redactValue(v) : redactSecrets(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
