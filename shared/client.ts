/**
 * Typed client for the Warden API, used by the renderer, the CLI and agents written in
 * TypeScript. Types come from the route contract (`shared/api`), so a renamed field breaks the
 * build of every caller instead of failing at run time.
 *
 * @example
 * const warden = new WardenClient({ baseUrl: 'http://127.0.0.1:7419', key: process.env.WARDEN_KEY });
 * const action = await warden.call('createAction', { body: { tool: 'shell.exec', args: { command: 'ls' } } });
 *
 * @example
 * // Every agent, following `next_cursor` page by page:
 * for await (const agent of warden.paginate('listAgents')) console.log(agent.name);
 */
import { fillPath, type RouteInput, type RouteOutput } from './api/contract.js';
import type { RouteName, Routes } from './api/index.js';
import { routeTable, type RouteEntry } from './api/route-table.js';
import type { ErrorBody, ErrorCode, ListPage } from './api/common.js';
import type { WardenEvent } from './events.js';
import type { Action } from './api/actions.js';
import type { ActionInput } from './api/vocabulary.js';
import { ACTION_STATUSES } from './vocabulary.js';
import type { Approval } from './api/approvals.js';

export class WardenApiError extends Error {
  constructor(
    readonly status: number,
    /**
     * The server's error code; client-side: `network_error` when the server could not be reached
     * at all, `timeout` when it did not answer in time, `malformed_response` when its answer was
     * not what the route promises.
     */
    readonly code: ErrorCode | 'network_error' | 'timeout' | 'malformed_response',
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'WardenApiError';
  }

  /** True when no HTTP answer came back (server down, wrong port, connection reset). */
  get unreachable(): boolean {
    return this.code === 'network_error';
  }
}

/** How long a call may take beyond the wait it asked the server for (`wait_s`, `timeout_s`). */
export const DEFAULT_TIMEOUT_MARGIN_MS = 5_000;
/** How long a call that asks for no wait may take. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long a waiting client spends withdrawing a request it gave up on. */
const WITHDRAW_TIMEOUT_MS = 2_000;

const ACTION_STATUS_SET: ReadonlySet<string> = new Set(ACTION_STATUSES);

/** Throws `malformed_response` unless `value` looks like an Action: nothing is decided on a reply we cannot read. */
function checkAction(value: unknown): Action {
  const a = value as Partial<Action> | null;
  if (!a || typeof a !== 'object' || typeof a.id !== 'string' || typeof a.status !== 'string' || !ACTION_STATUS_SET.has(a.status)) {
    throw new WardenApiError(0, 'malformed_response', 'Warden answered with something that is not an action');
  }
  return a as Action;
}

export interface ClientOptions {
  baseUrl: string;
  /** An agent key (`wk_agent_…`) or the operator token (`wk_op_…`). */
  key?: string;
  fetch?: typeof fetch;
  /**
   * How long a waiting call (`wait_s`, `timeout_s`) and `ask()` wait beyond the wait they asked
   * for before they give up with a `timeout` error. Default 5 s.
   */
  timeoutMarginMs?: number;
  /** How long any other `call()` may take before a `timeout` error. Default 30 s. */
  requestTimeoutMs?: number;
}

export interface CallOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Overrides the call's own timeout (ms). `raw()` has none unless given one: it streams. */
  timeoutMs?: number;
}

/**
 * How an ask ended: `allowed` (run it, then complete the action), `blocked` (a BLOCK),
 * `denied` (an operator said no), `expired` (the approval's TTL ran out) or `pending` (still
 * waiting when `waitSeconds` ran out; the approval stays open in the inbox).
 */
export type AskVerdict = 'allowed' | 'blocked' | 'denied' | 'expired' | 'pending';

export interface AskResult {
  verdict: AskVerdict;
  action: Action;
  /** The approval request, when the decision was ALERT. */
  approval: Approval | null;
  /** Warden's explanation, or the operator's comment on a denial. */
  reason: string;
}

