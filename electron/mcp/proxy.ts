/**
 * The MCP proxy between a client (downstream) and the real server (upstream), at the level of
 * whole JSON-RPC messages carried by the SDK's transports. Two requests of the client are
 * governed; every other message passes through unchanged, in both directions, ids included:
 *
 * - `tools/call` is asked of Warden first and forwarded only when Warden allowed it; otherwise the
 *   client gets a tool result with `isError: true` and one sentence. Once Warden's answer is ALERT,
 *   progress notifications keep a client that gave a `progressToken` from timing out while an
 *   operator decides. The server's answer completes the action (`isError` or a JSON-RPC error →
 *   `failed`).
 * - A call's own progress notifications reach the client before its result: when the server
 *   reported progress for a call, its result is held until the client has answered a `ping` sent
 *   after that progress. A client may handle notifications a step later than responses (the
 *   TypeScript SDK does), and read both from one chunk; it then dropped the last progress.
 * - `tools/list` answers are cut down to the tools tool access does not deny outright;
 *   `notifications/tools/list_changed` passes on, and the next list is filtered afresh.
 *
 * A client's `notifications/cancelled` for a call still waiting for Warden ends the wait: the call
 * is not forwarded and the approval stays open for the operator to see.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestParamsSchema,
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type ProgressToken,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Governor, ToolAnnotations } from './governance.js';

export interface ProxyOptions {
  /** How often a waiting call reports progress. */
  progressIntervalMs?: number;
  /** Where the proxy reports its own troubles (never the client's channel). */
  log?: (line: string) => void;
}

interface ListedTool {
  name: string;
  annotations?: ToolAnnotations;
}

/** Prefix of the ids of the proxy's own requests to the server, apart from the client's. */
const OWN_ID_PREFIX = 'warden-proxy-';
const OWN_REQUEST_TIMEOUT_MS = 10_000;
/** How long a result waits for the client's answer to the ping sent after its call's progress. */
const CLIENT_PING_TIMEOUT_MS = 2_000;

interface ForwardedCall {
  actionId: string;
  progressToken?: ProgressToken;
  /** The server reported progress for this call (forwarded to the client). */
  progressed: boolean;
}

export class McpProxy {
  private readonly progressIntervalMs: number;
  private readonly log: (line: string) => void;
  /** Annotations of the server's tools, from the last full listing; null until one is seen. */
  private annotations: Map<string, ToolAnnotations | undefined> | null = null;
  private readonly listRequests = new Set<RequestId>();
  private readonly forwardedCalls = new Map<RequestId, ForwardedCall>();
  private readonly callsByProgressToken = new Map<ProgressToken, ForwardedCall>();
  /** The proxy's own pings to the client, by id: each resolves when answered. */
  private readonly clientPings = new Map<string, () => void>();
  private readonly waitingCalls = new Map<RequestId, AbortController>();
  private readonly ownRequests = new Map<string, { resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void }>();
  private ownRequestCount = 0;
  private closed = false;

  constructor(
    private readonly downstream: Transport,
    private readonly upstream: Transport,
    private readonly governor: Governor,
    options: ProxyOptions = {},
  ) {
    this.progressIntervalMs = options.progressIntervalMs ?? 1_000;
    this.log = options.log ?? (() => undefined);
  }

  /** Starts the server first, then listens to the client. Resolves once both are started. */
  async start(): Promise<void> {
    this.upstream.onmessage = (message) => this.fromServer(message);
    this.downstream.onmessage = (message) => this.fromClient(message);
    this.upstream.onerror = (err) => this.log(`MCP server: ${err.message}`);
    this.downstream.onerror = (err) => this.log(`MCP client: ${err.message}`);
    await this.upstream.start();
    await this.downstream.start();
  }

