/**
 * Migrations: one test per step (build the previous version, insert rows, migrate, compare), a
 * database newer than the app, and atomicity. Real SQLite files in a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/db/connection.js';
import { DatabaseTooNewError, migrate, schemaVersion, type Migration } from '../../../electron/db/migrate.js';
import { MIGRATIONS } from '../../../electron/db/migrations/index.js';

let dir: string | undefined;
const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fresh(name = 'warden.db'): Database.Database {
  dir ??= mkdtempSync(join(tmpdir(), 'warden-migrations-'));
  const db = new Database(join(dir, name));
  db.pragma('foreign_keys = ON');
  open.push(db);
  return db;
}

const newDir = (): string => (dir = mkdtempSync(join(tmpdir(), 'warden-migrations-')));

type Row = Record<string, unknown>;

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function dump(db: Database.Database): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const t of tables(db)) out[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all() as Row[];
  return out;
}

function schema(db: Database.Database): { type: string; name: string; sql: string }[] {
  return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as never;
}

/** Rows in the foundation tables (present at every version), written as the app writes them. */
function seedFoundation(db: Database.Database): void {
  const at = '2026-01-05T12:00:00.000Z';
  db.prepare("INSERT INTO operators (id, name, token_hash, created_at) VALUES ('opr_1', 'owner', ?, ?)").run('a'.repeat(64), at);
  db.prepare(
    `INSERT INTO agents (id, name, role, team_id, leader_agent_id, status, created_at, updated_at)
     VALUES ('agt_1', 'lead', 'planner', 'red', NULL, 'active', ?, ?), ('agt_2', 'coder', NULL, 'red', 'agt_1', 'disabled', ?, ?)`,
  ).run(at, at, at, at);
  db.prepare(
    `INSERT INTO agent_keys (id, agent_id, key_hash, prefix, scopes, created_at, revoked_at)
     VALUES ('key_1', 'agt_1', ?, 'wk_agent_abcd', '["actions:write"]', ?, NULL), ('key_2', 'agt_2', ?, 'wk_agent_efgh', '[]', ?, ?)`,
  ).run('b'.repeat(64), at, 'c'.repeat(64), at, at);
  db.prepare(
    `INSERT INTO audit (seq, id, at, event_type, actor, agent_id, subject_id, data, prev_hash, hash)
     VALUES (1, 'aud_1', ?, 'agent.created', 'operator:opr_1', 'agt_1', 'agt_1', '{"x":1}', ?, ?)`,
  ).run(at, '0'.repeat(64), 'd'.repeat(64));
  db.prepare(
    `INSERT INTO idempotency_keys (principal, key, request_hash, status, body, created_at) VALUES ('agent:agt_1', 'k1', 'h', 201, '{}', ?)`,
  ).run(at);
}

