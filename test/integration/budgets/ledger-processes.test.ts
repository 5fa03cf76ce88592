/**
 * The ledger across a crash. The sources are compiled once (tsc, into dist/ledger-test so the
 * shared dist/ is untouched) and a server process runs the build: it is killed with SIGKILL
 * during a spend (or action) load and restarted, and every spend or decision it answered 200 is
 * in the ledger, with its receipt and audit row, and the audit chain verifies. (Warden has one
 * writer, the server; concurrency inside it is covered by the budgets tests over HTTP.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import { WardenClient } from '../../../shared/client.js';
import { compiledServer, tempDirs } from '../../support/compiled-server.js';

const DIST = compiledServer('ledger-test', 120_000);
const tempDir = tempDirs('warden-ledger-');

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
