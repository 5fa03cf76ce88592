import type { Migration } from '../migrate.js';

/**
 * Budgets, the spend ledger, reservations, the global kill-switch.
 *
 * Money columns are INTEGER micro-USD (limits are whole cents). `budgets.reserved_micro_usd`
 * is the sum of the budget's `reservation_holds`; both change in the same transaction.
 */
export const budgets: Migration = {
  version: 3,
  name: 'budgets',
  up: `
    CREATE TABLE budgets (
      id TEXT PRIMARY KEY,
      scope TEXT NOT NULL CHECK (scope IN ('agent', 'team', 'mission', 'global')),
      scope_id TEXT NOT NULL,
      limit_usd_cents INTEGER NOT NULL CHECK (limit_usd_cents > 0),
      mode TEXT NOT NULL CHECK (mode IN ('warn', 'cap')),
      period TEXT NOT NULL CHECK (period IN ('none', 'day', 'week', 'month')),
      period_start_ms INTEGER NOT NULL,
      period_end_ms INTEGER,
      spent_micro_usd INTEGER NOT NULL DEFAULT 0 CHECK (spent_micro_usd >= 0),
      reserved_micro_usd INTEGER NOT NULL DEFAULT 0 CHECK (reserved_micro_usd >= 0),
      status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
      paused_reason TEXT CHECK (paused_reason IN ('cap_hit', 'manual')),
      warned INTEGER NOT NULL DEFAULT 0,
      cap_hit INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (scope, scope_id)
    );
    CREATE INDEX budgets_updated ON budgets(updated_at, id);
    CREATE INDEX budgets_period_end ON budgets(period_end_ms) WHERE period_end_ms IS NOT NULL;

    CREATE TABLE budget_periods (
      budget_id TEXT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
      period_start_ms INTEGER NOT NULL,
      period_end_ms INTEGER NOT NULL,
      limit_usd_cents INTEGER NOT NULL,
      spent_micro_usd INTEGER NOT NULL,
      PRIMARY KEY (budget_id, period_start_ms)
    );

    CREATE TABLE spend_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      agent_id TEXT,
      team_id TEXT,
      mission_id TEXT,
      action_id TEXT,
      amount_micro_usd INTEGER NOT NULL CHECK (amount_micro_usd >= 0),
      pricing_source TEXT NOT NULL,
      usage TEXT,
      note TEXT,
      actor TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE INDEX spend_agent ON spend_events(agent_id, seq);
    CREATE INDEX spend_mission ON spend_events(mission_id, seq);
    CREATE INDEX spend_created ON spend_events(created_ms);

    CREATE TABLE reservations (
      action_id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL,
      mission_id TEXT,
      amount_micro_usd INTEGER NOT NULL CHECK (amount_micro_usd >= 0),
      created_ms INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      closed_at TEXT,
      outcome TEXT CHECK (outcome IN ('settled', 'failed', 'denied', 'expired', 'abandoned'))
    );
    CREATE INDEX reservations_open ON reservations(created_ms) WHERE closed_at IS NULL;

    CREATE TABLE reservation_holds (
      action_id TEXT NOT NULL REFERENCES reservations(action_id),
      budget_id TEXT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
      amount_micro_usd INTEGER NOT NULL CHECK (amount_micro_usd >= 0),
      PRIMARY KEY (action_id, budget_id)
    );
    CREATE INDEX reservation_holds_budget ON reservation_holds(budget_id);

    CREATE TABLE kill_switch (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      engaged INTEGER NOT NULL,
      reason TEXT,
      changed_at TEXT,
      changed_by TEXT
    );
    INSERT INTO kill_switch (id, engaged) VALUES (1, 0);
  `,
};
