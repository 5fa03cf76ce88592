/**
 * One live connection per registered MCP server, shared by every gateway session: a child process
 * over stdio (started on first use, restarted with backoff when it exits) or a Streamable HTTP
 * client. Each is an SDK `Client`; the gateway forwards through it.
 *
 * The gateway's client declares no client capabilities (sampling, roots, elicitation): one
 * upstream serves many sessions, so a request from the server could not be routed to one client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../common/version.js';
import type { McpServerRegistry, UpstreamSpec, UpstreamState } from './registry.js';

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long before exiting restarts from the first backoff again. */
const STABLE_AFTER_MS = 30_000;

class Upstream {
  state: UpstreamState = 'idle';
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private backoffMs = FIRST_BACKOFF_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private connectedAt = 0;

  constructor(
    private readonly spec: UpstreamSpec,
    private readonly onNotification: (n: Notification) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** The connected client, connecting first when needed. */
  get(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error(`MCP server ${this.spec.name} is stopping`));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    this.state = this.state === 'restarting' ? 'restarting' : 'starting';
    // The SDK loads with the first upstream, so a Warden that gateways nothing never pays for it.
    const [{ Client }, { StreamableHTTPClientTransport }, { ChildProcessTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('./child-transport.js'),
    ]);
    const client = new Client({ name: 'warden-mcp-gateway', version: VERSION }, { capabilities: {} });
    client.fallbackNotificationHandler = async (n) => this.onNotification(n);
    const transport =
      this.spec.transport === 'stdio'
        ? new ChildProcessTransport({
            command: this.spec.command!,
            args: this.spec.args,
            // The server gets its own registered variables and a minimal environment, never Warden's.
            env: { PATH: process.env.PATH, HOME: process.env.HOME, ...this.spec.env },
            cwd: this.spec.cwd ?? undefined,
            stderr: 'ignore',
          })
        : new StreamableHTTPClientTransport(new URL(this.spec.url!));
    client.onclose = () => this.lost(client);
    try {
      await client.connect(transport);
    } catch (err) {
      this.state = 'failed';
      await client.close().catch(() => undefined);
      this.scheduleRestart();
      throw new Error(`cannot start MCP server ${this.spec.name}: ${(err as Error).message}`, { cause: err });
    }
    this.client = client;
    this.state = 'running';
    this.connectedAt = Date.now();
    return client;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.log(`MCP server ${this.spec.name} exited; restarting`);
    if (Date.now() - this.connectedAt > STABLE_AFTER_MS) this.backoffMs = FIRST_BACKOFF_MS;
    this.state = 'restarting';
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer || this.spec.transport !== 'stdio') return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.get().catch((err: Error) => this.log(err.message));
    }, delay);
    this.restartTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await client?.close().catch(() => undefined);
  }
}

export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly listeners = new Map<string, Set<(n: Notification) => void>>();

  constructor(
    private readonly registry: McpServerRegistry,
    private readonly log: (line: string) => void,
  ) {
    // A changed or removed registration stops its process; the next use starts the new one.
    registry.onChange((name) => void this.drop(name));
    registry.stateOf = (name) => this.upstreams.get(name)?.state ?? 'idle';
  }

  /** The client of a registered server, started if needed; undefined when not registered. */
  async client(name: string): Promise<Client | undefined> {
    let upstream = this.upstreams.get(name);
    if (!upstream) {
      const spec = this.registry.spec(name);
      if (!spec) return undefined;
      upstream = new Upstream(spec, (n) => this.listeners.get(name)?.forEach((fn) => fn(n)), this.log);
      this.upstreams.set(name, upstream);
    }
    return upstream.get();
  }

  /** Notifications of `name`'s server (list changes, logging…) for one session; returns the unsubscribe. */
  subscribe(name: string, fn: (n: Notification) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  async drop(name: string): Promise<void> {
    const upstream = this.upstreams.get(name);
    this.upstreams.delete(name);
    await upstream?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.upstreams.keys()].map((name) => this.drop(name)));
  }
}
