import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../electron/db/migrate.js';
import { MIGRATIONS } from '../../../electron/db/migrations/index.js';
import { harness, until, type Harness } from '../../support/actions-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('fail closed', () => {
  it('an error while assembling the snapshot answers BLOCK (evaluation_error), never ALLOW', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('alpha');
    const ledger = h.app.services.budgets;
    const original = ledger.killSwitch.bind(ledger);
    ledger.killSwitch = () => {
      throw new Error('ledger unreadable');
    };
    try {
      const res = await h.act(a.key, { tool: 'fs.read' });
      expect(res.body).toMatchObject({ decision: 'BLOCK', status: 'blocked', block_code: 'evaluation_error' });
      expect(res.body.explanation).toContain('ledger unreadable');
      const dry = await h.api(a.key).answer('evaluate', { body: { action: { tool: 'fs.read' } } });
      expect(dry.body.decision).toBe('BLOCK');
    } finally {
      ledger.killSwitch = original;
    }
    expect((await h.act(a.key, { tool: 'fs.read' })).body.decision).toBe('ALLOW');
  });

  it('a ledger that refuses the reservation turns the ALLOW into BLOCK, and nothing stays reserved', async () => {
    h = await harness();
    await h.allow('llm.call');
    const a = await h.agent('alpha');
    const ledger = h.app.services.budgets;
    const original = ledger.reserve.bind(ledger);
    ledger.reserve = () => {
      throw new Error('disk full');
    };
    try {
      const res = await h.act(a.key, { tool: 'llm.call', cost_estimate_micro_usd: 10 });
      expect(res.body).toMatchObject({ decision: 'BLOCK', block_code: 'evaluation_error' });
      expect(res.body.explanation).toContain('disk full');
    } finally {
      ledger.reserve = original;
    }
    const open = h.app.db.prepare('SELECT COUNT(*) AS n FROM actions WHERE holds_slot = 1').get() as { n: number };
    expect(open.n).toBe(0);
  });
});

describe('idempotency and events', () => {
  it('the same Idempotency-Key replays the first decision without recording a second action', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const first = await h.api(a.key).answer('createAction', { body: { tool: 'shell.exec' } }, { idempotencyKey: 'k1' });
    const again = await h.api(a.key).answer('createAction', { body: { tool: 'shell.exec' } }, { idempotencyKey: 'k1' });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await h.api(h.op).answer('listActions')).body.data).toHaveLength(1);
    const other = await h.raw('POST', '/v1/actions', { key: a.key, body: { tool: 'other' }, headers: { 'idempotency-key': 'k1' } });
    expect(other.status).toBe(409);
  });

  it('the operator SSE stream carries action.evaluated, approval.requested and approval.resolved with API objects', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    const controller = new AbortController();
    const res = await fetch(`${h.url}/v1/events`, { headers: { authorization: `Bearer ${h.op}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += decoder.decode(value);
      }
    })();
    const action = (await h.act(a.key, { tool: 'shell.exec' })).body;
    await h.decide(action.approval_id!, { decision: 'allow_once' });
    await until(() => text.includes('event: approval.resolved'));
    controller.abort();
    await pump;
    expect(text).toContain('event: action.evaluated');
    expect(text).toContain('event: approval.requested');
    const resolved = text.split('\n\n').find((chunk) => chunk.startsWith('event: approval.resolved'))!;
    const data = JSON.parse(resolved.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(data.data).toMatchObject({ object: 'approval', id: action.approval_id, status: 'approved' });
  });
});

describe('migration 0004', () => {
  it('applies over a version-3 database with rows, keeping them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-mig-'));
    const db = new Database(join(dir, 'w.db'));
    try {
      migrate(db, MIGRATIONS, 3);
      expect(schemaVersion(db)).toBe(3);
      db.prepare(
        `INSERT INTO agents (id, name, role, team_id, leader_agent_id, status, created_at, updated_at)
         VALUES ('agt_1', 'alpha', NULL, NULL, NULL, 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      ).run();
      migrate(db, MIGRATIONS, 4);
      expect(schemaVersion(db)).toBe(4);
      expect(db.prepare('SELECT name FROM agents').all()).toEqual([{ name: 'alpha' }]);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['actions', 'receipts', 'approvals', 'approval_decisions', 'approval_categories', 'grants']));
      // The status vocabulary is enforced by the database too.
      expect(() =>
        db.prepare(
          `INSERT INTO approvals (id, kind, status, agent_id, tool, action, explanation, grantable, required_approvals, created_at, expires_at)
           VALUES ('apr_1', 'action', 'maybe', 'agt_1', 't', '{}', '', 1, 1, 'x', 'y')`,
        ).run(),
      ).toThrow(/CHECK/);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
