/** Reports: approval rate, time to approve, gated vs total, approvals by tool/agent, spend over time by agent. */
import { useState } from 'react';
import type { z } from 'zod';
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, startOfDay, startOfMonth } from 'date-fns';
import type { ReportPeriod } from '../../../shared/api/reports.js';
import type { Agent } from '../../../shared/api/agents.js';
import { api } from '../lib/api';
import { useAgents } from '../stores/agents';
import { micro, pct } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { BarList, Ring, StackedColumns, type StackSeries } from '../components/charts';
import { Async, Empty } from '../components/states';
import { auditHref } from './audit/query';

type Period = z.infer<typeof ReportPeriod>;
const PERIODS: { value: Period; label: string; days: number | null }[] = [
  { value: 'last_7_days', label: 'Last 7 days', days: 7 },
  { value: 'last_30_days', label: 'Last 30 days', days: 30 },
  { value: 'all', label: 'All time', days: null },
];

/** Past this many days ("All time" on an old install) the chart has a column per month instead. */
const MAX_DAY_COLUMNS = 62;

type Unit = 'day' | 'month';
interface Bucket {
  key: string;
  start: number;
  end: number;
}

interface SpendSeries {
  unit: Unit;
  columns: string[];
  series: StackSeries[];
  total: number;
}

