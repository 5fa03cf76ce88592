/**
 * Soak: 64 agents sending POST /v1/actions at their rate limit for 60 s (SOAK_S to shorten),
 * next to a quiet phase in the same run. In both phases probe agents within their own limit measure
 * the approval round trip (an ALERT long-poll answered once an operator, told over SSE, allows it)
 * and GET /v1/health;
 * reported as p99 under attack vs quiet (ratio), with the server's CPU µs per request from its own
 * process.cpuUsage(). The server runs in a child process; every loop here stops at its deadline.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_RATE_LIMIT } from '../../electron/server/rate-limit.js';
import type { BenchModule } from './run.js';

const ATTACKERS = 64;
/** Each attacker's pace: the default per-agent limit. */
const ATTACK_RATE = DEFAULT_RATE_LIMIT.perSecond;
const ARGS_BYTES = 2048;
const HEALTH_EVERY_MS = 20;
/**
 * Probe agents that behave: each asks for an approval and completes it (two requests) every
 * 500 ms, within the per-agent limit; several of them, so a phase has enough round trips.
 */
const PROBES = 4;
const APPROVAL_EVERY_MS = 500;

const soakSeconds = () => Math.max(2, Number(process.env.SOAK_S ?? 60));

interface Reply {
  status: number;
  body: any;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });
  constructor(private readonly base: URL) {}

  call(method: string, path: string, key: string | null, body?: unknown): Promise<Reply> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: {
            host: this.base.host,
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* keep text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function startServer(): Promise<{ child: ChildProcess; url: string; token: string; dataDir: string }> {
  const child = fork(join(import.meta.dirname, 'soak-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: any) => resolve({ child, url: m.url, token: m.token, dataDir: m.dataDir }));
    child.once('exit', (code) => reject(new Error(`the soak server exited ${code} before it was ready`)));
  });
}

function serverCpuUs(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: any) => resolve(m.cpu.user + m.cpu.system));
    child.send('cpu');
  });
}