  /** Stops waiting calls and closes both sides. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.waitingCalls.values()) controller.abort();
    for (const pending of this.ownRequests.values()) pending.reject(new Error('proxy closed'));
    for (const answered of [...this.clientPings.values()]) answered();
    await Promise.allSettled([this.upstream.close(), this.downstream.close()]);
  }

  private send(to: Transport, message: JSONRPCMessage): void {
    to.send(message).catch((err: Error) => this.log(`cannot pass a message on: ${err.message}`));
  }

  private fromClient(message: JSONRPCMessage): void {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && typeof message.id === 'string' && this.clientPings.has(message.id)) {
      this.clientPings.get(message.id)!();
      return;
    }
    if (isJSONRPCRequest(message)) {
      if (message.method === 'tools/call') {
        void this.governCall(message);
        return;
      }
      if (message.method === 'tools/list') this.listRequests.add(message.id);
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      const waiting = requestId === undefined ? undefined : this.waitingCalls.get(requestId);
      if (waiting) {
        // The server never saw this call: nothing to tell it.
        waiting.abort();
        return;
      }
      const call = requestId === undefined ? undefined : this.forwardedCalls.get(requestId);
      if (call) {
        // The server may never answer a cancelled call: its action ends here, as not done.
        this.forgetCall(requestId!, call);
        void this.governor.complete(call.actionId, true).then((problem) => problem && this.log(problem));
      }
    }
    this.send(this.upstream, message);
  }

  private fromServer(message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id;
      if (typeof id === 'string' && this.ownRequests.has(id)) {
        const pending = this.ownRequests.get(id)!;
        this.ownRequests.delete(id);
        if (isJSONRPCResultResponse(message)) pending.resolve(message.result as Record<string, unknown>);
        else pending.reject(new Error(message.error.message));
        return;
      }
      const call = id === undefined ? undefined : this.forwardedCalls.get(id);
      if (call) {
        this.forgetCall(id!, call);
        const failed = isJSONRPCErrorResponse(message) || (message.result as { isError?: unknown }).isError === true;
        void this.governor.complete(call.actionId, failed).then((problem) => problem && this.log(problem));
        if (call.progressed) {
          void this.clientCaughtUp().then(() => this.send(this.downstream, message));
          return;
        }
      }
      if (id !== undefined && this.listRequests.has(id)) {
        this.listRequests.delete(id);
        if (isJSONRPCResultResponse(message)) {
          void this.filteredList(message.result as Record<string, unknown>).then((result) => this.send(this.downstream, { ...message, result }));
          return;
        }
      }
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/tools/list_changed') {
      this.annotations = null;
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: ProgressToken } | undefined)?.progressToken;
      const call = token === undefined ? undefined : this.callsByProgressToken.get(token);
      if (call) call.progressed = true;
    }
    this.send(this.downstream, message);
  }

  private forgetCall(id: RequestId, call: ForwardedCall): void {
    this.forwardedCalls.delete(id);
    if (call.progressToken !== undefined && this.callsByProgressToken.get(call.progressToken) === call) this.callsByProgressToken.delete(call.progressToken);
  }

  /**
   * Resolves once the client answered a ping sent after everything forwarded so far, so it has
   * handled those messages; or after CLIENT_PING_TIMEOUT_MS, or at once if the ping cannot be sent.
   */
  private clientCaughtUp(): Promise<void> {
    const id = `${OWN_ID_PREFIX}ping-${++this.ownRequestCount}`;
    return new Promise((resolve) => {
      const answered = () => {
        clearTimeout(timer);
        this.clientPings.delete(id);
        resolve();
      };
      const timer = setTimeout(answered, CLIENT_PING_TIMEOUT_MS);
      this.clientPings.set(id, answered);
      this.downstream.send({ jsonrpc: '2.0', id, method: 'ping' }).catch(answered);
    });
  }

