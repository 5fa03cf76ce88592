/**
 * The `rest` executor: an HTTP request to a declared connection (its base URL and headers stay
 * inside Warden), with an `Idempotency-Key` derived from run and step so a retried or resumed
 * call is safe, retried with exponential backoff on network errors, 429 and 5xx.
 */
import type { Executor } from '../../../shared/workflows/definition.js';
import type { ResolvedConnection } from '../connections.js';
import type { ExecutorResult } from '../engine.js';

type RestExecutor = Extract<Executor, { kind: 'rest' }>;

export const DEFAULT_REST_ATTEMPTS = 3;
const KEEP_BODY = 8192;

export interface RestOptions {
  /** The first retry's delay; each next one doubles. */
  baseDelayMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export function idempotencyKeyOf(runId: string, step: number): string {
  return `wf-${runId}-${step}`;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done, fail) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), fail(new Error('aborted'))), { once: true });
  });

export async function runRest(executor: RestExecutor, connection: ResolvedConnection | undefined, key: string, options: RestOptions): Promise<ExecutorResult> {
  if (!connection) return { ok: false, reason: `no connection named ${executor.connection} is declared (POST /v1/connections)` };
  const url = connection.base_url.replace(/\/+$/, '') + executor.path;
  const attempts = executor.max_attempts ?? DEFAULT_REST_ATTEMPTS;
  const body = executor.body === undefined || executor.method === 'GET' ? undefined : JSON.stringify(executor.body);
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(options.baseDelayMs * 2 ** (attempt - 2), options.signal);
    try {
      const res = await fetch(url, {
        method: executor.method,
        headers: { ...connection.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'idempotency-key': key },
        body,
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: kept as text */
      }
      const evidence = { status: res.status, method: executor.method, connection: executor.connection, path: executor.path, attempts: attempt, body: text.slice(0, KEEP_BODY) };
      if (res.ok) return { ok: true, output: parsed, evidence: { kind: 'rest_response', data: evidence } };
      last = `${executor.method} ${executor.path} answered ${res.status}`;
      if (res.status !== 429 && res.status < 500) return { ok: false, reason: last, details: { status: res.status, attempts: attempt } };
    } catch (err) {
      if (options.signal.aborted) throw err;
      last = `${executor.method} ${executor.path} failed: ${(err as Error).message}`;
    }
  }
  return { ok: false, reason: `${last} (after ${attempts} attempts)`, details: { attempts } };
}
