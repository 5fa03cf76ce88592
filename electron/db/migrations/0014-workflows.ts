import type { Migration } from '../migrate.js';

/**
 * Workflow definitions (WORKFLOWS.md "Versions", "Template registry").
 *
 * `workflows` holds one row per name; a name is never reused, also after DELETE (runs pinned to
 * its versions keep resolving). `workflow_versions` keeps every deploy: the source text exactly as
 * submitted (YAML or JSON), the parsed definition as JSON, who, when, why, and the validation
 * warnings. Versions are immutable (triggers refuse UPDATE and DELETE); a rollback writes a new
 * version naming the one it was made from. `workflow_templates` is the registry: an entry pinned to
 * one version, moving active → deprecated → archived and never back.
 */
export const workflows: Migration = {
  version: 14,
  name: 'workflows',
  up: `
    CREATE TABLE workflows (
      name TEXT PRIMARY KEY,
      latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted_at TEXT,
      deleted_by TEXT
    );

    CREATE TABLE workflow_versions (
      workflow TEXT NOT NULL REFERENCES workflows(name),
      version INTEGER NOT NULL CHECK (version >= 1),
      source TEXT NOT NULL,
      source_format TEXT NOT NULL CHECK (source_format IN ('yaml', 'json')),
      definition_json TEXT NOT NULL,
      deployed_at TEXT NOT NULL,
      deployed_by TEXT NOT NULL,
      message TEXT,
      warnings_json TEXT NOT NULL DEFAULT '[]',
      rolled_back_from INTEGER,
      PRIMARY KEY (workflow, version)
    );
    CREATE TRIGGER workflow_versions_no_update BEFORE UPDATE ON workflow_versions
      BEGIN SELECT RAISE(ABORT, 'workflow versions are immutable'); END;
    CREATE TRIGGER workflow_versions_no_delete BEFORE DELETE ON workflow_versions
      BEGIN SELECT RAISE(ABORT, 'workflow versions are immutable'); END;

    CREATE TABLE workflow_templates (
      id TEXT PRIMARY KEY,
      template_name TEXT NOT NULL,
      workflow TEXT NOT NULL,
      version INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'deprecated', 'archived')),
      description TEXT,
      tags_json TEXT NOT NULL DEFAULT '[]',
      approved_by TEXT NOT NULL,
      approved_at TEXT NOT NULL,
      deprecated_at TEXT,
      deprecated_by TEXT,
      deprecation_reason TEXT,
      replacement_id TEXT REFERENCES workflow_templates(id),
      archived_at TEXT,
      archived_by TEXT,
      FOREIGN KEY (workflow, version) REFERENCES workflow_versions(workflow, version)
    );
    CREATE INDEX workflow_templates_status ON workflow_templates(status, approved_at);
  `,
};
