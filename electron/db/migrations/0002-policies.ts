import type { Migration } from '../migrate.js';

/**
 * Guardrail policies and their versions, the tool registry, tool policies, role overrides,
 * governance settings and quota overrides.
 *
 * `guardrail_policies` holds each policy's live state; `guardrail_policy_versions` holds every
 * version ever written and is immutable (triggers reject UPDATE and DELETE), so a receipt's
 * `policy_version` always resolves. A deleted policy keeps its rows with `deleted_at` set; its
 * name becomes free for a new policy. `policy_state.epoch` increments with every change so each
 * process's compiled-policy cache knows when to rebuild.
 */
export const policies: Migration = {
  version: 2,
  name: 'policies',
  up: `
    CREATE TABLE guardrail_policies (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT,
      status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
      version INTEGER NOT NULL CHECK (version >= 1),
      rules TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted_at TEXT
    );
    CREATE UNIQUE INDEX guardrail_policies_live_name ON guardrail_policies(name) WHERE deleted_at IS NULL;

    CREATE TABLE guardrail_policy_versions (
      policy_id TEXT NOT NULL REFERENCES guardrail_policies(id),
      version INTEGER NOT NULL CHECK (version >= 1),
      name TEXT NOT NULL,
      description TEXT,
      status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
      rules TEXT NOT NULL,
      created_at TEXT NOT NULL,
      actor TEXT NOT NULL,
      PRIMARY KEY (policy_id, version)
    );
    CREATE TRIGGER guardrail_versions_no_update BEFORE UPDATE ON guardrail_policy_versions
      BEGIN SELECT RAISE(ABORT, 'policy versions are immutable'); END;
    CREATE TRIGGER guardrail_versions_no_delete BEFORE DELETE ON guardrail_policy_versions
      BEGIN SELECT RAISE(ABORT, 'policy versions are immutable'); END;

    CREATE TABLE tools (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT,
      categories TEXT NOT NULL DEFAULT '[]',
      source TEXT NOT NULL CHECK (source IN ('declared', 'seen')),
      created_at TEXT NOT NULL,
      last_seen_at TEXT
    );

    CREATE TABLE tool_policies (
      id TEXT PRIMARY KEY,
      tool_name TEXT NOT NULL UNIQUE REFERENCES tools(name),
      allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
      restrictions TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE role_policy_overrides (
      id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      tool_name TEXT NOT NULL REFERENCES tools(name),
      allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
      created_at TEXT NOT NULL,
      UNIQUE (role, tool_name)
    );

    CREATE TABLE governance_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      data TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- agent_id '' holds the profile-wide overrides. NULL columns mean "no override".
    CREATE TABLE quota_overrides (
      agent_id TEXT PRIMARY KEY,
      runs_per_hour INTEGER CHECK (runs_per_hour > 0),
      concurrent_executions INTEGER CHECK (concurrent_executions > 0),
      memory_mb INTEGER CHECK (memory_mb > 0),
      updated_at TEXT NOT NULL
    );

    CREATE TABLE policy_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      epoch INTEGER NOT NULL,
      quota_version INTEGER NOT NULL
    );
    INSERT INTO policy_state (id, epoch, quota_version) VALUES (1, 0, 0);
  `,
};
