/**
 * Starts a real Warden (real SQLite file in a temp dir, real HTTP server on port 0) for a test,
 * with an injected clock and ids when the test needs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppConfig } from '../../electron/app.js';

export interface TestApp {
  app: App;
  url: string;
  dataDir: string;
  /** The operator token. */
  op: string;
  /** fetch against the server; `key` is sent as a Bearer token; JSON bodies are encoded. */
  req(method: string, path: string, options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates an agent and returns it with its key. */
  agent(name: string, extra?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  /** Stops the app (keeps the data dir for restart tests). */
  stop(): Promise<void>;
  /** Stops and removes the data dir. */
  close(): Promise<void>;
}

export async function startTestApp(config: Partial<AppConfig> = {}): Promise<TestApp> {
  const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'warden-test-'));
  const app = await createApp({ rendererDir: null, ...config, dataDir, port: config.port ?? 0 });
  const url = await app.start();
  const host = new URL(url).host;
  const req: TestApp['req'] = async (method, path, options = {}) => {
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
    req,
    async agent(name, extra = {}) {
      const res = await req('POST', '/v1/agents', { key: app.operatorToken, body: { name, ...extra } });
      if (res.status !== 201) throw new Error(`cannot create agent ${name}: ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, key: res.body.api_key as string };
    },
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