describe('the migration list', () => {
  it('is numbered 1..n without gaps and every name is unique', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it('migrating step by step gives the same schema as migrating at once', () => {
    newDir();
    const once = fresh('once.db');
    migrate(once, MIGRATIONS);
    const stepped = fresh('stepped.db');
    for (let v = 1; v <= MIGRATIONS.length; v++) migrate(stepped, MIGRATIONS, v);
    expect(schema(stepped)).toEqual(schema(once));
    expect(schemaVersion(stepped)).toBe(MIGRATIONS.length);
  });

  it('running migrate again on an up-to-date database changes nothing', () => {
    newDir();
    const db = fresh();
    migrate(db, MIGRATIONS);
    seedFoundation(db);
    const before = { schema: schema(db), rows: dump(db) };
    migrate(db, MIGRATIONS);
    expect({ schema: schema(db), rows: dump(db) }).toEqual(before);
  });
});

describe('0001-foundation', () => {
  it('creates identity, audit and idempotency tables on an empty file, with append-only audit', () => {
    newDir();
    const db = fresh();
    expect(schemaVersion(db)).toBe(0);
    migrate(db, MIGRATIONS, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['agent_keys', 'agents', 'audit', 'idempotency_keys', 'operators']);
    seedFoundation(db);
    expect(() => db.prepare("UPDATE audit SET data = '{}' WHERE id = 'aud_1'").run()).toThrow(/append-only/);
    expect(() => db.prepare("DELETE FROM audit WHERE id = 'aud_1'").run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO agents (id, name, status, created_at, updated_at) VALUES ('agt_3', 'x', 'sleeping', '', '')").run()).toThrow(/CHECK/);
    expect(() =>
      db.prepare("INSERT INTO agent_keys (id, agent_id, key_hash, prefix, scopes, created_at) VALUES ('key_3', 'agt_404', 'h', 'p', '[]', '')").run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

// One test per later migration: the previous version with rows in it, then the step. A number
// held for another branch (an empty placeholder until its migration replaces it) changes nothing.
for (const m of MIGRATIONS.slice(1).filter((x) => x.up !== '')) {
  describe(`${String(m.version).padStart(4, '0')}-${m.name}`, () => {
    it(`applies on a version-${m.version - 1} database with rows, keeping every row and table`, () => {
      newDir();
      const db = fresh();
      migrate(db, MIGRATIONS, m.version - 1);
      expect(schemaVersion(db)).toBe(m.version - 1);
      seedFoundation(db);
      const before = dump(db);
      const tablesBefore = tables(db);
      const schemaBefore = schema(db);

      migrate(db, MIGRATIONS, m.version);
      expect(schemaVersion(db)).toBe(m.version);
      const after = dump(db);
      // No table dropped, no row changed (a step may rebuild indexes).
      expect(tables(db)).toEqual(expect.arrayContaining(tablesBefore));
      for (const t of tablesBefore) {
        const keep = after[t]!.map((r) => Object.fromEntries(Object.keys(before[t]![0] ?? r).map((k) => [k, r[k]])));
        expect(keep, `rows of ${t}`).toEqual(before[t]);
      }
      expect(schema(db)).not.toEqual(schemaBefore);
      // The foundation's guarantees still hold on the new schema.
      expect(() => db.prepare("DELETE FROM audit WHERE id = 'aud_1'").run()).toThrow(/append-only/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

      // Later steps still apply on top, and the app opens the file.
      migrate(db, MIGRATIONS);
      db.close();
      const app = openDatabase(join(dir!, 'warden.db'));
      try {
        expect(schemaVersion(app)).toBe(MIGRATIONS.length);
        expect(app.prepare('SELECT name FROM agents ORDER BY id').all()).toEqual([{ name: 'lead' }, { name: 'coder' }]);
      } finally {
        app.close();
      }
    });
  });
}

describe('0015-workflow-runs: the approvals rebuild', () => {
  it('keeps every approval with its decisions and categories, and takes kind workflow_step afterwards', () => {
    newDir();
    const db = fresh();
    migrate(db, MIGRATIONS, 14);
    seedFoundation(db);
    const at = '2026-01-05T12:00:00.000Z';
    db.prepare(
      `INSERT INTO approvals (id, kind, status, agent_id, tool, action, explanation, grantable, required_approvals, created_at, expires_at, withdrawn_at, undone_at)
       VALUES ('apr_1', 'action', 'approved', 'agt_1', 'shell.exec', '{"tool":"shell.exec"}', 'asks', 1, 1, ?, ?, NULL, NULL)`,
    ).run(at, at);
    db.prepare("INSERT INTO approval_decisions (approval_id, agent_id, tool, operator_id, decision, at) VALUES ('apr_1', 'agt_1', 'shell.exec', 'opr_1', 'allow_once', ?)").run(at);
    db.prepare("INSERT INTO approval_categories (approval_id, category, created_at) VALUES ('apr_1', 'external_comm', ?)").run(at);
    const before = dump(db);
    const indexesBefore = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'approvals' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);

    migrate(db, MIGRATIONS, 15);
    const after = dump(db);
    expect(after.approvals!.map((r) => ({ ...r, workflow_run_id: undefined, queue: undefined, prompt: undefined }))).toEqual(
      before.approvals!.map((r) => ({ ...r, workflow_run_id: undefined, queue: undefined, prompt: undefined })),
    );
    expect(after.approval_decisions).toEqual(before.approval_decisions);
    expect(after.approval_categories).toEqual(before.approval_categories);
    const indexesAfter = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'approvals' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexesAfter).toEqual([...indexesBefore, 'approvals_workflow_run'].sort());
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // The decisions still point at approvals: a decision on a missing approval is refused.
    expect(() => db.prepare("INSERT INTO approval_decisions (approval_id, agent_id, tool, operator_id, decision, at) VALUES ('apr_none', 'agt_1', 't', 'opr_1', 'deny', ?)").run(at)).toThrow(/FOREIGN KEY/);
    db.prepare(
      `INSERT INTO approvals (id, kind, status, agent_id, tool, action, explanation, grantable, required_approvals, created_at, expires_at, workflow_run_id, queue, prompt)
       VALUES ('apr_2', 'workflow_step', 'pending', 'agt_1', 'workflow:release', '{}', 'Review', 0, 1, ?, ?, 'run_1', 'releases', 'Review')`,
    ).run(at, at);
    expect(() => db.prepare("UPDATE approvals SET kind = 'other' WHERE id = 'apr_2'").run()).toThrow(/CHECK/);
  });
});

describe('a database newer than the app', () => {
  it('fails with DatabaseTooNewError naming both versions, and leaves the file untouched', () => {
    newDir();
    const db = fresh();
    migrate(db, MIGRATIONS);
    seedFoundation(db);
    db.pragma(`user_version = ${MIGRATIONS.length + 3}`);
    const before = dump(db);
    db.close();

    let error: unknown;
    try {
      openDatabase(join(dir!, 'warden.db'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    const e = error as DatabaseTooNewError;
    expect(e.found).toBe(MIGRATIONS.length + 3);
    expect(e.supported).toBe(MIGRATIONS.length);
    expect(e.message).toBe(
      `the database is at schema version ${MIGRATIONS.length + 3} but this Warden understands up to ${MIGRATIONS.length}; ` +
        'upgrade Warden or point --data-dir at another folder',
    );

    const again = fresh();
    expect(schemaVersion(again)).toBe(MIGRATIONS.length + 3);
    expect(dump(again)).toEqual(before);
  });
});

describe('atomicity', () => {
  const good: Migration = { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' };

  it('a step that fails half-way leaves no table of it and the version unchanged', () => {
    newDir();
    const db = fresh();
    const failing: Migration = { version: 2, name: 'two', up: 'CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); CREATE TABLE a (x);' };
    expect(() => migrate(db, [good, failing])).toThrow(/already exists/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['a']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 0 });
  });

  it('a function step that throws rolls back its writes', () => {
    newDir();
    const db = fresh();
    const failing: Migration = {
      version: 2,
      name: 'two',
      up: (d) => {
        d.exec('CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (7);');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [good, failing])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['a']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 0 });
  });

  it('refuses a list with a gap before touching the database', () => {
    newDir();
    const db = fresh();
    expect(() => migrate(db, [good, { version: 3, name: 'three', up: 'CREATE TABLE c (x);' }])).toThrow(/expected 2/);
    expect(schemaVersion(db)).toBe(0);
    expect(tables(db)).toEqual([]);
  });
});
