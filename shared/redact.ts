/**
 * Secret redaction applied before anything is stored, streamed or notified: values under keys
 * named like a password, token, secret, authorization, API key or cookie are replaced, at any
 * depth; inside every string, credentials written in a command, a URL or a header line
 * (`Bearer …`, `--password=…`, `AWS_SECRET_ACCESS_KEY=… cmd`, `?token=…`, `user:pw@host`) and,
 * with a scanner, anything shaped like a provider's key; in `[{name, value}]` lists, the value
 * of a secret name.
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

/**
 * Finds secrets by their shape (a provider's key format) inside a text: the half-open ranges
 * `[start, end)` to hide. Supplied by the caller (the server uses a maintained rule set), so this
 * module stays free of any dependency.
 */
export type SecretScanner = (text: string) => readonly (readonly [number, number])[];

export interface RedactOptions {
  scan?: SecretScanner;
}

/** Texts shorter than this hold no credential worth a scan. */
const MIN_SECRET_TEXT = 8;

/** `Authorization: Bearer X`, `Basic X`, `Token X`: the credential after the scheme. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{6,})/g;
const AUTH_SCHEME_WORD = /^(Bearer|Basic|Token)$/i;
/** `scheme://user:PASSWORD@host`: the password of a URL. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/'"]+:)([^\s@/'"]+)(@)/gi;
/** `curl -u user:PASSWORD`, `--user user:PASSWORD`. */
const USER_FLAG = /((?:^|\s)(?:-u|--user)(?:\s+|=)['"]?[^\s:'"]+:)([^\s'"]+)/g;
/**
 * `NAME=VALUE`, `NAME: VALUE`, `--NAME=VALUE`, `?NAME=VALUE&…`, `"NAME": "VALUE"`: the VALUE when
 * NAME names a secret (judged like a key, by isSecretKey).
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,63})\1(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s&"',;)}\]]+)/g;
/** `--NAME VALUE`: a flag's value given after a space. */
const FLAG_VALUE = /(?<=^|\s)(--?[A-Za-z][A-Za-z0-9_-]{0,63})(\s+)("[^"\n]*"|'[^'\n]*'|[^\s'"-][^\s'"]*)/g;

/** `value` hidden, its quotes kept. */
function hidden(value: string): string {
  const q = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${q}${REDACTED}${q}`;
}
const isHidden = (value: string) => value.replace(/^["']/, '').startsWith(REDACTED);

/** Hides credentials written inside a text (a shell command, a URL, a header line). */
export function redactText(text: string, options: RedactOptions = {}): string {
  if (text.length < MIN_SECRET_TEXT) return text;
  let out = text
    .replace(AUTH_SCHEME, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(URL_PASSWORD, (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`)
    .replace(USER_FLAG, (_m, head: string) => `${head}${REDACTED}`)
    .replace(ASSIGNMENT, (m, quote: string, name: string, sep: string, value: string) =>
      // `Authorization: Bearer [REDACTED]`: the scheme tells nothing, its credential is already hidden.
      isSecretKey(name) && !isHidden(value) && !AUTH_SCHEME_WORD.test(value) ? `${quote}${name}${quote}${sep}${hidden(value)}` : m,
    )
    .replace(FLAG_VALUE, (m, flag: string, space: string, value: string) =>
      isSecretKey(flag.replace(/^-+/, '')) && !isHidden(value) ? `${flag}${space}${hidden(value)}` : m,
    );
  if (options.scan) {
    // Overlapping findings merge into one mark; replaced from the end, so offsets stay valid.
    const merged: [number, number][] = [];
    for (const [start, end] of [...options.scan(out)].sort((a, b) => a[0] - b[0])) {
      const last = merged.at(-1);
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else if (end > start) merged.push([start, end]);
    }
    for (const [start, end] of merged.reverse()) out = out.slice(0, start) + REDACTED + out.slice(end);
  }
  return out;
}

/** `[{name: "Authorization", value: "…"}]`: a header list names its secret in a sibling field. */
function labelOf(obj: Record<string, unknown>): string | undefined {
  const label = obj.name ?? obj.key ?? obj.header;
  return typeof label === 'string' ? label : undefined;
}

export function redactSecrets<T>(value: T, options: RedactOptions = {}): T {
  return redactAt(value, options, 0) as T;
}

function redactAt(value: unknown, options: RedactOptions, depth: number): unknown {
  if (depth > 64) return REDACTED; // deeper than any real payload: refuse rather than recurse forever
  if (typeof value === 'string') return redactText(value, options);
  if (Array.isArray(value)) return value.map((v) => redactAt(v, options, depth + 1));
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const label = labelOf(obj);
    const secretPair = label !== undefined && isSecretKey(label);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      out[k] = isSecretKey(k) || (secretPair && k === 'value') ? redactValue(v) : redactAt(v, options, depth + 1);
    }
    return out;
  }
  return value;
}
