/**
 * Governance and approval reports, computed by SQL aggregates over indexed columns
 * (`actions.created_at`, `approvals.created_at/status/tool/agent_id`, `approval_categories`,
 * `approval_decisions.at`) — never by loading rows into memory. The governance report's
 * `kind = 'action'` is checked on each row of the `approvals_created` range (no index has kind).
 */
import type { z } from 'zod';
import type { ApprovalsReport, GovernanceReport, ReportPeriod } from '../../shared/api/reports.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';

type Period = z.infer<typeof ReportPeriod>;

const DAY_MS = 86_400_000;
/** `created_at >= ''` holds for every row, so "all" needs no second query shape. */
const EVER = '';

interface Counts {
  total: number;
  approved: number;
  rejected: number;
  expired: number;
  pending: number;
}

const COUNTS = `COUNT(*) AS total,
  COALESCE(SUM(p.status = 'approved'), 0) AS approved,
  COALESCE(SUM(p.status = 'denied'), 0) AS rejected,
  COALESCE(SUM(p.status = 'expired'), 0) AS expired,
  COALESCE(SUM(p.status = 'pending'), 0) AS pending`;

export class ReportService {
  private readonly s;

  private readonly clock: Clock;

  constructor({ db, clock }: { db: Db; clock: Clock }) {
    this.clock = clock;
    this.s = {
      executions: db.prepare<[string], { n: number; blocked: number }>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(decision = 'BLOCK'), 0) AS blocked FROM actions WHERE created_at >= ?`,
      ),
      // INVARIANT: gated_executions <= total_executions. Only an action's approval gates an
      // execution; a delegation approval (a child asking its leader) has no action row.
      gated: db.prepare<[string], Counts>(`SELECT ${COUNTS} FROM approvals p WHERE p.created_at >= ? AND p.kind = 'action'`),
      avgApproval: db.prepare<[string], { minutes: number | null }>(
        `SELECT AVG((julianday(p.resolved_at) - julianday(p.created_at)) * 1440.0) AS minutes
         FROM approvals p WHERE p.created_at >= ? AND p.status = 'approved' AND p.kind = 'action'`,
      ),
      topApprovers: db.prepare<[string], { operator_id: string; name: string | null; approvals: number }>(
        `SELECT d.operator_id, o.name, COUNT(*) AS approvals
         FROM approval_decisions d LEFT JOIN operators o ON o.id = d.operator_id
         WHERE d.at >= ? AND d.decision <> 'deny'
         GROUP BY d.operator_id ORDER BY approvals DESC, d.operator_id LIMIT 10`,
      ),
      byTool: db.prepare<[string], Counts & { tool: string }>(
        `SELECT p.tool, ${COUNTS} FROM approvals p WHERE p.created_at >= ? GROUP BY p.tool ORDER BY total DESC, p.tool`,
      ),
      byAgent: db.prepare<[string], Counts & { agent_id: string; name: string | null }>(
        `SELECT p.agent_id, a.name, ${COUNTS} FROM approvals p LEFT JOIN agents a ON a.id = p.agent_id
         WHERE p.created_at >= ? GROUP BY p.agent_id ORDER BY total DESC, p.agent_id`,
      ),
      byWorkflow: db.prepare<[string], { workflow: string; total: number; approved: number; rejected: number }>(
        `SELECT r.workflow, COUNT(*) AS total, COALESCE(SUM(p.status = 'approved'), 0) AS approved, COALESCE(SUM(p.status = 'denied'), 0) AS rejected
         FROM approvals p JOIN workflow_runs r ON r.id = p.workflow_run_id
         WHERE p.created_at >= ? GROUP BY r.workflow ORDER BY total DESC, r.workflow`,
      ),
      byCategory: db.prepare<[string], Counts & { category: string }>(
        `SELECT c.category, ${COUNTS} FROM approval_categories c JOIN approvals p ON p.id = c.approval_id
         WHERE c.created_at >= ? GROUP BY c.category ORDER BY c.category`,
      ),
    };
  }

  private since(period: Period): string {
    const now = this.clock.now();
    switch (period) {
      case 'last_7_days':
        return toIso(now - 7 * DAY_MS);
      case 'last_30_days':
        return toIso(now - 30 * DAY_MS);
      case 'all':
        return EVER;
    }
  }

  governance(period: Period): z.output<typeof GovernanceReport> {
    const since = this.since(period);
    const counts = this.s.gated.get(since)!;
    const resolved = counts.approved + counts.rejected + counts.expired;
    const minutes = this.s.avgApproval.get(since)?.minutes ?? null;
    const executions = this.s.executions.get(since);
    return {
      object: 'governance_report',
      period,
      total_executions: executions?.n ?? 0,
      gated_executions: counts.total,
      blocked_executions: executions?.blocked ?? 0,
      approved: counts.approved,
      rejected: counts.rejected,
      expired: counts.expired,
      pending: counts.pending,
      approval_rate: resolved ? Math.round((counts.approved / resolved) * 1000) / 1000 : null,
      avg_approval_time_minutes: minutes === null ? null : Math.round(minutes * 100) / 100,
      top_approvers: this.s.topApprovers.all(since),
    };
  }

  approvals(period: Period): z.output<typeof ApprovalsReport> {
    const since = this.since(period);
    const pick = (r: Counts): Counts => ({ total: r.total, approved: r.approved, rejected: r.rejected, expired: r.expired, pending: r.pending });
    return {
      object: 'approvals_report',
      period,
      by_tool: this.s.byTool.all(since).map((r) => ({ tool: r.tool, ...pick(r) })),
      by_agent: this.s.byAgent.all(since).map((r) => ({ agent_id: r.agent_id, name: r.name, ...pick(r) })),
      by_category: Object.fromEntries(this.s.byCategory.all(since).map((r) => [r.category, pick(r)])),
      by_workflow: this.s.byWorkflow.all(since),
    };
  }
}
