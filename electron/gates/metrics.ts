/** The review gates' rollup: policies, solutions and submissions by status, review times, blocks. */
import type { z } from 'zod';
import { GateSeverity, SolutionStatus, SubmissionStatus, type GateMetrics } from '../../shared/api/gates.js';
import { toIso } from '../common/clock.js';
import type { GateContext } from './context.js';

const DAY_MS = 86_400_000;

function countsBy<K extends string>(keys: readonly K[], rows: { key: string; n: number }[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const r of rows) if ((keys as readonly string[]).includes(r.key)) out[r.key as K] = r.n;
  return out;
}

export function gateMetrics(ctx: Pick<GateContext, 'db' | 'clock'>): z.output<typeof GateMetrics> {
  const db = ctx.db;
  const all = <R>(sql: string, ...args: unknown[]) => db.prepare<unknown[], R>(sql).all(...args);
  const policies = all<{ is_active: number; is_draft: number; n: number }>('SELECT is_active, is_draft, COUNT(*) AS n FROM gate_policies GROUP BY is_active, is_draft');
  const durations = all<{ minutes: number }>(
    `SELECT (julianday(resolved_at) - julianday(created_at)) * 1440.0 AS minutes FROM gate_submissions
     WHERE resolved_at IS NOT NULL AND gate_type <> 'evidence' ORDER BY minutes`,
  ).map((r) => r.minutes);
  const mid = Math.floor(durations.length / 2);
  const median = durations.length === 0 ? null : durations.length % 2 ? durations[mid]! : (durations[mid - 1]! + durations[mid]!) / 2;
  const since = toIso(ctx.clock.now() - 7 * DAY_MS);
  return {
    object: 'gate_metrics',
    policies: {
      active: policies.filter((p) => p.is_active && !p.is_draft).reduce((s, p) => s + p.n, 0),
      draft: policies.filter((p) => p.is_draft).reduce((s, p) => s + p.n, 0),
      inactive: policies.filter((p) => !p.is_active && !p.is_draft).reduce((s, p) => s + p.n, 0),
      by_severity: countsBy(GateSeverity.options, all('SELECT severity AS key, COUNT(*) AS n FROM gate_policies GROUP BY severity')),
    },
    solutions: { by_status: countsBy(SolutionStatus.options, all('SELECT status AS key, COUNT(*) AS n FROM solutions GROUP BY status')) },
    submissions: {
      by_status: countsBy(SubmissionStatus.options, all('SELECT status AS key, COUNT(*) AS n FROM gate_submissions WHERE superseded_by IS NULL GROUP BY status')),
    },
    pending_reviews: all<{ n: number }>(
      "SELECT COUNT(*) AS n FROM gate_submissions WHERE status = 'submitted' AND superseded_by IS NULL AND gate_type <> 'evidence'",
    )[0]!.n,
    waivers: all<{ n: number }>("SELECT COUNT(*) AS n FROM gate_submissions WHERE status = 'waived'")[0]!.n,
    median_time_to_decision_minutes: median === null ? null : Math.round(median * 100) / 100,
    blocked_actions_last_7_days: all<{ n: number }>("SELECT COUNT(*) AS n FROM actions WHERE block_code = 'gate_pending' AND created_at >= ?", since)[0]!.n,
  };
}
