/**
 * Typed client for the Warden API, used by the renderer, the CLI and agents written in
 * TypeScript. Types come from the route contract, so a renamed field breaks the build.
 *
 * @example
 * const warden = new WardenClient({ baseUrl: 'http://127.0.0.1:7419', key: process.env.WARDEN_KEY });
 * const action = await warden.call('createAction', { body: { tool: 'shell.exec', args: { command: 'ls' } } });
 */
import { fillPath, type RouteInput, type RouteOutput } from './api/contract.js';
import { routes, type RouteName, type Routes } from './api/index.js';
import type { ErrorBody, ErrorCode } from './api/common.js';

export class WardenApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network_error',
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'WardenApiError';
  }
}

export interface ClientOptions {
  baseUrl: string;
  /** An agent key (`wk_agent_…`) or the operator token (`wk_op_…`). */
  key?: string;
  fetch?: typeof fetch;
}

export interface CallOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export class WardenClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The URL of a route with its params and query filled in. */
  url<N extends RouteName>(name: N, input?: Partial<RouteInput<Routes[N]>>): string {
    const def = routes[name];
    const { params, query } = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown> };
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) search.set(k, String(v));
    }
    const qs = search.toString();
    return `${this.baseUrl}${fillPath(def.path, params)}${qs ? `?${qs}` : ''}`;
  }

  async call<N extends RouteName>(
    name: N,
    ...[input, opts]: {} extends RouteInput<Routes[N]>
      ? [input?: RouteInput<Routes[N]>, opts?: CallOptions]
      : [input: RouteInput<Routes[N]>, opts?: CallOptions]
  ): Promise<RouteOutput<Routes[N]>> {
    const def = routes[name];
    const body = (input as { body?: unknown } | undefined)?.body;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts?.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    let res: Response;
    try {
      res = await this.fetchFn(this.url(name, input as Partial<RouteInput<Routes[N]>>), {
        method: def.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts?.signal,
      });
    } catch (err) {
      throw new WardenApiError(0, 'network_error', `cannot reach Warden at ${this.baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: ErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        /* not JSON: reported below */
      }
      const e = parsed?.error;
      throw new WardenApiError(res.status, e?.code ?? 'internal_error', e?.message ?? `HTTP ${res.status}`, e?.param);
    }
    if (def.raw) return text as RouteOutput<Routes[N]>;
    return (text ? JSON.parse(text) : undefined) as RouteOutput<Routes[N]>;
  }
}
