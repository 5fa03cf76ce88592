/**
 * The MCP gateway's added latency on an allowed `tools/call` (`read_text_file` of the real
 * filesystem server), each next to the same call made directly to the same server in the same
 * run, interleaved round by round: the SDK Client over stdio straight to the server, through
 * `warden mcp proxy` (a real child process), and through `/mcp/fs` over Streamable HTTP.
 * Reported as p50/p99 of each, the ratios to direct and the differences in ms. Warden runs in a
 * process of its own, so its CPU time per call on each path is measured apart from the clients'
 * (in blocks of calls on one path after the latency rounds).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { packageRoot } from '../../electron/common/version.js';
import type { BenchModule } from './run.js';

const ROUNDS = 300;
const WARMUP = 20;
const CPU_CALLS = 300;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3);
};

async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function startServer(): Promise<{ child: ChildProcess; url: string; token: string; dataDir: string }> {
  const child = fork(join(import.meta.dirname, 'soak-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_SERVER_RATE_LIMIT: 'off' },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: any) => resolve({ child, url: m.url, token: m.token, dataDir: m.dataDir }));
    child.once('exit', (code) => reject(new Error(`the bench server exited ${code} before it was ready`)));
  });
}

function serverCpuUs(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: any) => resolve(m.cpu.user + m.cpu.system));
    child.send('cpu');
  });
}

async function run(): Promise<Record<string, unknown>> {
  const root = packageRoot();
  const fsServer = join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
  const files = mkdtempSync(join(tmpdir(), 'warden-bench-mcp-files-'));
  const file = join(files, 'notes.txt');
  writeFileSync(file, 'a line of text\n'.repeat(20));
  const server = await startServer();
  const url = server.url;
  const clients: Client[] = [];
  try {
    const op = server.token;
    await call(url, op, 'POST', '/v1/guardrails', { name: 'bench-mcp', rules: [{ tool: 'mcp.fs.read_text_file', decision: 'ALLOW' }] });
    const agent = await call(url, op, 'POST', '/v1/agents', { name: 'bench-mcp' });
    await call(url, op, 'PATCH', '/v1/quota', { agent_id: agent.id, runs_per_hour: 30_000, concurrent_executions: 1_000 });
    await call(url, op, 'POST', '/v1/mcp-servers', { name: 'fs', command: process.execPath, args: [fsServer, files] });

    const connect = async (transport: StdioClientTransport | StreamableHTTPClientTransport) => {
      const client = new Client({ name: 'bench', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    };
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const paths = {
      direct: await connect(new StdioClientTransport({ command: process.execPath, args: [fsServer, files], env, stderr: 'ignore' })),
      proxy: await connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [join(root, 'bin', 'warden.js'), 'mcp', 'proxy', '--name', 'fs', '--', process.execPath, fsServer, files],
          env: { ...env, WARDEN_URL: url, WARDEN_KEY: agent.api_key },
          stderr: 'ignore',
        }),
      ),
      gateway: await connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp/fs`), { requestInit: { headers: { authorization: `Bearer ${agent.api_key}` } } })),
    };
    const samples: Record<keyof typeof paths, number[]> = { direct: [], proxy: [], gateway: [] };
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      for (const [name, client] of Object.entries(paths) as [keyof typeof paths, Client][]) {
        const t0 = process.hrtime.bigint();
        const result = await client.callTool({ name: 'read_text_file', arguments: { path: file } });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
        if (i >= WARMUP) samples[name].push(ms);
      }
    }
    const cpu_us_per_call: Record<string, number> = {};
    for (const [name, client] of Object.entries(paths) as [keyof typeof paths, Client][]) {
      const before = await serverCpuUs(server.child);
      for (let i = 0; i < CPU_CALLS; i++) await client.callTool({ name: 'read_text_file', arguments: { path: file } });
      cpu_us_per_call[name] = Math.round(((await serverCpuUs(server.child)) - before) / CPU_CALLS);
    }
    const stats = (xs: number[]) => ({ p50_ms: pct(xs, 50), p99_ms: pct(xs, 99) });
    const direct = stats(samples.direct);
    const against = (xs: number[]) => {
      const s = stats(xs);
      return {
        ...s,
        p50_ratio: +(s.p50_ms / direct.p50_ms).toFixed(2),
        p99_ratio: +(s.p99_ms / direct.p99_ms).toFixed(2),
        p50_added_ms: +(s.p50_ms - direct.p50_ms).toFixed(3),
        p99_added_ms: +(s.p99_ms - direct.p99_ms).toFixed(3),
      };
    };
    return {
      rounds: ROUNDS,
      direct,
      proxy: against(samples.proxy),
      gateway: against(samples.gateway),
      warden_cpu_us_per_call: cpu_us_per_call,
    };
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    rmSync(server.dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  }
}

const bench: BenchModule = { name: 'mcp', run };
export default bench;
