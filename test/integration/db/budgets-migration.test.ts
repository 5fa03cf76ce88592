/** Migration 0003 (budgets): built on a version-2 database with rows in it, nothing lost. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../electron/db/migrate.js';
import { MIGRATIONS } from '../../../electron/db/migrations/index.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migration 0003-budgets', () => {
  it('adds the ledger tables to a version-2 database, keeps its rows, and enforces money constraints', () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-mig-'));
    const db = new Database(join(dir, 'w.db'));
    try {
      migrate(db, MIGRATIONS, 2);
      expect(schemaVersion(db)).toBe(2);
      db.prepare(
        `INSERT INTO agents (id, name, role, team_id, leader_agent_id, status, created_at, updated_at)
         VALUES ('agt_1', 'old', NULL, 'red', NULL, 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      ).run();
      const before = db.prepare('SELECT * FROM agents').all();

      migrate(db, MIGRATIONS, 3);
      expect(schemaVersion(db)).toBe(3);
      expect(db.prepare('SELECT * FROM agents').all()).toEqual(before);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['budgets', 'budget_periods', 'spend_events', 'reservations', 'reservation_holds', 'kill_switch']));
      expect(db.prepare('SELECT engaged, reason FROM kill_switch').all()).toEqual([{ engaged: 0, reason: null }]);

      const insert = db.prepare(
        `INSERT INTO budgets (id, scope, scope_id, limit_usd_cents, mode, period, period_start_ms, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'cap', 'none', 0, 'active', 'x', 'x')`,
      );
      insert.run('bud_1', 'team', 'red', 100);
      expect(() => insert.run('bud_2', 'team', 'red', 100)).toThrow(/UNIQUE/);
      expect(() => insert.run('bud_3', 'team', 'blue', 0)).toThrow(/CHECK/);
      expect(() => insert.run('bud_4', 'tenant', 'blue', 5)).toThrow(/CHECK/);
      expect(() => db.prepare("UPDATE budgets SET spent_micro_usd = -1 WHERE id = 'bud_1'").run()).toThrow(/CHECK/);
      expect(() => db.prepare("INSERT INTO kill_switch (id, engaged) VALUES (2, 1)").run()).toThrow(/CHECK/);

      // Later migrations still apply on top.
      migrate(db, MIGRATIONS);
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(db.prepare('SELECT COUNT(*) AS n FROM budgets').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
