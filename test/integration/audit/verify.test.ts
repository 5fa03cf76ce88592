/**
 * `GET /v1/audit/verify` re-hashes the chain in a worker thread: the event loop keeps turning
 * while it runs, it still finds a tampered row, it checks only the rows added since the last
 * sound run (yet finds a tamper among them), and only the operator may call it.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { chainText, GENESIS } from '../../../electron/audit/chain.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

/** Appends `n` chained rows straight into the table, in one transaction (fast setup). */
function appendRows(app: TestApp['app'], n: number): void {
  const db = app.db;
  const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const insert = db.prepare(
    `INSERT INTO audit (seq, id, at, event_type, actor, agent_id, subject_id, data, prev_hash, hash)
     VALUES (@seq, @id, @at, @event_type, @actor, @agent_id, @subject_id, @data, @prev_hash, @hash)`,
  );
  let prev = last?.hash ?? GENESIS;
  let seq = last?.seq ?? 0;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      seq++;
      const row = { seq, id: `aud_bulk${String(seq).padStart(9, '0')}`, at: '2026-01-05T12:00:00.000Z', event_type: 'test.bulk', actor: 'system', agent_id: null, subject_id: null, data: `{"i":${i}}` };
      const hash = createHash('sha256').update(chainText(prev, row)).digest('hex');
      insert.run({ ...row, prev_hash: prev, hash });
      prev = hash;
    }
  })();
}

/** Drops the append-only triggers, as a forger with file access would, and edits one row. */
function tamper(app: TestApp['app'], seq: number): string {
  app.db.exec('DROP TRIGGER IF EXISTS audit_no_update');
  app.db.prepare(`UPDATE audit SET data = '{"forged":true}' WHERE seq = ?`).run(seq);
  return (app.db.prepare('SELECT id FROM audit WHERE seq = ?').get(seq) as { id: string }).id;
}

/** The longest a 2 ms interval timer ran late while `work` was in progress. */
async function maxLateness(work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let expected = performance.now() + 2;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 2;
  }, 2);
  try {
    await work();
    // One more turn so a timer held back by the very end of the work is counted too.
    await new Promise((r) => setTimeout(r, 5));
  } finally {
    clearInterval(timer);
  }
  return worst;
}

const verify = async (full = false) => (await t.raw('GET', `/v1/audit/verify${full ? '?full=true' : ''}`, { key: t.op })).body as { ok: boolean; rows: number; first_bad_id: string | null };
const count = () => (t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;

describe('audit verify', () => {
  it('runs off the event loop: timers stay on time while a large chain is verified', async () => {
    t = await startTestApp({ backups: false });
    appendRows(t.app, 60_000);
    // Baseline: the same chain re-hashed on this thread holds every timer back for the whole run.
    const onLoop = await maxLateness(async () => t.app.services.audit.verify());
    const inWorker = await maxLateness(() => verify(true));
    expect((await verify(true)).ok).toBe(true);
    expect(inWorker).toBeLessThan(onLoop / 4);
  }, 120_000);

  it('finds a tampered row, and finds it again on every later run', async () => {
    t = await startTestApp({ backups: false });
    appendRows(t.app, 50);
    expect(await verify()).toEqual({ ok: true, rows: count(), first_bad_id: null });
    const bad = tamper(t.app, count() - 10);
    // Rows already verified are not re-read by an incremental run, so ask for a full one.
    expect(await verify(true)).toMatchObject({ ok: false, first_bad_id: bad });
    appendRows(t.app, 3);
    expect(await verify()).toMatchObject({ ok: false, first_bad_id: bad });
  });

  it('checks only the rows added since the last sound run, and finds a tamper among them', async () => {
    t = await startTestApp({ backups: false });
    appendRows(t.app, 40);
    expect((await verify()).ok).toBe(true);
    // An old row edited now: an incremental run does not read it again (full runs do).
    const old = tamper(t.app, 5);
    appendRows(t.app, 20);
    expect(await verify()).toEqual({ ok: true, rows: count(), first_bad_id: null });
    expect(await verify(true)).toMatchObject({ ok: false, first_bad_id: old });

    // Back to a sound chain in a fresh app; then a tamper of a row added after the last run.
    await t.close();
    t = await startTestApp({ backups: false });
    appendRows(t.app, 40);
    expect((await verify()).ok).toBe(true);
    appendRows(t.app, 20);
    const fresh = tamper(t.app, count() - 7);
    expect(await verify()).toMatchObject({ ok: false, first_bad_id: fresh });
  });

  it('an edit of the last row a run found sound is caught by the next run', async () => {
    t = await startTestApp({ backups: false });
    appendRows(t.app, 10);
    expect((await verify()).ok).toBe(true);
    const anchor = tamper(t.app, count());
    expect(await verify()).toMatchObject({ ok: false, first_bad_id: anchor });
  });

  it('is for the operator only: an agent key with audit:read gets 403 insufficient_scope', async () => {
    t = await startTestApp({ backups: false });
    const agent = await t.agent('reader', { scopes: ['audit:read'] });
    const res = await t.raw('GET', '/v1/audit/verify', { key: agent.key });
    expect(res.status).toBe(403);
    expect(errorBody(res.body).error.code).toBe('insufficient_scope');
  });
});
