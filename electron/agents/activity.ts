/**
 * The Agents page's per-agent columns in one read: pending approval requests and spend this
 * period (the agent budget's current period, or today in the operator's time zone without one).
 */
import type { AgentActivity } from '../../shared/api/agents.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';
import { periodAt, type PeriodKind } from '../budgets/periods.js';

interface ActivityRow {
  agent_id: string;
  pending: number;
  today: number;
  period: PeriodKind | null;
  period_start_ms: number | null;
  period_end_ms: number | null;
  budget_spent: number | null;
}

export class AgentActivityReport {
  private readonly query;

  constructor(private readonly deps: { db: Db; clock: Clock; timeZone: string }) {
    this.query = deps.db.prepare<[{ day: number }], ActivityRow>(
      `WITH pending AS (SELECT agent_id, COUNT(*) AS n FROM approvals WHERE status = 'pending' GROUP BY agent_id),
            today AS (SELECT agent_id, SUM(amount_micro_usd) AS s FROM spend_events WHERE created_ms >= @day AND agent_id IS NOT NULL GROUP BY agent_id)
       SELECT a.id AS agent_id, COALESCE(p.n, 0) AS pending, COALESCE(t.s, 0) AS today,
              b.period, b.period_start_ms, b.period_end_ms, b.spent_micro_usd AS budget_spent
       FROM agents a
       LEFT JOIN pending p ON p.agent_id = a.id
       LEFT JOIN today t ON t.agent_id = a.id
       LEFT JOIN budgets b ON b.scope = 'agent' AND b.scope_id = a.id
       WHERE a.deleted_at IS NULL
       ORDER BY a.id DESC`,
    );
  }

  all(): AgentActivity[] {
    const now = this.deps.clock.now();
    const day = periodAt('day', now, this.deps.timeZone, now).start;
    return this.query.all({ day }).map((r) => {
      if (r.period === null || r.budget_spent === null || r.period_start_ms === null) {
        return { agent_id: r.agent_id, pending_approvals: r.pending, spent_micro_usd: r.today, period: 'day', period_starts_at: toIso(day), budgeted: false };
      }
      // A period over but not rolled yet (budgets roll when read or charged): nothing spent in the new one.
      const over = r.period_end_ms !== null && r.period_end_ms <= now;
      const start = over ? periodAt(r.period, now, this.deps.timeZone, r.period_start_ms).start : r.period_start_ms;
      return { agent_id: r.agent_id, pending_approvals: r.pending, spent_micro_usd: over ? 0 : r.budget_spent, period: r.period, period_starts_at: toIso(start), budgeted: true };
    });
  }
}