/** `YYYY-MM-DD` (day) or `YYYY-MM` (month) of a date in its zone: the server's day keys. */
function bucketKey(d: Date, unit: Unit): string {
  const month = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  return unit === 'month' ? month : `${month}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Consecutive days or months in `zone` from the one holding `fromMs` to the one holding `toMs`. */
function bucketsOf(unit: Unit, fromMs: number, toMs: number, zone: string): Bucket[] {
  const out: Bucket[] = [];
  const from = new TZDate(fromMs, zone);
  for (let b = unit === 'day' ? startOfDay(from) : startOfMonth(from); b.getTime() <= toMs; ) {
    const next = unit === 'day' ? addDays(b, 1) : addMonths(b, 1);
    out.push({ key: bucketKey(b, unit), start: b.getTime(), end: next.getTime() });
    b = next;
  }
  return out;
}

/**
 * Spend of the period per (day × agent), top 5 agents plus "other", summed by the server in one
 * `group_by=agent_day` report (days cut in the budgets' zone, which the report names). Past
 * MAX_DAY_COLUMNS days the columns are months, summed here from the day rows.
 */
async function loadSpendSeries(days: number | null, agents: Agent[]): Promise<SpendSeries> {
  const now = Date.now();
  const since = days ? now - days * 86_400_000 : null;
  const report = await api().call('spendReport', { query: { group_by: 'agent_day', ...(since !== null ? { since: new Date(since).toISOString() } : {}) } });
  const spentDays = report.rows.map((r) => r.key).filter((k): k is string => k !== null).sort();
  if (!spentDays.length) return { unit: 'day', columns: [], series: [], total: 0 };
  const zone = report.time_zone;
  const [y, m, d] = spentDays[0]!.split('-').map(Number) as [number, number, number];
  const from = since ?? new TZDate(y, m - 1, d, zone).getTime();
  let unit: Unit = 'day';
  let buckets = bucketsOf('day', from, now, zone);
  if (buckets.length > MAX_DAY_COLUMNS) {
    unit = 'month';
    buckets = bucketsOf('month', from, now, zone);
  }
  const columns = buckets.map((b) => b.key);
  const column = new Map(columns.map((c, i) => [c, i]));
  const byAgent = new Map<string, number[]>();
  const totals = new Map<string, number>();
  for (const row of report.rows) {
    const i = row.key === null ? undefined : column.get(unit === 'day' ? row.key : row.key.slice(0, 7));
    if (i === undefined) continue;
    const key = row.agent_id ?? '(no agent)';
    const values = byAgent.get(key) ?? columns.map(() => 0);
    values[i]! += row.spent_micro_usd;
    byAgent.set(key, values);
    totals.set(key, (totals.get(key) ?? 0) + row.spent_micro_usd);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const name = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  const series: StackSeries[] = ranked.slice(0, 5).map(([id]) => ({ label: name(id), values: byAgent.get(id)! }));
  if (ranked.length > 5) {
    const other = columns.map(() => 0);
    for (const [id] of ranked.slice(5)) byAgent.get(id)!.forEach((v, i) => (other[i]! += v));
    series.push({ label: `${ranked.length - 5} other agents`, values: other });
  }
  return { unit, columns, series, total: ranked.reduce((s, [, v]) => s + v, 0) };
}

export function ReportsPage() {
  const [period, setPeriod] = useState<Period>('last_30_days');
  // The audit's closest range for a drill-down (it has no 30-day range: all of it).
  const auditRange = period === 'last_7_days' ? ('7d' as const) : ('all' as const);
  const days = PERIODS.find((p) => p.value === period)?.days ?? null;
  const governance = useResource(() => api().call('governanceReport', { query: { period } }), [period]);
  const approvals = useResource(() => api().call('approvalsReport', { query: { period } }), [period]);
  const spend = useResource(async () => {
    await useAgents.getState().ensure();
    return loadSpendSeries(days, useAgents.getState().agents);
  }, [days]);
  useLiveEvents((e) => {
    if (e.type === 'approval.resolved') {
      governance.reload();
      approvals.reload();
    }
  });

  return (
    <div className="page">
      <header className="page-header">
        <h2>Reports</h2>
        <div className="page-actions">
          <label className="inline">
            Period
            <select value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
              {PERIODS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>

      <section className="card" aria-labelledby="gov-title">
        <h3 id="gov-title" className="card-title">
          Governance
        </h3>
        <Async {...governance} what="the governance report">
          {(g) => (
            <div className="stats">
              <Ring ratio={g.approval_rate ?? 0} label="Approval rate" caption={g.approval_rate === null ? '—' : pct(g.approval_rate)} />
              <Ring ratio={g.total_executions ? g.gated_executions / g.total_executions : 0} label="Gated share" caption={g.total_executions ? pct(g.gated_executions / g.total_executions) : '—'} />
              <dl className="stat-grid">
                <div>
                  <dt>Executions</dt>
                  <dd>{g.total_executions}</dd>
                </div>
                <div>
                  <dt>Gated (needed approval)</dt>
                  <dd>{g.gated_executions}</dd>
                </div>
                <div>
                  <dt>Blocked</dt>
                  <dd>
                    <a href={auditHref({ eventType: 'action.*', text: 'BLOCK', range: auditRange })} title="The blocked actions in the audit">
                      {g.blocked_executions}
                    </a>
                  </dd>
                </div>
                <div>
                  <dt>Approved</dt>
                  <dd>{g.approved}</dd>
                </div>
                <div>
                  <dt>Rejected</dt>
                  <dd>{g.rejected}</dd>
                </div>
                <div>
                  <dt>Expired</dt>
                  <dd>{g.expired}</dd>
                </div>
                <div>
                  <dt>Pending</dt>
                  <dd>{g.pending}</dd>
                </div>
                <div>
                  <dt>Time to approve</dt>
                  <dd>{g.avg_approval_time_minutes === null ? '—' : `${g.avg_approval_time_minutes.toFixed(1)} min`}</dd>
                </div>
                <div>
                  <dt>Top approvers</dt>
                  <dd className="small">{g.top_approvers.length ? g.top_approvers.map((t) => `${t.name ?? t.operator_id} (${t.approvals})`).join(', ') : '—'}</dd>
                </div>
              </dl>
            </div>
          )}
        </Async>
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="by-tool-title">
          <h3 id="by-tool-title" className="card-title">
            Approval requests by tool
          </h3>
          <Async {...approvals} what="approvals by tool">
            {(r) =>
              r.by_tool.length ? (
                <BarList label="Approval requests by tool" data={r.by_tool.slice(0, 12).map((t) => ({
                    label: t.tool,
                    value: t.total,
                    display: `${t.total} · ${t.approved} ok / ${t.rejected} no`,
                    href: auditHref({ eventType: 'approval.*', text: t.tool, range: auditRange }),
                  }))} />
              ) : (
                <Empty title="No approval requests in this period" />
              )
            }
          </Async>
        </section>
        <section className="card" aria-labelledby="by-agent-title">
          <h3 id="by-agent-title" className="card-title">
            Approval requests by agent
          </h3>
          <Async {...approvals} what="approvals by agent">
            {(r) =>
              r.by_agent.length ? (
                <BarList label="Approval requests by agent" data={r.by_agent.slice(0, 12).map((t) => ({
                    label: t.name ?? t.agent_id,
                    value: t.total,
                    display: `${t.total} · ${t.approved} ok / ${t.rejected} no`,
                    href: auditHref({ eventType: 'approval.*', agentId: t.agent_id, range: auditRange }),
                  }))} />
              ) : (
                <Empty title="No approval requests in this period" />
              )
            }
          </Async>
        </section>
      </div>

      <section className="card" aria-labelledby="spend-title">
        <h3 id="spend-title" className="card-title">
          Spend over time by agent
        </h3>
        <Async {...spend} what="spend">
          {(s) =>
            s.total === 0 ? (
              <Empty title="No spend recorded in this period">Agents report spend with POST /v1/spend or when completing an action.</Empty>
            ) : (
              <>
                <p className="muted small">Total {micro(s.total)}</p>
                <StackedColumns
                  label={`Spend per ${s.unit} by agent`}
                  columns={s.columns}
                  series={s.series}
                  format={micro}
                  tick={s.unit === 'day' ? (c) => c.slice(5) : (c) => c}
                />
              </>
            )
          }
        </Async>
      </section>
    </div>
  );
}
