/** Migration 0002 (policies): built on a version-1 database with rows in it, nothing lost. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../electron/db/migrate.js';
import { MIGRATIONS } from '../../../electron/db/migrations/index.js';
import { startTestApp } from '../../support/app.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migration 0002-policies', () => {
  it('adds the policy tables to a version-1 database, keeps its rows, and keeps versions immutable', () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-mig-'));
    const db = new Database(join(dir, 'w.db'));
    try {
      migrate(db, MIGRATIONS, 1);
      db.prepare(
        `INSERT INTO agents (id, name, role, team_id, leader_agent_id, status, created_at, updated_at)
         VALUES ('agt_1', 'old', 'dev', NULL, NULL, 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      ).run();
      const before = db.prepare('SELECT * FROM agents').all();

      migrate(db, MIGRATIONS, 2);
      expect(schemaVersion(db)).toBe(2);
      expect(db.prepare('SELECT * FROM agents').all()).toEqual(before);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(
        expect.arrayContaining(['guardrail_policies', 'guardrail_policy_versions', 'tools', 'tool_policies', 'role_policy_overrides', 'governance_settings', 'quota_overrides', 'policy_state']),
      );
      expect(db.prepare('SELECT epoch, quota_version FROM policy_state').get()).toEqual({ epoch: 0, quota_version: 0 });

      const policy = db.prepare(
        `INSERT INTO guardrail_policies (id, name, status, version, rules, created_at, updated_at, deleted_at) VALUES (?, ?, 'active', 1, '[]', 'x', 'x', ?)`,
      );
      policy.run('grd_1', 'same-name', null);
      expect(() => policy.run('grd_2', 'same-name', null)).toThrow(/UNIQUE/);
      // A deleted policy's name is free again.
      db.prepare("UPDATE guardrail_policies SET deleted_at = 'x' WHERE id = 'grd_1'").run();
      policy.run('grd_2', 'same-name', null);

      db.prepare(`INSERT INTO guardrail_policy_versions (policy_id, version, name, status, rules, created_at, actor) VALUES ('grd_1', 1, 'same-name', 'active', '[]', 'x', 'system')`).run();
      expect(() => db.prepare("UPDATE guardrail_policy_versions SET rules = '[1]'").run()).toThrow(/immutable/);
      expect(() => db.prepare('DELETE FROM guardrail_policy_versions').run()).toThrow(/immutable/);

      expect(() => db.prepare("INSERT INTO quota_overrides (agent_id, runs_per_hour, updated_at) VALUES ('', 0, 'x')").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });

  it('policies, versions and settings survive a restart; the store follows each committed change', async () => {
    const t = await startTestApp();
    try {
      const created = await t.api(t.op).answer('createGuardrail', { body: { name: 'durable', rules: [{ tool: 'a.b', decision: 'ALLOW' }] } });
      await t.api(t.op).answer('updateGuardrail', { params: { id: created.body.id }, body: { rules: [{ tool: 'a.b', decision: 'ALERT' }] } });
      await t.api(t.op).answer('updateGovernanceSettings', { body: { approval_ttl_seconds: 600 } });
      const store = t.app.services.policies;
      expect(store.compiledGuardrails().policies[0]?.version).toBe(2);

      await t.api(t.op).answer('updateGuardrail', { params: { id: created.body.id }, body: { status: 'disabled' } });
      expect(store.compiledGuardrails().policies).toEqual([]);

      await t.stop();
      const again = await startTestApp({ dataDir: t.dataDir });
      try {
        const v1 = await again.api(again.op).answer('getGuardrail', { params: { id: created.body.id }, query: { version: '1' } });
        expect(v1.body.rules).toEqual([{ tool: 'a.b', decision: 'ALLOW' }]);
        expect((await again.api(again.op).answer('getGovernanceSettings')).body.approval_ttl_seconds).toBe(600);
      } finally {
        await again.close();
      }
    } finally {
      await t.close();
    }
  });
});
