/**
 * The ledger across OS processes. The sources are compiled once (tsc, into dist/ledger-test so
 * the shared dist/ is untouched) and child processes import the build:
 *  - several writer processes and many concurrent HTTP clients charge the same database file:
 *    totals are exact to the micro-USD;
 *  - 16 agent processes reserving estimates never overshoot a cap; without estimates only the
 *    crossing event does;
 *  - a server process is killed with SIGKILL during a spend load and restarted: every spend it
 *    answered 200 is in the ledger and the audit chain verifies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { routes } from '../../../shared/api/index.js';
import { WardenClient } from '../../../shared/client.js';
import { startTestApp } from '../../support/app.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist', 'ledger-test');

beforeAll(() => {
  // Other engineers' files may be mid-edit and fail to typecheck; tsc still emits, and only the
  // ledger's modules (and app.ts for the server) need to load.
  spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.node.json', '--outDir', DIST, '--tsBuildInfoFile', join(DIST, '.tsbuildinfo')], {
    cwd: ROOT,
    stdio: 'ignore',
  });
}, 120_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'warden-ledger-'));
  dirs.push(d);
  return d;
};

/** A child that opens the database through the built service and runs `mode`. */
const WORKER = `
const cfg = JSON.parse(process.env.LEDGER_CHILD);
const d = (p) => import(cfg.dist + p);
const { openDatabase, immediate } = await d('/electron/db/connection.js');
const { AuditService } = await d('/electron/audit/service.js');
const { EventBus } = await d('/electron/events/bus.js');
const { BudgetService } = await d('/electron/budgets/service.js');
const { systemClock } = await d('/electron/common/clock.js');
const { randomIds } = await d('/electron/common/ids.js');
// A frozen clock when the test pins the time (period boundaries), else the system clock.
const clock = cfg.now ? { now: () => cfg.now, monotonic: () => 0, setTimer: () => () => {} } : systemClock;
const db = openDatabase(cfg.db);
const audit = new AuditService(db, clock, randomIds);
const ledger = new BudgetService(db, audit, new EventBus(clock), clock, randomIds, { timeZone: 'UTC' });
const agent = cfg.agent;
const actor = 'agent:' + agent.id;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const fits = (states, est) => states.every((b) => b.status === 'active' && (b.mode !== 'cap' || b.spent_micro_usd + b.reserved_micro_usd + est <= b.limit_micro_usd));
let n = 0, total = 0, blocked = 0;
const amount = (i) => ((i * 7919 + cfg.k * 104729) % 99991) + 1;
if (cfg.mode === 'spend') {
  for (let i = 0; i < cfg.count; i++) { ledger.recordSpend({ agent, amount_micro_usd: amount(i) }, actor); n++; total += amount(i); }
} else if (cfg.mode === 'reserve') {
  for (let i = 0; i < cfg.count; i++) {
    const est = 20000 + amount(i) % 80000;
    const id = 'act_' + cfg.k + '_' + i;
    const ok = immediate(db, () => { if (!fits(ledger.applicableBudgets(agent, null), est)) return false; ledger.reserve(id, agent, null, est); return true; });
    if (!ok) { blocked++; if (blocked > 20) break; sleep(1); continue; }
    sleep(i % 3);
    ledger.settle(id, agent, null, { cost_micro_usd: est }, actor); n++; total += est;
  }
} else if (cfg.mode === 'nocap') {
  for (let i = 0; i < cfg.count; i++) {
    const stop = immediate(db, () => { if (!fits(ledger.applicableBudgets(agent, null), 0)) return true; ledger.recordSpend({ agent, amount_micro_usd: amount(i) }, actor); return false; });
    if (stop) break;
    n++; total += amount(i);
  }
}
db.close();
process.stdout.write(JSON.stringify({ n, total, blocked }));
`;

