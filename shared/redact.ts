/**
 * Secret redaction applied before anything is stored: values under keys named like a password,
 * token, secret, authorization, API key or cookie are replaced, at any depth.
 *
 * @example redactSecrets({ headers: { Authorization: 'Bearer x' } }) // → { headers: { Authorization: '[REDACTED]' } }
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY = /pass(word|wd|phrase)?|token|secret|authori[sz]ation|api[-_]?key|cookie|private[-_]?key|credential/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > 64) return REDACTED as T; // deeper than any real payload: refuse rather than recurse forever
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
