/**
 * `/mcp/NAME` on Warden's own port: a Streamable HTTP MCP endpoint (the SDK's server transport)
 * for each registered server, authenticated with an agent key (`Authorization: Bearer`). Each
 * session is an SDK `Server` mirroring the upstream's capabilities; `tools/call` and `tools/list`
 * are governed as in the stdio proxy, in process (a LocalGovernor acting as the agent whose key
 * opened the session), every other request and notification is forwarded to the shared upstream.
 *
 * The Host/Origin guards of the API apply (they run on every request of the HTTP server).
 * A session belongs to the agent that opened it: another agent's key cannot use it.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ResultSchema,
  isInitializeRequest,
  type CallToolResult,
  type Notification,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentService, KeyHolder } from '../agents/service.js';
import { presentedKey } from '../server/api.js';
import { HttpError } from '../server/errors.js';
import type { Governor, ToolAnnotations } from './governance.js';
import { LocalGovernor, type LocalGovernorDeps } from './local-governor.js';
import type { McpServerRegistry } from './registry.js';
import type { UpstreamPool } from './upstreams.js';

const PROGRESS_INTERVAL_MS = 1_000;
/** How long a gateway call waits for an operator on ALERT (as the proxy's default `--wait`). */
const GATEWAY_WAIT_SECONDS = 50;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  agentId: string;
  name: string;
  unsubscribe: () => void;
}

export interface GatewayDeps {
  registry: McpServerRegistry;
  pool: UpstreamPool;
  agents: AgentService;
  /** What the gateway's governors ask in process. */
  governors: LocalGovernorDeps;
  log: (line: string) => void;
}

export class McpGateway {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly deps: GatewayDeps) {
    deps.registry.onChange((name) => {
      for (const session of this.sessions.values()) if (session.name === name) void session.transport.close();
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((s) => s.transport.close()));
    await this.deps.pool.closeAll();
  }

  private authenticate(request: FastifyRequest): KeyHolder {
    const key = presentedKey(request);
    if (!key) throw new HttpError(401, 'unauthenticated', 'the MCP gateway needs an agent key: Authorization: Bearer wk_agent_…');
    const live = key.startsWith('wk_agent_') ? this.deps.agents.resolveKey(key) : undefined;
    if (!live) {
      if (key.startsWith('wk_op_')) throw new HttpError(403, 'insufficient_scope', 'the MCP gateway acts as an agent: use an agent key, not the operator token');
      throw new HttpError(401, 'unauthenticated', 'the key is not valid (unknown, revoked or malformed)');
    }
    if (!live.scopes.includes('actions:write')) throw new HttpError(403, 'insufficient_scope', 'this agent key lacks the actions:write scope');
    return live;
  }

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { name } = request.params as { name: string };
    const caller = this.authenticate(request);
    if (!this.deps.registry.spec(name)) throw new HttpError(404, 'not_found', `no MCP server named ${name} is registered`);
    const sessionId = request.headers['mcp-session-id'];
    let session: Session | undefined;
    if (typeof sessionId === 'string') {
      session = this.sessions.get(sessionId);
      // Another agent's session, or one of another server, is not there for this caller.
      if (!session || session.agentId !== caller.agentId || session.name !== name) {
        throw new HttpError(404, 'not_found', 'no such MCP session (it ended, or belongs to another agent or server); initialize a new one');
      }
    } else if (request.method === 'POST' && isInitializeRequest(request.body)) {
      session = await this.open(name, caller);
    } else {
      throw new HttpError(400, 'invalid_parameter', 'an MCP request without Mcp-Session-Id must be initialize', 'mcp-session-id');
    }
    reply.hijack();
    try {
      await session.transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (err) {
      this.deps.log(`MCP gateway (${name}): ${(err as Error).message}`);
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ error: { code: 'internal_error', message: 'the MCP gateway failed on this request' } }));
      } else reply.raw.destroy();
    }
  }

  private async open(name: string, caller: KeyHolder): Promise<Session> {
    let upstream: Client | undefined;
    try {
      upstream = await this.deps.pool.client(name);
    } catch (err) {
      throw new HttpError(502, 'internal_error', (err as Error).message);
    }
    if (!upstream) throw new HttpError(404, 'not_found', `no MCP server named ${name} is registered`);
    const governor = new LocalGovernor(this.deps.governors, caller, { server: name, waitSeconds: GATEWAY_WAIT_SECONDS });
    const capabilities = upstream.getServerCapabilities() ?? {};
    const server = new Server(upstream.getServerVersion() ?? { name, version: '0' }, { capabilities, instructions: upstream.getInstructions() });
    // Each request goes to the server's current process: one that died was started again.
    const current = async (): Promise<Client> => {
      const client = await this.deps.pool.client(name).catch((err: Error) => {
        throw new McpError(ErrorCode.InternalError, err.message);
      });
      if (!client) throw new McpError(ErrorCode.InternalError, `MCP server ${name} is no longer registered`);
      return client;
    };
    const annotations = new ToolAnnotationCache(current);
    if (capabilities.tools) {
      server.setRequestHandler(ListToolsRequestSchema, async (req, extra) => {
        const result = await (await current()).listTools(req.params, { signal: extra.signal });
        annotations.remember(result.tools);
        const denied = await governor.deniedTools(result.tools);
        return { ...result, tools: result.tools.filter((t) => !denied.has(t.name)) };
      });
      server.setRequestHandler(CallToolRequestSchema, async (req, extra) => governedCall(current, governor, await annotations.of(req.params.name), req.params, extra));
    }
    server.fallbackRequestHandler = async (req, extra) => (await current()).request({ method: req.method, params: req.params }, ResultSchema.passthrough(), { signal: extra.signal });
    server.fallbackNotificationHandler = async (n) => {
      if (n.method !== 'notifications/initialized') await (await current()).notification(n as never).catch(() => undefined);
    };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
    });
    const unsubscribe = this.deps.pool.subscribe(name, (n: Notification) => {
      if (n.method === 'notifications/tools/list_changed') annotations.forget();
      server.notification(n as never).catch(() => undefined);
    });
    const session: Session = { transport, server, agentId: caller.agentId, name, unsubscribe };
    transport.onclose = () => {
      unsubscribe();
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return session;
  }
}

