/**
 * The foundation's cost, each next to a bare Node baseline in the same run:
 *  - cold start: spawn `node bin/warden.js serve --port 0` (fresh data dir: migrations, token) to
 *    its ready line, median of several, vs `node -e` starting a node:http server and printing a line;
 *  - idle RSS of the running server vs the bare server;
 *  - `GET /v1/health` and an authenticated `GET /v1/me` at 64 connections (autocannon) vs a bare
 *    node:http server answering the very same bytes, as a ratio of requests/s.
 * Both servers run as child processes, so autocannon here never competes with them for one loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { packageRoot } from '../../electron/common/version.js';
import type { BenchModule } from './run.js';

const STARTS = 7;
const DURATION_S = 3;
const CONNECTIONS = 64;
const root = packageRoot();

/** A node:http server answering every request with `BODY` as JSON; prints one line when listening. */
const BARE_SERVER = `
const body = Buffer.from(process.env.BODY ?? '{"ok":true}');
require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });
`;

interface Started {
  child: ChildProcess;
  url: string;
  lines: string[];
  ms: number;
}

/** Spawns `args` and resolves once stdout has `lineCount` lines; `ms` is spawn to the first line. */
function start(args: string[], env: Record<string, string> = {}, lineCount = 1): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let firstAt = 0;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!firstAt && out.includes('\n')) firstAt = performance.now();
      const lines = out.split('\n').filter(Boolean);
      if (lines.length >= lineCount) {
        const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(lines[0]!)?.[1] ?? '';
        resolve({ child, url, lines, ms: firstAt - t0 });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before printing`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Resident set size of a process in MiB (Linux /proc; elsewhere `ps`). */
async function rssMb(pid: number): Promise<number> {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return round(Number(kb) / 1024);
  } catch {
    /* not Linux */
  }
  const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)]);
  let out = '';
  ps.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => ps.on('close', r));
  return round(Number(out.trim()) / 1024);
}

async function throughput(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return { rps: Math.round(result.requests.average), p50_ms: result.latency.p50, p99_ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function run(): Promise<Record<string, unknown>> {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'warden-bench-foundation-'));
    dirs.push(d);
    return d;
  };
  const servers: ChildProcess[] = [];
  try {
    // ── Cold start ───────────────────────────────────────────────────────────────────────────
    const wardenStarts: number[] = [];
    const bareStarts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      // Alternate, so neither side gets a warmer disk cache for the whole series.
      const w = await start(['bin/warden.js', 'serve', '--port', '0', '--data-dir', fresh()]);
      wardenStarts.push(w.ms);
      await stop(w.child);
      const b = await start(['-e', BARE_SERVER]);
      bareStarts.push(b.ms);
      await stop(b.child);
    }
    const coldWarden = median(wardenStarts);
    const coldBare = median(bareStarts);

    // ── Idle RSS and throughput ──────────────────────────────────────────────────────────────
    const warden = await start(['bin/warden.js', 'serve', '--port', '0', '--data-dir', fresh()], {}, 2);
    servers.push(warden.child);
    const token = /#token=(\S+)$/.exec(warden.lines[1]!)?.[1] ?? '';
    const healthBody = await (await fetch(`${warden.url}/v1/health`)).text();
    const meBody = await (await fetch(`${warden.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).text();
    const bareHealth = await start(['-e', BARE_SERVER], { BODY: healthBody });
    const bareMe = await start(['-e', BARE_SERVER], { BODY: meBody });
    servers.push(bareHealth.child, bareMe.child);
    await new Promise((r) => setTimeout(r, 1000)); // idle
    const rssWarden = await rssMb(warden.child.pid!);
    const rssBare = await rssMb(bareHealth.child.pid!);

    const health = await throughput(`${warden.url}/v1/health`);
    const healthBare = await throughput(`${bareHealth.url}/v1/health`);
    const me = await throughput(`${warden.url}/v1/me`, { authorization: `Bearer ${token}` });
    const meBare = await throughput(`${bareMe.url}/v1/me`, { authorization: `Bearer ${token}` });
    const rssAfterLoad = await rssMb(warden.child.pid!);

    return {
      cold_start_ms: {
        warden_median: round(coldWarden),
        bare_node_median: round(coldBare),
        ratio: round(coldWarden / coldBare, 2),
        runs: STARTS,
        warden_all: wardenStarts.map((x) => round(x)),
      },
      idle_rss_mb: { warden: rssWarden, bare_node: rssBare, ratio: round(rssWarden / rssBare, 2), warden_after_load: rssAfterLoad },
      health: { connections: CONNECTIONS, bytes: Buffer.byteLength(healthBody), warden: health, bare_node: healthBare, ratio: round(health.rps / healthBare.rps, 3) },
      me: { connections: CONNECTIONS, bytes: Buffer.byteLength(meBody), warden: me, bare_node: meBare, ratio: round(me.rps / meBare.rps, 3) },
      aim: 'throughput ratio >= 0.6 of the bare node:http ceiling',
    };
  } finally {
    await Promise.all(servers.map(stop));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const bench: BenchModule = { name: 'foundation', run };
export default bench;