function runWorker(cfg: Record<string, unknown>): Promise<{ n: number; total: number; blocked: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WORKER], {
      env: { ...process.env, LEDGER_CHILD: JSON.stringify({ dist: DIST, ...cfg }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    // 'close', not 'exit': stdout may still hold the result when the process has exited.
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`worker exited ${code}: ${err}`);
        resolvePromise(JSON.parse(out) as { n: number; total: number; blocked: number });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

const agentCtx = (id: string, team: string | null) => ({ id, name: id, role: null, team_id: team, leader_agent_id: null, status: 'active' as const });

describe('several processes writing at once', () => {
  it('4 writer processes + 32 concurrent HTTP clients: totals exact to the micro-USD', async () => {
    const t = await startTestApp({ timeZone: 'UTC', dataDir: tempDir() });
    try {
      const agents = await Promise.all([0, 1, 2, 3, 4].map((i) => t.agent(`w${i}`, { team_id: 'crew' })));
      await t.api(t.op).answer('setBudget', { body: { scope: 'global', limit_usd_cents: 100_000_000 } });
      await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 100_000_000 } });
      for (const a of agents) await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100_000_000 } });
      const db = join(t.dataDir, 'warden.db');
      const workers = agents.slice(0, 4).map((a, k) => runWorker({ mode: 'spend', db, agent: agentCtx(a.id, 'crew'), k, count: 400 }));
      const http = agents[4]!;
      let httpTotal = 0;
      let httpN = 0;
      const clients = Array.from({ length: 32 }, async (_, c) => {
        for (let i = 0; i < 15; i++) {
          const amount = 1 + ((c * 1000 + i) * 7) % 12_345;
          const r = await t.raw('POST', '/v1/spend', { key: http.key, body: { amount_micro_usd: amount } });
          expect(r.status).toBe(200);
          httpTotal += amount;
          httpN++;
        }
      });
      const results = await Promise.all(workers);
      await Promise.all(clients);
      const workerTotal = results.reduce((s, r) => s + r.total, 0);
      expect(results.map((r) => r.n)).toEqual([400, 400, 400, 400]);
      const rows = (await t.api(t.op).answer('listBudgets', { query: { limit: '500' } })).body.data;
      const by = Object.fromEntries(rows.map((b) => [`${b.scope}/${b.scope_id}`, b.spent_micro_usd]));
      expect(by['global/global']).toBe(workerTotal + httpTotal);
      expect(by['team/crew']).toBe(workerTotal + httpTotal);
      agents.slice(0, 4).forEach((a, k) => expect(by[`agent/${a.id}`]).toBe(results[k]!.total));
      expect(by[`agent/${http.id}`]).toBe(httpTotal);
      expect(t.app.db.prepare('SELECT COUNT(*) AS n, SUM(amount_micro_usd) AS s FROM spend_events').get()).toEqual({ n: 1600 + httpN, s: workerTotal + httpTotal });
      expect((await t.api(t.op).answer('verifyAudit')).body.ok).toBe(true);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('16 agent processes reserving estimates never overshoot the cap; without estimates only the crossing event does', async () => {
    const t = await startTestApp({ timeZone: 'UTC', dataDir: tempDir() });
    try {
      const agents = await Promise.all(Array.from({ length: 16 }, (_, i) => t.agent(`e${i}`, { team_id: 'crew' })));
      await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 2_000, mode: 'cap' } });
      await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'solo', limit_usd_cents: 1_000, mode: 'cap' } });
      const db = join(t.dataDir, 'warden.db');
      const withEstimates = await Promise.all(agents.map((a, k) => runWorker({ mode: 'reserve', db, agent: agentCtx(a.id, 'crew'), k, count: 400 })));
      const crew = (await t.api(t.op).answer('getBudget', { params: { scope: 'team', scope_id: 'crew' } })).body;
      expect(crew.reserved_micro_usd).toBe(0);
      expect(crew.spent_micro_usd).toBe(withEstimates.reduce((s, r) => s + r.total, 0));
      expect(crew.spent_micro_usd).toBeLessThanOrEqual(20_000_000);
      expect(crew.spent_micro_usd).toBeGreaterThan(20_000_000 - 100_000); // the load reached the cap
      expect(withEstimates.some((r) => r.blocked > 0)).toBe(true);

      const withoutEstimates = await Promise.all(agents.map((a, k) => runWorker({ mode: 'nocap', db, agent: agentCtx(a.id, 'solo'), k, count: 400 })));
      const solo = (await t.api(t.op).answer('getBudget', { params: { scope: 'team', scope_id: 'solo' } })).body;
      expect(solo.status).toBe('paused');
      expect(solo.spent_micro_usd).toBe(withoutEstimates.reduce((s, r) => s + r.total, 0));
      const rows = t.app.db.prepare("SELECT amount_micro_usd AS a FROM spend_events WHERE team_id = 'solo' ORDER BY seq").all() as { a: number }[];
      const last = rows[rows.length - 1]!.a;
      expect(solo.spent_micro_usd).toBeGreaterThanOrEqual(10_000_000);
      expect(solo.spent_micro_usd - last).toBeLessThan(10_000_000);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('period rollover under several processes', () => {
  it('4 processes spending just after midnight roll the day once and lose nothing', async () => {
    const clock = new ManualClock(Date.parse('2026-01-05T12:00:00Z'));
    const t = await startTestApp({ timeZone: 'UTC', clock, dataDir: tempDir() });
    try {
      const agents = await Promise.all([0, 1, 2, 3].map((i) => t.agent(`d${i}`, { team_id: 'crew' })));
      await t.api(t.op).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 100_000, mode: 'cap', period: 'day' } });
      await t.api(t.op).answer('recordSpend', { body: { agent_id: agents[0]!.id, amount_micro_usd: 1_000_000_000 } });
      expect((await t.api(t.op).answer('getBudget', { params: { scope: 'team', scope_id: 'crew' } })).body.status).toBe('paused');
      const db = join(t.dataDir, 'warden.db');
      const now = Date.parse('2026-01-06T00:00:01Z');
      const results = await Promise.all(agents.map((a, k) => runWorker({ mode: 'spend', db, agent: agentCtx(a.id, 'crew'), k, count: 150, now })));
      const total = results.reduce((sum, r) => sum + r.total, 0);
      const row = t.app.db.prepare("SELECT * FROM budgets WHERE scope = 'team'").get() as { id: string; spent_micro_usd: number; status: string; period_start_ms: number };
      expect(row).toMatchObject({ spent_micro_usd: total, status: 'active', period_start_ms: Date.parse('2026-01-06T00:00:00Z') });
      expect(t.app.db.prepare('SELECT period_start_ms, spent_micro_usd FROM budget_periods WHERE budget_id = ?').all(row.id)).toEqual([
        { period_start_ms: Date.parse('2026-01-05T00:00:00Z'), spent_micro_usd: 1_000_000_000 },
      ]);
      const woken = t.app.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE event_type = 'budget.resumed'").get();
      expect(woken).toEqual({ n: 1 });
    } finally {
      await t.close();
    }
  }, 120_000);
});

