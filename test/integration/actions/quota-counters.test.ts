/**
 * The quota layer's in-memory counters mirror the actions table: across a restart (loaded from
 * the file), through approvals releasing slots, and when a request's transaction rolls back
 * inside a group commit (its counts are undone with its rows).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOAD_SQL, QuotaCounters } from '../../../electron/actions/quota-counters.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { GroupCommit } from '../../../electron/db/group-commit.js';
import { harness, type Harness } from '../../support/actions-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;

describe('quota counters', () => {
  it('survive a restart: open slots and the hour of runs are loaded from the file', async () => {
    const clock = new ManualClock();
    h = await harness({ clock });
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('updateQuota', { body: { agent_id: a.id, concurrent_executions: 2, runs_per_hour: 3 } });
    const first = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');

    await h.stop();
    h = await harness({ clock, dataDir: h.dataDir });
    // Two slots held before the restart still count after it.
    const blocked = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect(blocked).toMatchObject({ decision: 'BLOCK', block_code: 'quota_exceeded' });
    expect(blocked.explanation).toContain('2 open actions');
    await h.api(a.key).answer('completeAction', { params: { id: first.id }, body: { outcome: 'succeeded' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
    // Three non-blocked runs this hour (two before the restart, one after): the hourly quota.
    const hourly = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect(hourly.block_code).toBe('quota_exceeded');
    expect(hourly.explanation).toContain('3 actions in the last hour');
    clock.advance(HOUR);
    // The hour has slid past every run, but two slots are still held (taken an hour ago: the
    // reservation timeout has passed too, so they were abandoned and stop counting).
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('an approval releasing an action takes a slot; a denied one never does', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    await h.api(h.op).answer('updateQuota', { body: { agent_id: a.id, concurrent_executions: 1 } });
    const alerted = (await h.act(a.key, { tool: 'shell.exec' })).body;
    const denied = (await h.act(a.key, { tool: 'shell.exec' })).body;
    expect([alerted.decision, denied.decision]).toEqual(['ALERT', 'ALERT']);
    await h.decide(denied.approval_id!, { decision: 'deny' });
    expect((await h.act(a.key, { tool: 'fs.read', args: { probe: 1 } })).body.decision).toBe('ALLOW');
    const probe = (await h.api(a.key).answer('listActions', { query: { limit: '1' } })).body.data[0];
    await h.api(a.key).answer('completeAction', { params: { id: probe!.id }, body: { outcome: 'succeeded' } });
    expect((await h.decide(alerted.approval_id!, { decision: 'allow_once' })).status).toBe(200);
    // The released action holds the only slot now.
    expect((await h.act(a.key, { tool: 'fs.read' })).body.block_code).toBe('quota_exceeded');
    await h.api(a.key).answer('completeAction', { params: { id: alerted.id }, body: { outcome: 'succeeded' } });
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('a request rolled back inside a group commit takes its counts with it', async () => {
    const clock = new ManualClock();
    h = await harness({ clock });
    const a = await h.agent('alpha');
    const db = h.app.db;
    const counters = new QuotaCounters(db, () => clock.now());
    const commits = new GroupCommit(db);
    const insertReceipt = db.prepare(
      `INSERT INTO receipts (id, action_id, agent_id, action, decision, explanation, matched, layers, grantable, created_at)
       VALUES (?, ?, ?, '{}', 'ALLOW', 'test', '[]', '[]', 0, ?)`,
    );
    const insertAction = db.prepare(
      `INSERT INTO actions (id, agent_id, tool, decision, status, holds_slot, receipt_id, created_at, updated_at)
       VALUES (?, ?, 'fs.read', 'ALLOW', 'allowed', 1, ?, ?, ?)`,
    );
    const allow = (n: number, fail: boolean) => () => {
      const now = clock.now();
      const at = new Date(now).toISOString();
      counters.recordRun(a.id, now);
      counters.takeSlot(a.id, `act_q${n}`, now);
      insertReceipt.run(`rcp_q${n}`, `act_q${n}`, a.id, at);
      insertAction.run(`act_q${n}`, a.id, `rcp_q${n}`, at, at);
      if (fail) throw new Error(`request ${n} fails after its writes`);
    };
    const results = await Promise.allSettled([0, 1, 2, 3].map((n) => commits.run(allow(n, n === 2))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const since = clock.now() - HOUR;
    expect(counters.runsSince(a.id, since)).toBe(3);
    expect(counters.openSince(a.id, since)).toBe(3);
    // The same counts as a fresh load from the file, and as counting the rows.
    const fresh = new QuotaCounters(db, () => clock.now());
    expect([fresh.runsSince(a.id, since), fresh.openSince(a.id, since)]).toEqual([3, 3]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM actions WHERE agent_id = ?').get(a.id) as { n: number }).n).toBe(3);

    // A batch whose COMMIT fails (a foreign key checked at commit) is undone in memory too.
    const batch = Promise.allSettled([
      commits.run(allow(8, false)),
      commits.run(() => {
        db.pragma('defer_foreign_keys = ON');
        insertReceipt.run('rcp_orphan', 'act_orphan', 'agt_nobody', new Date(clock.now()).toISOString());
        insertAction.run('act_orphan', 'agt_nobody', 'rcp_orphan', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
      }),
    ]);
    expect((await batch).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect([counters.runsSince(a.id, since), counters.openSince(a.id, since)]).toEqual([3, 3]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM actions').get() as { n: number }).n).toBe(3);
  });

  it('runs keep their order when the clock is set back, and only the last hour counts', async () => {
    const clock = new ManualClock();
    h = await harness({ clock });
    const a = await h.agent('alpha');
    const counters = new QuotaCounters(h.app.db, () => clock.now());
    const t0 = clock.now();
    for (const dt of [0, 10, 5, 20, 15]) counters.recordRun(a.id, t0 + dt * 60_000);
    expect(counters.runsSince(a.id, t0 + 9 * 60_000)).toBe(3);
    expect(counters.runsSince(a.id, t0 + 20 * 60_000)).toBe(0);
    expect(counters.runsSince(a.id, t0 - 1)).toBe(5);
    clock.advance(3 * HOUR);
    expect(counters.runsSince(a.id, clock.now() - HOUR)).toBe(0);
  });

  it('are read from the file through indexes, not a scan of every action', async () => {
    h = await harness();
    const plan = (sql: string, ...args: unknown[]) =>
      (h!.app.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan(LOAD_SQL.runs, '2026-01-01')).toMatch(/USING INDEX actions_created/);
    expect(plan(LOAD_SQL.open)).toMatch(/USING INDEX actions_open/);
  });
});
