/**
 * The ledger's cost, each next to a baseline in the same run:
 *  - spend events/s through Budgets.spend.record vs bare better-sqlite3 doing the same
 *    writes (spend row, three budget updates, one hash-chained audit row) in one transaction each;
 *  - POST /v1/spend over HTTP at 64 connections (autocannon), next to GET /v1/health on the same
 *    server, then the ledger total checked to the micro-USD;
 *  - the budget layer's read per evaluation (kill-switch + applicable budgets) with 1,000 budgets
 *    vs with 4, and reserve + release.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createApp } from '../../electron/app.js';
import { AuditService } from '../../electron/audit/service.js';
import { Budgets } from '../../electron/budgets/ledger.js';
import { systemClock } from '../../electron/common/clock.js';
import { randomIds } from '../../electron/common/ids.js';
import { immediate, openDatabase } from '../../electron/db/connection.js';
import { EventBus } from '../../electron/events/bus.js';
import type { AgentContext } from '../../shared/core/types.js';
import type { BenchModule } from './run.js';

const SPENDS = 3_000;
const ROUNDS = 3;

function ledgerIn(dir: string) {
  const db = openDatabase(join(dir, 'warden.db'));
  const audit = new AuditService({ db, clock: systemClock, ids: randomIds });
  const ledger = new Budgets({ db, audit, bus: new EventBus(systemClock), clock: systemClock, ids: randomIds, timeZone: 'UTC' });
  return { db, ledger };
}

const agentCtx = (id: string): AgentContext => ({ id, name: id, role: null, team_id: 'crew', leader_agent_id: null, status: 'active' });

function perSecond(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

function benchService(): number {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const { db, ledger } = ledgerIn(dir);
  try {
    const agent = agentCtx('agt_bench');
    for (const [scope, id] of [['agent', agent.id], ['team', 'crew'], ['global', 'global']] as const) {
      ledger.settings.set({ scope, scope_id: id, limit_usd_cents: 100_000_000 }, 'system');
    }
    for (let i = 0; i < 200; i++) ledger.spend.record({ agent, amount_micro_usd: 1 }, 'system'); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < SPENDS; i++) ledger.spend.record({ agent, amount_micro_usd: 1 + (i % 997) }, `agent:${agent.id}`);
    return perSecond(SPENDS, performance.now() - t0);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same rows written by hand (same ids, same audit payload and hash chain): no validation,
 * no row mapping, no crossing checks, no savepoint around the audit append.
 */