/** A server process built from the same sources; prints its URL and token, then serves. */
const SERVER = `
const cfg = JSON.parse(process.env.LEDGER_CHILD);
const { createApp } = await import(cfg.dist + '/electron/app.js');
const app = await createApp({ dataDir: cfg.dataDir, port: 0, rendererDir: null, timeZone: 'UTC' });
const url = await app.start();
process.stdout.write(JSON.stringify({ url, token: app.operatorToken }) + '\\n');
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
`;

function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
      env: { ...process.env, LEDGER_CHILD: JSON.stringify({ dist: DIST, dataDir }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        const info = JSON.parse(line) as { url: string; token: string };
        resolvePromise({ child, ...info });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/** The typed client of a server started by `startServer`. */
const client = (url: string, key: string) => new WardenClient({ baseUrl: url, key });

/** A request whose answer may be anything (the server may die under it): status and unparsed body. */
async function call(url: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/**
 * 32 clients send `request(client, i)` in a loop; after 1.5 s the server is killed with SIGKILL.
 * Resolves with how many clients were cut off once every client has stopped.
 */
async function loadUntilKilled(server: { child: ChildProcess }, request: (client: number, i: number) => Promise<void>): Promise<number> {
  let stop = false;
  let cutOff = 0;
  const load = Array.from({ length: 32 }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      try {
        await request(c, i);
      } catch {
        cutOff++;
        return; // the server is gone
      }
    }
  });
  await new Promise((r) => setTimeout(r, 1_500));
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGKILL');
  await exited;
  stop = true;
  await Promise.all(load);
  return cutOff;
}

describe('crash safety', () => {
  it('kill -9 during a spend load: every spend answered 200 is in the ledger after restart; the audit chain verifies', async () => {
    const dataDir = tempDir();
    const first = await startServer(dataDir);
    const agent = await client(first.url, first.token).answer('createAgent', { body: { name: 'crashy', team_id: 'crew' } });
    expect(agent.status).toBe(201);
    await client(first.url, first.token).answer('setBudget', { body: { scope: 'global', limit_usd_cents: 100_000_000 } });
    await client(first.url, first.token).answer('setBudget', { body: { scope: 'team', scope_id: 'crew', limit_usd_cents: 1, mode: 'cap' } });

    const acked = new Map<string, number>();
    const failed = await loadUntilKilled(first, async (c, i) => {
      const amount = 1 + ((c * 100_003 + i * 7) % 9_999);
      const r = await call(first.url, agent.body.api_key, 'POST', '/v1/spend', { amount_micro_usd: amount });
      if (r.status === 200) acked.set(routes.recordSpend.response.parse(r.body).spend.id, amount);
    });
    expect(acked.size).toBeGreaterThan(50);
    console.log(`crash test: ${acked.size} spends acknowledged before SIGKILL, ${failed} clients cut off`);

    const second = await startServer(dataDir);
    try {
      const verify = await client(second.url, second.token).answer('verifyAudit');
      expect(verify.body.ok).toBe(true);
      const db = new Database(join(dataDir, 'warden.db'), { readonly: true });
      try {
        const has = db.prepare<[string], { amount_micro_usd: number }>('SELECT amount_micro_usd FROM spend_events WHERE id = ?');
        const missing = [...acked].filter(([id, amount]) => has.get(id)?.amount_micro_usd !== amount);
        expect(missing).toEqual([]);
        // No torn write: each budget equals the sum of the events it was charged.
        const sum = (db.prepare('SELECT SUM(amount_micro_usd) AS s FROM spend_events').get() as { s: number }).s;
        const global = db.prepare("SELECT spent_micro_usd AS s FROM budgets WHERE scope = 'global'").get() as { s: number };
        expect(global.s).toBe(sum);
        // The team cap paused exactly once, at the crossing, and stayed paused.
        const crew = db.prepare("SELECT status, spent_micro_usd AS s FROM budgets WHERE scope = 'team'").get() as { status: string; s: number };
        expect(crew).toEqual({ status: 'paused', s: sum });
        const spendAudits = (db.prepare("SELECT COUNT(*) AS n FROM audit WHERE event_type = 'spend.recorded'").get() as { n: number }).n;
        expect(spendAudits).toBe((db.prepare('SELECT COUNT(*) AS n FROM spend_events').get() as { n: number }).n);
      } finally {
        db.close();
      }
      // The restarted server keeps taking spend.
      const after = await call(second.url, agent.body.api_key, 'POST', '/v1/spend', { amount_micro_usd: 1 });
      expect(after.status).toBe(200);
    } finally {
      const exited2 = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited2;
    }
  }, 120_000);

  it('kill -9 during an action load: every decision answered 200 is recorded with its receipt and audit row after restart', async () => {
    const dataDir = tempDir();
    const first = await startServer(dataDir);
    await client(first.url, first.token).answer('createGuardrail', { body: { name: 'crash-allow', rules: [{ tool: 'fs.read', decision: 'ALLOW' }] } });
    const agents = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const a = await client(first.url, first.token).answer('createAgent', { body: { name: `actor${i}` } });
        await client(first.url, first.token).answer('updateQuota', { body: { agent_id: a.body.id, runs_per_hour: 30_000, concurrent_executions: 1_000 } });
        return a.body.api_key;
      }),
    );
    const acked = new Map<string, { decision: string; receipt: string }>();
    await loadUntilKilled(first, async (c, i) => {
      // Mostly ALLOW; every fifth asks (ALERT opens an approval in the same commit).
      const tool = i % 5 === 4 ? 'shell.exec' : 'fs.read';
      const r = await call(first.url, agents[c % agents.length]!, 'POST', '/v1/actions', { tool, args: { c, i } });
      if (r.status === 200) {
        const action = routes.createAction.response.parse(r.body);
        acked.set(action.id, { decision: action.decision, receipt: action.receipt_id });
      }
    });
    expect(acked.size).toBeGreaterThan(50);

    const second = await startServer(dataDir);
    try {
      expect((await client(second.url, second.token).answer('verifyAudit')).body.ok).toBe(true);
      const db = new Database(join(dataDir, 'warden.db'), { readonly: true });
      try {
        const row = db.prepare<[string], { decision: string; receipt_id: string; approval_id: string | null }>('SELECT decision, receipt_id, approval_id FROM actions WHERE id = ?');
        const receipt = db.prepare<[string], { id: string }>('SELECT id FROM receipts WHERE id = ?');
        const audited = db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM audit WHERE event_type = 'action.evaluated' AND subject_id = ?");
        const approval = db.prepare<[string], { status: string }>('SELECT status FROM approvals WHERE id = ?');
        const lost = [...acked].filter(([id, want]) => {
          const got = row.get(id);
          if (!got || got.decision !== want.decision || got.receipt_id !== want.receipt || !receipt.get(want.receipt)) return true;
          if (audited.get(id)?.n !== 1) return true;
          return want.decision === 'ALERT' && approval.get(got.approval_id ?? '')?.status !== 'pending';
        });
        expect(lost).toEqual([]);
        expect([...acked.values()].some((a) => a.decision === 'ALERT')).toBe(true);
      } finally {
        db.close();
      }
    } finally {
      const exited2 = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited2;
    }
  }, 120_000);
});