/** The annotations of the upstream's tools, from the last listing (listed afresh when a tool is unknown). */
class ToolAnnotationCache {
  private known: Map<string, ToolAnnotations | undefined> | null = null;

  constructor(private readonly client: () => Promise<Client>) {}

  remember(tools: { name: string; annotations?: ToolAnnotations }[]): void {
    this.known ??= new Map();
    for (const t of tools) this.known.set(t.name, t.annotations);
  }

  forget(): void {
    this.known = null;
  }

  async of(tool: string): Promise<ToolAnnotations | undefined> {
    if (!this.known?.has(tool)) {
      try {
        const all = new Map<string, ToolAnnotations | undefined>();
        let cursor: string | undefined;
        do {
          const page = await (await this.client()).listTools(cursor ? { cursor } : undefined);
          for (const t of page.tools) all.set(t.name, t.annotations);
          cursor = page.nextCursor;
        } while (cursor);
        this.known = all;
      } catch {
        /* unknown: asked without categories */
      }
    }
    return this.known?.get(tool);
  }
}

type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

/** One governed `tools/call`: asked of Warden, forwarded only when allowed, completed after. */
async function governedCall(current: () => Promise<Client>, governor: Governor, annotations: ToolAnnotations | undefined, params: { name: string; arguments?: Record<string, unknown>; _meta?: { progressToken?: string | number } }, extra: Extra): Promise<CallToolResult> {
  const progressToken = params._meta?.progressToken;
  let progress = 0;
  let timer: NodeJS.Timeout | undefined;
  // Only once Warden's answer is ALERT: a call allowed or refused at once has nothing to wait for.
  const onWaiting =
    progressToken === undefined
      ? undefined
      : () => {
          timer ??= setInterval(() => {
            progress += 1;
            extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message: 'waiting for approval in Warden' } }).catch(() => undefined);
          }, PROGRESS_INTERVAL_MS);
        };
  let decision;
  try {
    decision = await governor.decide(params.name, params.arguments, annotations, { signal: extra.signal, ...(onWaiting ? { onWaiting } : {}) });
  } finally {
    clearInterval(timer);
  }
  if (extra.signal.aborted) throw new McpError(ErrorCode.RequestTimeout, 'cancelled while waiting for Warden; nothing was run');
  if (!decision.forward) return { content: [{ type: 'text', text: decision.message }], isError: true };
  let failed = true;
  try {
    const client = await current();
    const result = (await client.callTool({ name: params.name, arguments: params.arguments }, undefined, {
      signal: extra.signal,
      ...(progressToken === undefined
        ? {}
        : { onprogress: (p) => void extra.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken, progress: progress + p.progress } }).catch(() => undefined) }),
    })) as CallToolResult;
    failed = result.isError === true;
    return result;
  } finally {
    void governor.complete(decision.actionId, failed);
  }
}
