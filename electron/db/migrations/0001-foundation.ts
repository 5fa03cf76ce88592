import type { Migration } from '../migrate.js';

/** Identity (operators, agents, keys), the append-only audit log and idempotency records. */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  up: `
    CREATE TABLE operators (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      token_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    );

    CREATE TABLE agents (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT,
      team_id TEXT,
      leader_agent_id TEXT,
      status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX agents_team ON agents(team_id);

    CREATE TABLE agent_keys (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id),
      key_hash TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      scopes TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      last_used_at TEXT
    );
    CREATE INDEX agent_keys_agent ON agent_keys(agent_id);

    CREATE TABLE audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      at TEXT NOT NULL,
      event_type TEXT NOT NULL,
      actor TEXT NOT NULL,
      agent_id TEXT,
      subject_id TEXT,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_event_type ON audit(event_type, seq);
    CREATE INDEX audit_agent ON audit(agent_id, seq);
    CREATE INDEX audit_actor ON audit(actor, seq);
    CREATE INDEX audit_at ON audit(at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
      BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
      BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

    CREATE TABLE idempotency_keys (
      principal TEXT NOT NULL,
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      body TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (principal, key)
    );
    CREATE INDEX idempotency_created ON idempotency_keys(created_at);
  `,
};