function benchBaseline(): number {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const { db, ledger } = ledgerIn(dir);
  try {
    const ids: string[] = [];
    for (const [scope, id] of [['agent', 'agt_bench'], ['team', 'crew'], ['global', 'global']] as const) {
      ids.push(ledger.settings.set({ scope, scope_id: id, limit_usd_cents: 100_000_000 }, 'system').id);
    }
    const insertSpend = db.prepare(
      `INSERT INTO spend_events (id, agent_id, team_id, mission_id, action_id, amount_micro_usd, pricing_source, usage, note, actor, created_ms, created_at)
       VALUES (?, ?, 'crew', NULL, NULL, ?, 'caller', NULL, NULL, ?, ?, ?)`,
    );
    const update = db.prepare('UPDATE budgets SET spent_micro_usd = spent_micro_usd + ?, updated_at = ? WHERE id = ?');
    const last = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    const insertAudit = db.prepare(
      `INSERT INTO audit (seq, id, at, event_type, actor, agent_id, subject_id, data, prev_hash, hash) VALUES (?, ?, ?, 'spend.recorded', ?, ?, ?, ?, ?, ?)`,
    );
    const spent = ids.map(() => 0);
    const one = (amount: number) =>
      immediate(db, () => {
        const now = Date.now();
        const at = new Date(now).toISOString();
        const id = randomIds.next('spd');
        insertSpend.run(id, 'agt_bench', amount, 'agent:agt_bench', now, at);
        ids.forEach((b, i) => {
          spent[i] = spent[i]! + amount;
          update.run(amount, at, b);
        });
        const prev = last.get();
        const seq = (prev?.seq ?? 0) + 1;
        const spend = { id, object: 'spend', agent_id: 'agt_bench', mission_id: null, action_id: null, amount_micro_usd: amount, pricing_source: 'caller', usage: null, note: null, created_at: at };
        const data = JSON.stringify({ spend, charged: ids.map((b, i) => ({ budget_id: b, spent_micro_usd: spent[i] })) });
        const auditId = randomIds.next('aud');
        const hash = createHash('sha256').update([prev?.hash ?? '', seq, auditId, at, 'spend.recorded', 'agent:agt_bench', 'agt_bench', id, data].join('\u001f')).digest('hex');
        insertAudit.run(seq, auditId, at, 'agent:agt_bench', 'agt_bench', id, data, prev?.hash ?? '', hash);
      });
    for (let i = 0; i < 200; i++) one(1);
    const t0 = performance.now();
    for (let i = 0; i < SPENDS; i++) one(1 + (i % 997));
    return perSecond(SPENDS, performance.now() - t0);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchHttp(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const app = await createApp({ dataDir: dir, port: 0, rendererDir: null, timeZone: 'UTC' });
  try {
    const url = await app.start();
    const agent = app.services.agents.create({ name: 'bench', team_id: 'crew' }, 'system');
    app.services.budgets.settings.set({ scope: 'global', limit_usd_cents: 100_000_000 }, 'system');
    app.services.budgets.settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 100_000_000 }, 'system');
    app.services.budgets.settings.set({ scope: 'agent', scope_id: agent.id, limit_usd_cents: 100_000_000 }, 'system');
    const run = (opts: autocannon.Options) => autocannon({ connections: 64, duration: 4, ...opts });
    const health = await run({ url: `${url}/v1/health` });
    const spend = await run({
      url: `${url}/v1/spend`,
      method: 'POST',
      headers: { authorization: `Bearer ${agent.api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount_micro_usd: 3 }),
    });
    const ok = spend['2xx'];
    const row = app.db.prepare("SELECT spent_micro_usd AS s FROM budgets WHERE scope = 'global'").get() as { s: number };
    // Requests still in flight when autocannon stops may commit after its count: compare with the rows.
    const events = (app.db.prepare('SELECT COUNT(*) AS n FROM spend_events').get() as { n: number }).n;
    return {
      connections: 64,
      spend_requests_per_s: Math.round(spend.requests.average),
      spend_latency_p50_ms: spend.latency.p50,
      spend_latency_p99_ms: spend.latency.p99,
      spend_2xx: ok,
      spend_non_2xx: spend.non2xx,
      health_requests_per_s: Math.round(health.requests.average),
      ratio_spend_to_health: +(spend.requests.average / health.requests.average).toFixed(3),
      ledger_exact: row.s === events * 3 && events >= ok,
    };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchLayer(): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const { db, ledger } = ledgerIn(dir);
  try {
    const agent = agentCtx('agt_0');
    const evalOnce = () => {
      ledger.killSwitch();
      return ledger.applicableBudgets(agent, 'm1');
    };
    const time = (n: number, fn: () => unknown) => {
      for (let i = 0; i < 500; i++) fn();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      return ((performance.now() - t0) * 1000) / n; // µs per call
    };
    for (const [scope, id] of [['agent', agent.id], ['team', 'crew'], ['mission', 'm1']] as const) {
      ledger.settings.set({ scope, scope_id: id, limit_usd_cents: 1_000_000, mode: 'cap' }, 'system');
    }
    ledger.settings.set({ scope: 'global', limit_usd_cents: 1_000_000, mode: 'cap' }, 'system');
    const with4 = time(20_000, evalOnce);
    immediate(db, () => {
      for (let i = 1; i <= 996; i++) ledger.settings.set({ scope: i % 2 ? 'agent' : 'mission', scope_id: `x${i}`, limit_usd_cents: 1000, mode: 'cap' }, 'system');
    });
    const count = (db.prepare('SELECT COUNT(*) AS n FROM budgets').get() as { n: number }).n;
    const with1000 = time(20_000, evalOnce);
    let k = 0;
    const reserveRelease = time(5_000, () =>
      immediate(db, () => {
        const id = `act_${k++}`;
        ledger.reserve(id, agent, 'm1', 100);
        ledger.release(id, 'failed');
      }),
    );
    return {
      budgets: count,
      eval_read_us_with_4_budgets: +with4.toFixed(2),
      eval_read_us_with_1000_budgets: +with1000.toFixed(2),
      ratio_1000_to_4: +(with1000 / with4).toFixed(3),
      reserve_release_us: +reserveRelease.toFixed(2),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: BenchModule = {
  name: 'budgets',
  async run() {
    // Paired rounds, alternating, so disk and machine noise hit both sides; the median ratio is reported.
    const pairs: { service: number; baseline: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) pairs.push({ baseline: benchBaseline(), service: benchService() });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      spend_events_per_s_service: median(pairs.map((p) => p.service)),
      spend_events_per_s_baseline: median(pairs.map((p) => p.baseline)),
      ratio_service_to_baseline: +median(pairs.map((p) => p.service / p.baseline)).toFixed(3),
      rounds: pairs,
      http: await benchHttp(),
      budget_layer: benchLayer(),
    };
  },
};

export default bench;