  /** One page of the server's tool list without the tools the agent may never use. */
  private async filteredList(result: Record<string, unknown>): Promise<Record<string, unknown>> {
    const tools = Array.isArray(result.tools) ? (result.tools as ListedTool[]).filter((t) => t && typeof t.name === 'string') : [];
    this.annotations ??= new Map();
    for (const tool of tools) this.annotations.set(tool.name, tool.annotations);
    const denied = await this.governor.deniedTools(tools);
    return { ...result, tools: (result.tools as ListedTool[]).filter((t) => !denied.has(t?.name)) };
  }

  private async governCall(request: JSONRPCRequest): Promise<void> {
    const parsed = CallToolRequestParamsSchema.safeParse(request.params);
    if (!parsed.success) {
      this.send(this.downstream, { jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.InvalidParams, message: `Invalid tools/call params: ${parsed.error.message}` } });
      return;
    }
    const { name, arguments: args, _meta } = parsed.data;
    const controller = new AbortController();
    this.waitingCalls.set(request.id, controller);
    const progressToken = _meta?.progressToken;
    let progress = 0;
    let timer: NodeJS.Timeout | undefined;
    // Only once Warden's answer is ALERT: a call allowed or refused at once has nothing to wait for.
    const onWaiting =
      progressToken === undefined
        ? undefined
        : () => {
            timer ??= setInterval(() => {
              progress += 1;
              this.send(this.downstream, {
                jsonrpc: '2.0',
                method: 'notifications/progress',
                params: { progressToken, progress, message: 'waiting for approval in Warden' },
              });
            }, this.progressIntervalMs);
          };
    let decision;
    try {
      const annotations = await this.annotationsOf(name);
      decision = await this.governor.decide(name, args, annotations, { signal: controller.signal, ...(onWaiting ? { onWaiting } : {}) });
    } finally {
      clearInterval(timer);
      this.waitingCalls.delete(request.id);
    }
    // A cancelled request gets no answer at all.
    if (controller.signal.aborted) return;
    if (!decision.forward) {
      this.send(this.downstream, { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: decision.message }], isError: true } });
      return;
    }
    const call: ForwardedCall = { actionId: decision.actionId, progressed: false, ...(progressToken === undefined ? {} : { progressToken }) };
    this.forwardedCalls.set(request.id, call);
    if (progressToken !== undefined) this.callsByProgressToken.set(progressToken, call);
    try {
      await this.upstream.send(request);
    } catch (err) {
      this.forgetCall(request.id, call);
      await this.governor.complete(decision.actionId, true);
      const text = `The MCP server could not be reached: ${(err as Error).message}`;
      this.send(this.downstream, { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text }], isError: true } });
    }
  }

  /** The annotations of `tool`, listing the server's tools first when none were seen yet. */
  private async annotationsOf(tool: string): Promise<ToolAnnotations | undefined> {
    if (!this.annotations?.has(tool)) {
      try {
        const all = new Map<string, ToolAnnotations | undefined>();
        let cursor: string | undefined;
        do {
          const page = await this.ownRequest('tools/list', cursor ? { cursor } : {});
          for (const t of Array.isArray(page.tools) ? (page.tools as ListedTool[]) : []) all.set(t.name, t.annotations);
          cursor = typeof page.nextCursor === 'string' ? page.nextCursor : undefined;
        } while (cursor);
        this.annotations = all;
      } catch (err) {
        this.log(`cannot list the server's tools: ${(err as Error).message}`);
      }
    }
    return this.annotations?.get(tool);
  }

  private ownRequest(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `${OWN_ID_PREFIX}${++this.ownRequestCount}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ownRequests.delete(id);
        reject(new Error(`no answer to ${method} within ${OWN_REQUEST_TIMEOUT_MS / 1000} s`));
      }, OWN_REQUEST_TIMEOUT_MS);
      this.ownRequests.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.upstream.send({ jsonrpc: '2.0', id, method, params }).catch((err: Error) => {
        this.ownRequests.delete(id);
        clearTimeout(timer);
        reject(err);
      });
    });
  }
}
