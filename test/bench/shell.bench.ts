/**
 * The cost of shell-aware evaluation: a `shell.exec` decision on a 200-character compound command
 * (parsed with a real bash parser, each simple command judged on its own) next to the same
 * pipeline deciding a non-shell tool under the same policies, in the same run, interleaved.
 * Commands differ on every call, so the parser's cache never hides a parse; a second pair repeats
 * one command (what an agent re-running `npm test` costs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../../electron/app.js';
import { DEFAULT_SETTINGS, evaluate } from '../../shared/core/evaluate.js';
import { compileGuardrails } from '../../shared/core/guardrails.js';
import type { ActionInput, GuardrailRule, Snapshot } from '../../shared/core/types.js';
import type { BenchModule } from './run.js';

const RULES: GuardrailRule[] = [
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'npm test'", decision: 'ALLOW' },
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'git status'", decision: 'ALLOW' },
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'ls'", decision: 'ALLOW' },
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'rm -rf'", decision: 'ALERT', always_ask: true },
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'kubectl delete'", decision: 'BLOCK' },
  { tool: 'fs.write', expr: "$.args.path starts_with 'build/'", decision: 'ALLOW' },
  { tool: 'order.refund', max_value: 250, decision: 'ALLOW' },
  { tool: 'order.refund', expr: "$.args.reason contains 'fraud'", decision: 'ALERT' },
  { tool: 'doc.search', expr: "$.args.query starts_with 'npm test'", decision: 'ALLOW' },
];

const snapshot: Snapshot = {
  now: Date.parse('2026-06-01T12:00:00Z'),
  agent: { id: 'agt_b', name: 'bench', role: 'coder', team_id: null, leader_agent_id: null, status: 'active' },
  kill_switch: { engaged: false, reason: null },
  budgets: [],
  quota: null,
  tool_policies: [],
  role_overrides: [],
  guardrails: compileGuardrails([{ id: 'grd_b', name: 'bench', version: 1, status: 'active', rules: RULES }]),
  settings: DEFAULT_SETTINGS,
  grants: [],
  protected: { data_dir: '/home/u/.local/share/warden', home: '/home/u', wiring_files: ['/home/u/.claude/settings.json'] },
};

/** A ~200-character compound command, different for every `i`. */
function compound(i: number): string {
  return `npm test -- --run src/module${i}.test.ts && git status --short && ls -la build/out${i} > build/listing${i}.txt 2>&1; npm test -- --coverage --reporter=dot --shard=${i % 7}/7 > build/log${i}.txt`;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function pair(shellAction: (i: number) => ActionInput, otherAction: (i: number) => ActionInput, n: number) {
  const shellTimes: number[] = [];
  const otherTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    // Interleaved, so drift and GC land on both sides alike.
    const a = shellAction(i);
    const t0 = performance.now();
    evaluate(a, snapshot);
    const t1 = performance.now();
    const b = otherAction(i);
    const t2 = performance.now();
    evaluate(b, snapshot);
    const t3 = performance.now();
    shellTimes.push(t1 - t0);
    otherTimes.push(t3 - t2);
  }
  const us = (ms: number) => Math.round(ms * 1000 * 10) / 10;
  const p50s = percentile(shellTimes, 50);
  const p50o = percentile(otherTimes, 50);
  return {
    shell_p50_us: us(p50s),
    shell_p99_us: us(percentile(shellTimes, 99)),
    other_tool_p50_us: us(p50o),
    other_tool_p99_us: us(percentile(otherTimes, 99)),
    p50_ratio: Math.round((p50s / p50o) * 100) / 100,
  };
}

/**
 * What an agent waits for: `POST /v1/actions` for the shell command next to the non-shell action,
 * one at a time, interleaved, against the real server, with the server process's CPU per request.
 */
async function overHttp(n: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-shell-'));
  const app = await createApp({ dataDir: dir, port: 0, rendererDir: null });
  const url = await app.start();
  try {
    const post = async (key: string, path: string, body: unknown, method = 'POST') => {
      const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await post(app.operatorToken, '/v1/guardrails', { name: 'bench-shell', rules: RULES });
    const agent = await post(app.operatorToken, '/v1/agents', { name: 'bench-shell' });
    const key = agent.api_key as string;
    await post(app.operatorToken, '/v1/quota', { agent_id: agent.id, runs_per_hour: 30_000, concurrent_executions: 1_000 }, 'PATCH');
    const shellMs: number[] = [];
    const otherMs: number[] = [];
    let shellCpu = 0;
    let otherCpu = 0;
    for (let i = 0; i < n; i++) {
      let c0 = process.cpuUsage();
      let t0 = performance.now();
      const a = await post(key, '/v1/actions', { tool: 'shell.exec', args: { command: compound(i), cwd: '/repo' } });
      shellMs.push(performance.now() - t0);
      let c1 = process.cpuUsage(c0);
      shellCpu += c1.user + c1.system;
      c0 = process.cpuUsage();
      t0 = performance.now();
      const b = await post(key, '/v1/actions', { tool: 'doc.search', args: { query: `npm test module ${i} ${'x'.repeat(150)}`, cwd: '/repo' } });
      otherMs.push(performance.now() - t0);
      c1 = process.cpuUsage(c0);
      otherCpu += c1.user + c1.system;
      if (a.decision !== 'ALLOW' || b.decision !== 'ALLOW') throw new Error(`expected ALLOW, got ${String(a.decision)} / ${String(b.decision)}`);
      // Free the slots so the quota never decides.
      await post(key, `/v1/actions/${String(a.id)}/complete`, { outcome: 'succeeded' });
      await post(key, `/v1/actions/${String(b.id)}/complete`, { outcome: 'succeeded' });
    }
    const p50s = percentile(shellMs, 50);
    const p50o = percentile(otherMs, 50);
    return {
      requests_each: n,
      shell_p50_ms: +p50s.toFixed(3),
      shell_p99_ms: +percentile(shellMs, 99).toFixed(3),
      other_tool_p50_ms: +p50o.toFixed(3),
      other_tool_p99_ms: +percentile(otherMs, 99).toFixed(3),
      p50_ratio: Math.round((p50s / p50o) * 100) / 100,
      process_cpu_us_per_request: { shell: Math.round(shellCpu / n), other_tool: Math.round(otherCpu / n), note: 'server and client share this process' },
    };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<Record<string, unknown>> {
  const length = compound(12345).length;
  const verdict = evaluate({ tool: 'shell.exec', args: { command: compound(1), cwd: '/repo' } }, snapshot).decision;
  if (verdict !== 'ALLOW') throw new Error(`the benchmark command should be allowed, got ${verdict}`);
  const other = (i: number): ActionInput => ({ tool: 'doc.search', args: { query: `npm test module ${i} ${'x'.repeat(150)}`, cwd: '/repo' } });
  // Warm-up for the JIT on both paths.
  pair((i) => ({ tool: 'shell.exec', args: { command: compound(i + 1_000_000), cwd: '/repo' } }), other, 3_000);
  const fresh = pair((i) => ({ tool: 'shell.exec', args: { command: compound(i), cwd: '/repo' } }), other, 20_000);
  const repeated = pair(() => ({ tool: 'shell.exec', args: { command: compound(7), cwd: '/repo' } }), other, 20_000);
  return {
    command_length: length,
    simple_commands: 5,
    aim: 'shell p50 ≤ 3× the non-shell p50 for a 200-character compound command',
    core_every_command_new: fresh,
    core_same_command_repeated: repeated,
    post_v1_actions: await overHttp(1_000),
  };
}

const bench: BenchModule = { name: 'shell', run };
export default bench;
