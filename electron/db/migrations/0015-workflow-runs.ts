import type Database from 'better-sqlite3';
import type { Migration } from '../migrate.js';

/**
 * Workflow runs (WORKFLOWS.md "Runs and links", "Executors and commit safety"):
 * - `workflow_runs`: one run pinned to the definition version it started on; `step` counts the
 *   committed steps, so an outbox row is keyed by (run, step) and runs once.
 * - `workflow_run_history`: every step, guard evaluation and executor result, in order.
 * - `workflow_evidence`: what guards of kind `evidence` count.
 * - `workflow_outbox`: an executor to run after its step committed; `status` moves
 *   pending → running → done | failed in transactions of their own.
 * - `workflow_connections`: declared REST endpoints; `headers_json` holds secrets and is never
 *   returned, audited or copied into run data.
 * - approvals gain kind `workflow_step` with its run, queue and prompt. SQLite cannot change a
 *   CHECK in place: the table is rebuilt with the same rows, its references deferred meanwhile.
 */
function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE workflow_runs (
      id TEXT PRIMARY KEY,
      workflow TEXT NOT NULL,
      version INTEGER NOT NULL,
      agent_id TEXT NOT NULL REFERENCES agents(id),
      mission_id TEXT,
      state TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'waiting', 'completed', 'failed', 'cancelled')),
      input TEXT NOT NULL,
      context TEXT NOT NULL,
      step INTEGER NOT NULL DEFAULT 0,
      -- The transition an executor or approval holds until it finishes (the state is unchanged meanwhile).
      pending_transition TEXT,
      waiting_approval_id TEXT,
      reason TEXT,
      started_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX workflow_runs_workflow ON workflow_runs(workflow, id);
    CREATE INDEX workflow_runs_agent ON workflow_runs(agent_id, id);
    CREATE INDEX workflow_runs_status ON workflow_runs(status, id);
    CREATE INDEX workflow_runs_approval ON workflow_runs(waiting_approval_id) WHERE waiting_approval_id IS NOT NULL;

    CREATE TABLE workflow_run_history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id TEXT NOT NULL REFERENCES workflow_runs(id),
      step INTEGER NOT NULL,
      kind TEXT NOT NULL,
      transition TEXT,
      from_state TEXT,
      to_state TEXT,
      actor TEXT NOT NULL,
      data TEXT NOT NULL,
      at TEXT NOT NULL
    );
    CREATE INDEX workflow_run_history_run ON workflow_run_history(run_id, seq);

    CREATE TABLE workflow_evidence (
      id TEXT PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES workflow_runs(id),
      kind TEXT NOT NULL,
      data TEXT NOT NULL,
      operator_id TEXT,
      recorded_by TEXT NOT NULL,
      step INTEGER NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE INDEX workflow_evidence_run ON workflow_evidence(run_id, created_at);

    CREATE TABLE workflow_outbox (
      id TEXT PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES workflow_runs(id),
      step INTEGER NOT NULL,
      phase TEXT NOT NULL CHECK (phase IN ('transition', 'on_enter')),
      transition TEXT,
      executor TEXT NOT NULL,
      output TEXT,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      result TEXT,
      created_at TEXT NOT NULL,
      finished_at TEXT,
      UNIQUE (run_id, step)
    );
    CREATE INDEX workflow_outbox_open ON workflow_outbox(created_at) WHERE status IN ('pending', 'running');

    CREATE TABLE workflow_connections (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      base_url TEXT NOT NULL,
      headers_json TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `);

  const table = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'approvals'").get();
  if (!table) throw new Error('approvals table missing');
  const indexes = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'approvals' AND sql IS NOT NULL").all();
  const oldCheck = "kind IN ('action', 'delegation')";
  if (!table.sql.includes(oldCheck)) throw new Error('approvals kind CHECK not found');
  const rebuilt = table.sql.replace(oldCheck, "kind IN ('action', 'delegation', 'workflow_step')");
  // Rows of approval_decisions and approval_categories point at approvals: checked at commit.
  // The rows go back into a table named approvals (not renamed into it), so each one re-inserted
  // answers the references its removal left open.
  db.pragma('defer_foreign_keys = ON');
  db.exec('CREATE TEMP TABLE approvals_copy AS SELECT * FROM approvals');
  db.exec('DROP TABLE approvals');
  db.exec(rebuilt);
  db.exec('INSERT INTO approvals SELECT * FROM temp.approvals_copy');
  db.exec('DROP TABLE temp.approvals_copy');
  for (const index of indexes) db.exec(index.sql);
  db.exec(`
    ALTER TABLE approvals ADD COLUMN workflow_run_id TEXT;
    ALTER TABLE approvals ADD COLUMN queue TEXT;
    ALTER TABLE approvals ADD COLUMN prompt TEXT;
    CREATE INDEX approvals_workflow_run ON approvals(workflow_run_id) WHERE workflow_run_id IS NOT NULL;
  `);
}

export const workflowRuns: Migration = { version: 15, name: 'workflow-runs', up };
