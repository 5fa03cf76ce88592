/**
 * The decision pipeline's cost with review gates: POST /v1/actions on the ALLOW path against a
 * Warden holding an active gate policy over agents and MCP servers and 1,000 solutions (half
 * approved, half waiting), next to the same pipeline on a Warden with no gate policy, in the same
 * run. Each server runs in a child process; the two take turns, round by round, and each reports
 * the server CPU time per request (µs) and requests/s. The ratio of the median rounds is reported.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchModule } from './run.js';

const SOLUTIONS = 1_000;
/** Actions are never completed here: enough agents that none meets its concurrency quota. */
const AGENTS = 64;
const CONNECTIONS = 8;
const DURATION_S = 3;
const ROUNDS = 5;

const log = (msg: string) => process.stderr.write(`bench gates: ${msg}\n`);

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
  dataDir: string;
}

async function startServer(): Promise<Server> {
  const child = fork(join(import.meta.dirname, 'gates-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; token: string; dataDir: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string; dataDir: string }));
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  return { child, ...ready };
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
  rmSync(s.dataDir, { recursive: true, force: true });
}

function serverCpuUs(s: Server): Promise<number> {
  return new Promise((resolve) => {
    s.child.once('message', (m) => {
      const cpu = (m as { cpu: { user: number; system: number } }).cpu;
      resolve(cpu.user + cpu.system);
    });
    s.child.send('cpu');
  });
}

async function call(s: Server, method: string, path: string, body?: unknown, key = s.token): Promise<any> {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Agents with room in their quotas, a guardrail allowing their MCP tool; returns their keys. */
async function commonSetup(s: Server): Promise<{ ids: string[]; keys: string[] }> {
  await call(s, 'POST', '/v1/guardrails', { name: 'bench-gates', rules: [{ tool: 'mcp.*', decision: 'ALLOW' }] });
  const ids: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const agent = await call(s, 'POST', '/v1/agents', { name: `bench-gates-${i}` });
    await call(s, 'PATCH', '/v1/quota', { agent_id: agent.id, runs_per_hour: 30_000, concurrent_executions: 1_000 });
    ids.push(agent.id as string);
    keys.push(agent.api_key as string);
  }
  return { ids, keys };
}

/** A policy over agents and MCP servers, and 1,000 solutions: even ones approved, odd ones waiting for review. */
async function gateSetup(s: Server, agentIds: string[]): Promise<void> {
  const reviewer = (await call(s, 'POST', '/v1/operators', { name: 'bench-reviewer' })).token as string;
  const policy = await call(s, 'POST', '/v1/gate-policies', {
    name: 'bench review',
    category: 'security',
    severity: 'high',
    applicable_resource_types: ['agent', 'mcp_server'],
    stages: [{ id: 'review', name: 'Security review', gates: [{ id: 'sec', type: 'approval' }] }],
  });
  for (let i = 0; i < SOLUTIONS; i++) {
    if (i % 100 === 0) log(`solutions ${i}/${SOLUTIONS}…`);
    const agent = i % 2 === 0 && i / 2 < agentIds.length ? agentIds[i / 2] : undefined;
    const solution = await call(s, 'POST', '/v1/solutions', { name: `srv ${i}`, resources: [{ type: 'mcp_server', id: `srv-${i}` }], ...(agent ? { agent_id: agent } : {}) });
    const submission = await call(s, 'POST', `/v1/solutions/${solution.id}/gates/sec/submit`, { policy_id: policy.id });
    if (i % 2 === 0) await call(s, 'POST', `/v1/gate-submissions/${submission.id}/decision`, { decision: 'approved' }, reviewer);
  }
}

interface Round {
  requests_per_s: number;
  cpu_us_per_request: number;
  non_2xx: number;
}

async function measure(s: Server, keys: string[]): Promise<Round> {
  // Agent k calls the MCP server of solution 2k, which the gated server approved.
  const bodies = keys.map((_, k) => JSON.stringify({ tool: `mcp.srv-${2 * k}.read_file`, args: { path: '/srv/data/report.csv' } }));
  let n = 0;
  const cpu0 = await serverCpuUs(s);
  const result = await autocannon({
    url: s.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        path: '/v1/actions',
        setupRequest: (req: any) => {
          const k = n++ % keys.length;
          return { ...req, headers: { authorization: `Bearer ${keys[k]}`, 'content-type': 'application/json' }, body: bodies[k] };
        },
      },
    ],
  });
  const cpu1 = await serverCpuUs(s);
  const total = result.requests.total;
  return { requests_per_s: Math.round(result.requests.average), cpu_us_per_request: Math.round((cpu1 - cpu0) / Math.max(1, total)), non_2xx: result.non2xx };
}

async function run(): Promise<Record<string, unknown>> {
  const plain = await startServer();
  const gated = await startServer();
  try {
    log('setting up the server without gates…');
    const plainAgents = await commonSetup(plain);
    log('setting up the server with gates…');
    const gatedAgents = await commonSetup(gated);
    await gateSetup(gated, gatedAgents.ids);
    // Every request of the measured path must be an ALLOW on both, or the two do different work.
    for (const [s, keys] of [[plain, plainAgents.keys], [gated, gatedAgents.keys]] as const) {
      const sample = await call(s, 'POST', '/v1/actions', { tool: 'mcp.srv-0.read_file', args: { path: '/srv/data/report.csv' } }, keys[0]);
      if (sample.decision !== 'ALLOW') throw new Error(`not an ALLOW: ${JSON.stringify(sample)}`);
    }
    const blocked = await call(gated, 'POST', '/v1/actions', { tool: 'mcp.srv-1.read_file' }, gatedAgents.keys[0]);
    if (blocked.block_code !== 'gate_pending') throw new Error(`a waiting server was not blocked: ${JSON.stringify(blocked)}`);

    const rounds: { plain: Round; gated: Round; cpu_ratio: number }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      log(`round ${r}: without gates…`);
      const p = await measure(plain, plainAgents.keys);
      log(`round ${r}: with gates and ${SOLUTIONS} solutions…`);
      const g = await measure(gated, gatedAgents.keys);
      rounds.push({ plain: p, gated: g, cpu_ratio: +(g.cpu_us_per_request / p.cpu_us_per_request).toFixed(3) });
    }
    // Only the one probe above was blocked: every measured request took the ALLOW path on both.
    for (const [s, expected] of [[plain, 0], [gated, 1]] as const) {
      const blocked = (await call(s, 'GET', '/v1/actions?status=blocked&limit=500')).data as { block_code: string }[];
      if (blocked.length !== expected) {
        throw new Error(`${blocked.length} blocked actions (${[...new Set(blocked.map((a) => a.block_code))].join(', ')}), expected ${expected}: the rounds did different work`);
      }
    }
    const median = [...rounds].sort((a, b) => a.cpu_ratio - b.cpu_ratio)[Math.floor(ROUNDS / 2)]!;
    return {
      solutions: SOLUTIONS,
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      without_gates: median.plain,
      with_gates: median.gated,
      server_cpu_us_per_request_ratio: median.cpu_ratio,
      requests_per_s_ratio: +(median.gated.requests_per_s / median.plain.requests_per_s).toFixed(3),
      target_ratio: 1.1,
      rounds,
    };
  } finally {
    await stopServer(plain);
    await stopServer(gated);
  }
}

const bench: BenchModule = { name: 'gates', run };
export default bench;
