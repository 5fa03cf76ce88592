import type { Migration } from '../migrate.js';

/**
 * Review gates: gate policies (stages of gates, kept as JSON: they are read and written whole),
 * solutions with their resources, gate submissions and each operator's decision on them (one per
 * operator and submission, which the primary key enforces). The audit gains `entity_type`, the
 * kind of thing a row is about, derived from its `event_type`; existing rows are filled in.
 */
export const gates: Migration = {
  version: 16,
  name: 'gates',
  up: `
    CREATE TABLE gate_policies (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      category TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      applicable_resource_types TEXT NOT NULL,
      stages TEXT NOT NULL,
      is_active INTEGER NOT NULL,
      is_draft INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX gate_policies_created ON gate_policies(created_at, id);

    CREATE TABLE solutions (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      agent_id TEXT,
      status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'approved_with_conditions', 'rejected')),
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX solutions_agent ON solutions(agent_id, id);
    CREATE INDEX solutions_status ON solutions(status, id);

    CREATE TABLE solution_resources (
      solution_id TEXT NOT NULL REFERENCES solutions(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      type TEXT NOT NULL,
      resource_id TEXT NOT NULL,
      PRIMARY KEY (solution_id, type, resource_id)
    );
    CREATE INDEX solution_resources_resource ON solution_resources(type, resource_id);

    CREATE TABLE gate_submissions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      solution_id TEXT NOT NULL REFERENCES solutions(id) ON DELETE CASCADE,
      policy_id TEXT NOT NULL REFERENCES gate_policies(id) ON DELETE CASCADE,
      stage_id TEXT NOT NULL,
      gate_id TEXT NOT NULL,
      gate_type TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'conditional', 'denied', 'waived')),
      data TEXT NOT NULL,
      submitted_by TEXT NOT NULL,
      required_approvals INTEGER NOT NULL,
      waiver_reason TEXT,
      waived_by TEXT,
      waived_at TEXT,
      superseded_by TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      resolved_at TEXT
    );
    CREATE INDEX gate_submissions_gate ON gate_submissions(solution_id, policy_id, gate_id, seq);
    CREATE INDEX gate_submissions_status ON gate_submissions(status, seq);

    CREATE TABLE gate_decisions (
      submission_id TEXT NOT NULL REFERENCES gate_submissions(id) ON DELETE CASCADE,
      operator_id TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('approved', 'denied', 'conditional')),
      comments TEXT,
      conditions TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (submission_id, operator_id)
    );

    ALTER TABLE audit ADD COLUMN entity_type TEXT;
    DROP TRIGGER audit_no_update;
    UPDATE audit SET entity_type = CASE
      WHEN event_type LIKE 'gate.%' THEN 'gate_submission'
      WHEN instr(event_type, '.') > 0 THEN substr(event_type, 1, instr(event_type, '.') - 1)
      ELSE event_type END;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
      BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE INDEX audit_entity_type ON audit(entity_type, seq);
  `,
};