/** The operator's inbox: allows every approval it hears of over SSE. */
function operatorInbox(base: URL, token: string, client: Client): () => void {
  const agent = new Agent({ keepAlive: false });
  const req = request({ host: base.hostname, port: base.port, path: '/v1/events', agent, headers: { host: base.host, authorization: `Bearer ${token}` } }, (res) => {
    let buffer = '';
    res.on('data', (c: Buffer) => {
      buffer += c.toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: approval\.requested$/m.test(frame)) continue;
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        const id = data ? (JSON.parse(data).data?.id as string | undefined) : undefined;
        if (id) void client.call('POST', `/v1/approvals/${id}/decision`, token, { decision: 'allow_once' }).catch(() => {});
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return () => {
    req.destroy();
    agent.destroy();
  };
}

interface PhaseResult {
  seconds: number;
  health_p50_ms: number | null;
  health_p99_ms: number | null;
  approval_p50_ms: number | null;
  approval_p99_ms: number | null;
  approvals: number;
  approvals_not_allowed: number;
  /** Of those, refused with 429 by the limit all agents share. */
  approvals_rate_limited: number;
  requests: number;
  server_cpu_us_per_request: number;
  attacker_statuses?: Record<string, number>;
}

async function phase(
  server: { child: ChildProcess },
  client: Client,
  keys: { probes: string[]; attackers: string[] },
  seconds: number,
  attack: boolean,
): Promise<PhaseResult> {
  const deadline = performance.now() + seconds * 1000;
  const health: number[] = [];
  const approvals: number[] = [];
  let notAllowed = 0;
  let rateLimited = 0;
  let requests = 0;
  const statuses: Record<string, number> = {};
  const cpu0 = await serverCpuUs(server.child);

  const healthLoop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await client.call('GET', '/v1/health', null);
      health.push(performance.now() - t0);
      requests++;
      await sleep(HEALTH_EVERY_MS);
    }
  };
  const approvalLoop = async (probe: string, offset: number) => {
    await sleep(offset);
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const res = await client.call('POST', '/v1/actions?wait_s=10', probe, { tool: 'deploy.run', args: { target: 'staging' } });
      requests += 2; // the action and the operator's decision
      // A refusal is not a round trip: counted apart (a probe within its limit should see none).
      if (res.status === 429) rateLimited++;
      else approvals.push(performance.now() - t0);
      if (res.body?.status !== 'allowed') notAllowed++;
      else {
        // Completed, so the probe never runs into its own concurrency quota.
        await client.call('POST', `/v1/actions/${res.body.id}/complete`, probe, { outcome: 'succeeded' });
        requests++;
      }
      await sleep(Math.max(0, t0 + APPROVAL_EVERY_MS - performance.now()));
    }
  };
  const attackerLoop = async (key: string, offset: number) => {
    const blob = 'z'.repeat(ARGS_BYTES);
    const interval = 1000 / ATTACK_RATE;
    let next = performance.now() + offset;
    const inflight = new Set<Promise<void>>();
    while (performance.now() < deadline) {
      await sleep(Math.max(0, next - performance.now()));
      next += interval;
      if (inflight.size >= 16) await Promise.race(inflight);
      const p = client
        .call('POST', '/v1/actions', key, { tool: 'noise.write', args: { path: '/tmp/x', blob } })
        .then(
          (r) => {
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            requests++;
          },
          () => {
            statuses.error = (statuses.error ?? 0) + 1;
          },
        )
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  };

  const loops = [healthLoop(), ...keys.probes.map((probe, i) => approvalLoop(probe, (i * APPROVAL_EVERY_MS) / keys.probes.length))];
  if (attack) keys.attackers.forEach((key, i) => loops.push(attackerLoop(key, (i * 1000) / ATTACK_RATE / keys.attackers.length)));
  await Promise.all(loops);
  const cpu1 = await serverCpuUs(server.child);
  return {
    seconds,
    health_p50_ms: pct(health, 50),
    health_p99_ms: pct(health, 99),
    approval_p50_ms: pct(approvals, 50),
    approval_p99_ms: pct(approvals, 99),
    approvals: approvals.length,
    approvals_not_allowed: notAllowed,
    approvals_rate_limited: rateLimited,
    requests,
    server_cpu_us_per_request: Math.round((cpu1 - cpu0) / Math.max(1, requests)),
    ...(attack ? { attacker_statuses: statuses } : {}),
  };
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : +(a / b).toFixed(2));

const bench: BenchModule = {
  name: 'soak',
  async run() {
    const seconds = soakSeconds();
    const server = await startServer();
    const base = new URL(server.url);
    const client = new Client(base);
    let stopInbox = () => {};
    try {
      const op = server.token;
      const made = async (name: string) => {
        const r = await client.call('POST', '/v1/agents', op, { name });
        if (r.status !== 201) throw new Error(`agent ${name}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.api_key as string;
      };
      const probes: string[] = [];
      for (let i = 0; i < PROBES; i++) probes.push(await made(`probe-${i}`));
      const attackers: string[] = [];
      for (let i = 0; i < ATTACKERS; i++) attackers.push(await made(`attacker-${i}`));
      // The attackers' tool is allowed: each allowed action holds a slot, so past its concurrency
      // quota an attacker is blocked (quota_exceeded) and its bodies are no longer stored.
      const rule = await client.call('POST', '/v1/guardrails', op, { name: 'noise', rules: [{ tool: 'noise.write', decision: 'ALLOW' }] });
      if (rule.status !== 201) throw new Error(`guardrail: ${rule.status} ${JSON.stringify(rule.body)}`);
      stopInbox = operatorInbox(base, op, client);
      await sleep(200);

      const quiet = await phase(server, client, { probes, attackers }, Math.max(2, Math.round(seconds / 3)), false);
      const attack = await phase(server, client, { probes, attackers }, seconds, true);
      return {
        attackers: ATTACKERS,
        attack_rate_per_agent: ATTACK_RATE,
        args_bytes: ARGS_BYTES,
        quiet,
        attack,
        health_p99_ratio: ratio(attack.health_p99_ms, quiet.health_p99_ms),
        approval_p99_ratio: ratio(attack.approval_p99_ms, quiet.approval_p99_ms),
        cpu_per_request_ratio: ratio(attack.server_cpu_us_per_request, quiet.server_cpu_us_per_request),
      };
    } finally {
      stopInbox();
      client.close();
      await new Promise<void>((resolve) => {
        server.child.once('exit', () => resolve());
        server.child.kill('SIGTERM');
      });
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
