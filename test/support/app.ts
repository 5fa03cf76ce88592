/**
 * Starts a real Warden (real SQLite file in a temp dir, real HTTP server on port 0) for a test,
 * with an injected clock and ids when the test needs them. Tests call routes through the typed
 * client (`api(key)`), so a contract change that breaks them fails to compile; `raw()` sends
 * what the contract does not allow (bad input, odd headers) and reads the error with `errorBody`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppConfig } from '../../electron/app.js';
import { ErrorBody } from '../../shared/api/common.js';
import type { RouteInput, RouteOutput } from '../../shared/api/contract.js';
import type { RouteName, Routes } from '../../shared/api/index.js';
import { WardenClient, type Answer } from '../../shared/client.js';

/** What `api(key).answer(name, …)` resolves to, for a variable that needs its type spelled out. */
export type Reply<N extends RouteName> = Answer<RouteOutput<Routes[N]>>;

type AgentFields = Omit<RouteInput<Routes['createAgent']>['body'], 'name'>;

/** An answer read without the contract: status, headers and whatever the body parsed to. */
export interface RawAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface TestApp {
  app: App;
  url: string;
  dataDir: string;
  /** The operator token. */
  op: string;
  /** The typed client, signed in with `key` (an agent key or the operator token; none by default). */
  api(key?: string): WardenClient;
  /** fetch against the server without the contract; `key` is sent as a Bearer token; JSON bodies are encoded. */
  raw(method: string, path: string, options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<RawAnswer>;
  /** Creates an agent and returns it with its key. */
  agent(name: string, extra?: AgentFields): Promise<{ id: string; key: string }>;
  /** Stops the app (keeps the data dir for restart tests). */
  stop(): Promise<void>;
  /** Stops and removes the data dir. */
  close(): Promise<void>;
}

/** API.md's error body, parsed: throws when `body` is not `{error: {code, message, param?}}`. */
export function errorBody(body: unknown): ErrorBody {
  return ErrorBody.parse(body);
}

/** The error of an answer when its body has API.md's error shape, else undefined (for answers that may be either). */
export function errorOf(body: unknown): ErrorBody['error'] | undefined {
  const parsed = ErrorBody.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}

export async function startTestApp(config: Partial<AppConfig> = {}): Promise<TestApp> {
  const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'warden-test-'));
  const app = await createApp({ rendererDir: null, ...config, dataDir, port: config.port ?? 0 });
  const url = await app.start();
  const host = new URL(url).host;
  const raw: TestApp['raw'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { host, ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const api = (key?: string) => new WardenClient({ baseUrl: url, key });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  return {
    app,
    url,
    dataDir,
    op: app.operatorToken,
    api,
    raw,
    async agent(name, extra = {}) {
      const created = await api(app.operatorToken).call('createAgent', { body: { name, ...extra } });
      return { id: created.id, key: created.api_key };
    },
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
