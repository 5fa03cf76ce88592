/**
 * Starts the built headless server (`node bin/warden.js serve --port 0`) with a temp data dir,
 * the way a user runs it, and reads the ready line and sign-in URL from its stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface E2eServer {
  url: string;
  signInUrl: string;
  token: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Kills the process (SIGKILL, like a crash) and starts a new one on the same port and data dir. */
  restart(): Promise<void>;
  api(method: string, path: string, body?: unknown, key?: string): Promise<any>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

async function spawnServer(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string; signInUrl: string }> {
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/warden.js'), 'serve', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Seeding sends one agent's requests far faster than it would ever ask; the limit has its own tests.
    env: { ...process.env, WARDEN_RATE_LIMIT: process.env.WARDEN_RATE_LIMIT ?? 'off' },
  });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.some((l) => l.startsWith('open '))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const url = lines.find((l) => l.startsWith('warden listening on '))!.slice('warden listening on '.length);
  const signInUrl = lines.find((l) => l.startsWith('open '))!.slice('open '.length);
  return { child, url, signInUrl };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

export async function startServer(): Promise<E2eServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-e2e-'));
  let proc = await spawnServer(dataDir, 0);
  const port = Number(new URL(proc.url).port);
  const token = proc.signInUrl.split('#token=')[1]!;
  return {
    url: proc.url,
    signInUrl: proc.signInUrl,
    token,
    dataDir,
    async api(method, path, body, key = token) {
      const res = await fetch(proc.url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async restart() {
      // SIGKILL, like a crash: the client gets no clean end of stream, the harder case.
      await stopChild(proc.child, 'SIGKILL');
      proc = await spawnServer(dataDir, port);
    },
    async stop() {
      await stopChild(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
