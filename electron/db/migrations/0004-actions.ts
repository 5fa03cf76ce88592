import type { Migration } from '../migrate.js';

/**
 * Actions, receipts, approvals and their decisions, grants.
 *
 * Times are RFC 3339 UTC strings of one fixed width (`toIso`), so they compare as text. Indexes
 * follow the hot queries: the quota counters (runs in the rolling hour, open slots per agent),
 * the reaper (earliest pending `expires_at`), live grants per agent, and the report aggregates.
 */
export const actions: Migration = {
  version: 4,
  name: 'actions',
  up: `
    CREATE TABLE receipts (
      id TEXT PRIMARY KEY,
      action_id TEXT NOT NULL,
      agent_id TEXT NOT NULL,
      action TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('ALLOW', 'ALERT', 'BLOCK')),
      block_code TEXT,
      explanation TEXT NOT NULL,
      matched TEXT NOT NULL,
      layers TEXT NOT NULL,
      grantable INTEGER NOT NULL,
      grant_id TEXT,
      created_at TEXT NOT NULL
    );

    CREATE TABLE actions (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id),
      tool TEXT NOT NULL,
      mission_id TEXT,
      decision TEXT NOT NULL CHECK (decision IN ('ALLOW', 'ALERT', 'BLOCK')),
      block_code TEXT,
      status TEXT NOT NULL
        CHECK (status IN ('allowed', 'pending_approval', 'blocked', 'denied', 'expired', 'completed')),
      -- 1 while the action holds a concurrency slot (allowed, not yet completed).
      holds_slot INTEGER NOT NULL DEFAULT 0,
      approval_id TEXT,
      receipt_id TEXT NOT NULL REFERENCES receipts(id),
      reason TEXT,
      outcome TEXT CHECK (outcome IN ('succeeded', 'failed')),
      cost_micro_usd INTEGER,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      completed_at TEXT
    );
    CREATE INDEX actions_agent ON actions(agent_id, id);
    CREATE INDEX actions_created ON actions(created_at);
    -- runs_per_hour: the agent's non-blocked actions in the rolling hour.
    CREATE INDEX actions_runs ON actions(agent_id, created_at, decision) WHERE decision <> 'BLOCK';
    -- concurrent_executions: the agent's open slots (taken at updated_at).
    CREATE INDEX actions_open ON actions(agent_id, updated_at) WHERE holds_slot = 1;

    CREATE TABLE approvals (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('action', 'delegation')),
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
      agent_id TEXT NOT NULL REFERENCES agents(id),
      child_agent_id TEXT,
      action_id TEXT,
      receipt_id TEXT,
      tool TEXT NOT NULL,
      action TEXT NOT NULL,
      explanation TEXT NOT NULL,
      grantable INTEGER NOT NULL,
      required_approvals INTEGER NOT NULL,
      -- The operator who submitted the action on the agent's behalf (self-approval rule).
      started_by TEXT,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      resolved_at TEXT,
      resolution TEXT CHECK (resolution IN ('allow_once', 'allow_always', 'deny', 'expired')),
      grant_id TEXT
    );
    CREATE INDEX approvals_pending_expiry ON approvals(expires_at) WHERE status = 'pending';
    CREATE INDEX approvals_agent ON approvals(agent_id, id);
    CREATE INDEX approvals_child ON approvals(child_agent_id, id) WHERE child_agent_id IS NOT NULL;
    CREATE INDEX approvals_status ON approvals(status, id);
    CREATE INDEX approvals_created ON approvals(created_at, status);
    CREATE INDEX approvals_tool ON approvals(tool, created_at);

    -- One row per (approval, category) so the by-category report is a GROUP BY.
    CREATE TABLE approval_categories (
      approval_id TEXT NOT NULL REFERENCES approvals(id),
      category TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (approval_id, category)
    );
    CREATE INDEX approval_categories_category ON approval_categories(category, created_at);

    CREATE TABLE approval_decisions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      approval_id TEXT NOT NULL REFERENCES approvals(id),
      agent_id TEXT NOT NULL,
      tool TEXT NOT NULL,
      operator_id TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('allow_once', 'allow_always', 'deny')),
      comment TEXT,
      grant_options TEXT,
      at TEXT NOT NULL,
      UNIQUE (approval_id, operator_id)
    );
    CREATE INDEX approval_decisions_agent ON approval_decisions(agent_id, seq);
    CREATE INDEX approval_decisions_operator ON approval_decisions(operator_id, decision);
    CREATE INDEX approval_decisions_at ON approval_decisions(at);

    CREATE TABLE grants (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id),
      tool TEXT NOT NULL,
      connector TEXT,
      args_pattern TEXT,
      expires_at TEXT,
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      approval_id TEXT,
      created_by TEXT NOT NULL
    );
    CREATE INDEX grants_live ON grants(agent_id, tool) WHERE revoked_at IS NULL;
    CREATE INDEX grants_agent ON grants(agent_id, id);
  `,
};