export interface AskOptions {
  /** How long to wait for an operator on an ALERT, in seconds (default 50; 0 answers at once). */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Makes a retried ask return the first answer instead of creating a second action. */
  idempotencyKey?: string;
  /**
   * When the wait runs out with the request still pending (or the ask fails after the request
   * was made), withdraw it so no operator allows it after nobody is waiting (default true).
   * False leaves it in the inbox until it expires.
   */
  withdraw?: boolean;
  /** Called once the answer is ALERT, before the wait for an operator begins. */
  onPending?: (action: Action) => void;
}

/** What an action (and its approval, if any) means for the agent that asked. */
export function askResultOf(action: Action, approval: Approval | null): AskResult {
  const comment = approval?.decisions.find((d) => d.decision === 'deny')?.comment ?? action.reason;
  switch (action.status) {
    case 'allowed':
    case 'completed':
      return { verdict: 'allowed', action, approval, reason: action.explanation };
    case 'blocked':
      // An approved action blocked at release (kill-switch, pause) says why in `reason`.
      return { verdict: 'blocked', action, approval, reason: action.reason ?? action.explanation };
    case 'denied':
      return { verdict: 'denied', action, approval, reason: comment ? `denied by the operator: ${comment}` : 'denied by the operator' };
    case 'expired':
      return { verdict: 'expired', action, approval, reason: 'the approval request expired before anyone answered' };
    case 'pending_approval':
      if (approval?.status === 'denied') return { verdict: 'denied', action, approval, reason: comment ? `denied by the operator: ${comment}` : 'denied by the operator' };
      if (approval?.status === 'expired') return { verdict: 'expired', action, approval, reason: 'the approval request expired before anyone answered' };
      return { verdict: 'pending', action, approval, reason: action.explanation };
  }
}

/** A route's answer: its HTTP status and headers beside the parsed body. */
export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Optional-or-required input argument of a route, as `call` takes it. */
type InputArgs<N extends RouteName> = {} extends RouteInput<Routes[N]>
  ? [input?: RouteInput<Routes[N]>, opts?: CallOptions]
  : [input: RouteInput<Routes[N]>, opts?: CallOptions];

/** Routes answering a `{object: "list", data, has_more, next_cursor}` page. */
export type ListRouteName = {
  [N in RouteName]: RouteOutput<Routes[N]> extends ListPage<unknown> ? N : never;
}[RouteName];

/** The item type of a list route. */
export type ListItem<N extends ListRouteName> = RouteOutput<Routes[N]> extends ListPage<infer T> ? T : never;

