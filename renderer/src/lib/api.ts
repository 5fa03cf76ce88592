/**
 * The one place the renderer builds its API client. Every call goes through shared/'s typed
 * client; a 401 anywhere signs the operator out (the token was rotated or is wrong).
 */
import { WardenApiError, WardenClient } from '../../../shared/client.js';

let client: WardenClient | null = null;
let onUnauthorized: (() => void) | null = null;

export function configureClient(baseUrl: string, token: string, unauthorized: () => void): WardenClient {
  onUnauthorized = unauthorized;
  const fetchWith401: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (res.status === 401) onUnauthorized?.();
    return res;
  };
  client = new WardenClient({ baseUrl, key: token, fetch: fetchWith401 });
  return client;
}

export function clearClient(): void {
  client = null;
}

/** The signed-in client. Pages render only inside the signed-in shell, so this is set. */
export function api(): WardenClient {
  if (!client) throw new WardenApiError(401, 'unauthenticated', 'not signed in');
  return client;
}

/** A short human message for any error thrown by a call. */
export function errorMessage(err: unknown): string {
  if (err instanceof WardenApiError) {
    if (err.status === 404 && err.code === 'not_found' && /no route/.test(err.message)) {
      return 'this server does not offer that yet (route not found) — update Warden';
    }
    return err.param ? `${err.message} (${err.param})` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isApiError(err: unknown, code?: string): err is WardenApiError {
  return err instanceof WardenApiError && (code === undefined || err.code === code);
}

/** A fresh idempotency key so a double-click never decides twice. */
export function idemKey(): string {
  return crypto.randomUUID();
}