export class WardenClient {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly marginMs: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.marginMs = options.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** The URL of a route with its params and query filled in. */
  url<N extends RouteName>(name: N, input?: Partial<RouteInput<Routes[N]>>): string {
    const def: RouteEntry = routeTable[name];
    const { params, query } = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown> };
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) search.set(k, String(v));
    }
    const qs = search.toString();
    return `${this.baseUrl}${fillPath(def.path, params)}${qs ? `?${qs}` : ''}`;
  }

  /** Calls a route and returns its parsed body; any non-2xx answer throws a `WardenApiError`. */
  async call<N extends RouteName>(name: N, ...args: InputArgs<N>): Promise<RouteOutput<Routes[N]>> {
    return (await this.answer(name, ...args)).body;
  }

  /** `call`, with the answer's HTTP status and headers beside its parsed body. */
  async answer<N extends RouteName>(name: N, ...[input, opts]: InputArgs<N>): Promise<Answer<RouteOutput<Routes[N]>>> {
    const { query, body } = (input ?? {}) as { query?: { wait_s?: unknown; timeout_s?: unknown }; body?: { wait_s?: unknown } };
    // The routes that hold the answer: wait_s / timeout_s in the query, or wait_s in a delegation's body.
    const wait = query?.wait_s ?? query?.timeout_s ?? (body && typeof body === 'object' ? body.wait_s : undefined);
    const timeoutMs = opts?.timeoutMs ?? (wait === undefined ? this.requestTimeoutMs : (Number(wait) || 0) * 1000 + this.marginMs);
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = opts?.signal ? AbortSignal.any([opts.signal, timer]) : timer;
    let res: Response;
    let text: string;
    try {
      // The body is read under the same deadline: a server that sends headers and stalls is hung too.
      res = await this.send(name, input, { ...opts, signal });
      text = await res.text();
    } catch (err) {
      if (timer.aborted && !opts?.signal?.aborted) {
        throw new WardenApiError(0, 'timeout', `Warden at ${this.baseUrl} did not answer within ${timeoutMs / 1000} s`);
      }
      throw err;
    }
    const answer = (parsed: unknown) => ({ status: res.status, headers: res.headers, body: parsed as RouteOutput<Routes[N]> });
    if ((routeTable[name] as RouteEntry).raw) return answer(text);
    try {
      return answer(text ? JSON.parse(text) : undefined);
    } catch {
      throw new WardenApiError(0, 'malformed_response', `Warden at ${this.baseUrl} answered with something that is not JSON`);
    }
  }

  /**
   * Calls a route and hands back the raw `Response` (status already checked), for bodies worth
   * streaming: the audit export, the event stream.
   */
  async raw<N extends RouteName>(name: N, ...[input, opts]: InputArgs<N>): Promise<Response> {
    if (opts?.timeoutMs === undefined) return this.send(name, input, opts);
    const timer = AbortSignal.timeout(opts.timeoutMs);
    return this.send(name, input, { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, timer]) : timer });
  }

  /**
   * Every item of a list route, following `next_cursor` until `has_more` is false.
   *
   * @example
   * for await (const e of warden.paginate('listAudit', { query: { event_type: 'policy.*' } })) …
   */
  async *paginate<N extends ListRouteName>(name: N, ...[input, opts]: InputArgs<N>): AsyncGenerator<ListItem<N>> {
    const base = (input ?? {}) as { query?: Record<string, unknown> };
    let cursor: string | undefined;
    for (;;) {
      const page = (await (this.call as (n: RouteName, i: unknown, o?: CallOptions) => Promise<ListPage<ListItem<N>>>)(
        name,
        { ...base, query: { ...base.query, ...(cursor ? { cursor } : {}) } },
        opts,
      ));
      for (const item of page.data) yield item;
      if (!page.has_more || !page.next_cursor) return;
      cursor = page.next_cursor;
    }
  }

  /**
   * Asks before a side effect and waits (up to `waitSeconds`) for an operator when the answer
   * is ALERT: long-polls, no polling loop. Act only on `verdict === 'allowed'`, then report with
   * `call('completeAction', …)`. The whole ask ends within `waitSeconds` plus the margin (a
   * `timeout` error otherwise); a request still pending when it ends is withdrawn (see `withdraw`).
   *
   * @example
   * const { verdict, action, reason } = await warden.ask({ tool: 'shell.exec', args: { command: 'make deploy' } });
   * if (verdict !== 'allowed') throw new Error(`Warden said no: ${reason}`);
   */
  async ask(input: ActionInput & { agent_id?: string }, opts: AskOptions = {}): Promise<AskResult> {
    const waitS = Math.max(0, opts.waitSeconds ?? 50);
    const deadline = Date.now() + waitS * 1000;
    const remaining = () => Math.max(0, Math.min(55, Math.floor((deadline - Date.now()) / 1000)));
    // The whole ask ends by the wait plus the margin, however the server behaves.
    const overall = AbortSignal.timeout(waitS * 1000 + this.marginMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, overall]) : overall;
    const timedOut = (err: unknown) =>
      overall.aborted && !opts.signal?.aborted
        ? new WardenApiError(0, 'timeout', `Warden at ${this.baseUrl} did not answer within ${waitS * 1000 + this.marginMs} ms`)
        : err;
    let action: Action;
    try {
      // Answered at once, so the request's id is known before any waiting: whatever ends the wait
      // (its deadline, the caller's signal, a failure) can withdraw it.
      action = checkAction(await this.call('createAction', { body: input, query: { wait_s: 0 } }, { idempotencyKey: opts.idempotencyKey, signal }));
    } catch (err) {
      throw timedOut(err);
    }
    let approval: Approval | null = null;
    try {
      if (action.status === 'pending_approval') opts.onPending?.(action);
      if (action.approval_id) {
        approval = await this.call('getApproval', { params: { id: action.approval_id } }, { signal });
      }
      if (action.status === 'pending_approval' && action.approval_id && approval) {
        while (approval.status === 'pending' && remaining() > 0) {
          approval = await this.call('waitApproval', { params: { id: action.approval_id }, query: { timeout_s: remaining(), will_wait_s: Math.ceil(Math.max(0, deadline - Date.now()) / 1000) } }, { signal });
        }
        if (approval.status !== 'pending') action = checkAction(await this.call('getAction', { params: { id: action.id } }, { signal }));
      }
    } catch (err) {
      // Nobody waits for this request any more: take it back (best effort, briefly) before failing.
      if (opts.withdraw !== false && (action.status === 'pending_approval' || action.status === 'allowed')) await this.withdrawQuietly(action.id);
      throw timedOut(err);
    }
    if (action.status === 'pending_approval' && approval?.status === 'pending' && opts.withdraw !== false) {
      // The wait ran out: withdraw, so an operator cannot allow it once nobody acts on it.
      const withdrawn = await this.withdrawQuietly(action.id);
      if (withdrawn) {
        // `action.withdrawn_at` tells the caller it was taken back.
        return { verdict: 'pending', action: withdrawn, approval, reason: action.explanation };
      }
      // Someone decided in the meantime (409): answer what they decided.
      try {
        action = checkAction(await this.call('getAction', { params: { id: action.id } }, { timeoutMs: this.marginMs }));
        approval = await this.call('getApproval', { params: { id: action.approval_id! } }, { timeoutMs: this.marginMs });
      } catch {
        /* answered below from what we have: still pending, so not allowed */
      }
    }
    return askResultOf(action, approval);
  }

  /** `POST /v1/actions/{id}/withdraw`, briefly; the withdrawn action, or null when that failed. */
  private async withdrawQuietly(id: string): Promise<Action | null> {
    try {
      return checkAction(await this.call('withdrawAction', { params: { id } }, { timeoutMs: WITHDRAW_TIMEOUT_MS }));
    } catch {
      return null;
    }
  }

  /**
   * The operator event stream (`GET /v1/events`, Server-Sent Events) as an async iterator.
   * Ends when the server closes the stream or `signal` aborts.
   */
  async *events(opts: { signal?: AbortSignal } = {}): AsyncGenerator<WardenEvent> {
    const res = await this.send('events', undefined, { signal: opts.signal }, 'text/event-stream');
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const data = block
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''))
            .join('\n');
          if (data) yield JSON.parse(data) as WardenEvent;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => undefined);
    }
  }

  private async send(name: RouteName, input: unknown, opts: CallOptions | undefined, accept = 'application/json'): Promise<Response> {
    const def: RouteEntry = routeTable[name];
    const body = (input as { body?: unknown } | undefined)?.body;
    const headers: Record<string, string> = { accept };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts?.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    let res: Response;
    try {
      res = await this.fetchFn(this.url(name, input as Partial<RouteInput<Routes[RouteName]>>), {
        method: def.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts?.signal,
      });
    } catch (err) {
      // The caller's own abort or timeout is theirs to handle, not an unreachable server.
      if (opts?.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new WardenApiError(0, 'network_error', `cannot reach Warden at ${this.baseUrl}: ${cause ?? (err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let parsed: ErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        /* not JSON: reported below */
      }
      const e = parsed?.error;
      throw new WardenApiError(res.status, e?.code ?? 'internal_error', e?.message ?? `HTTP ${res.status}`, e?.param);
    }
    return res;
  }
}
