/** Reports: approval rate, time to approve, gated vs total, approvals by tool/agent, spend over time by agent. */
import { useState } from 'react';
import type { z } from 'zod';
import type { ReportPeriod } from '../../../shared/api/actions.js';
import type { Agent } from '../../../shared/api/agents.js';
import type { SpendEvent } from '../../../shared/api/budgets.js';
import { api } from '../lib/api';
import { micro, pct } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { BarList, Ring, StackedColumns, type StackSeries } from '../components/charts';
import { Async, Empty } from '../components/states';

type Period = z.infer<typeof ReportPeriod>;
const PERIODS: { value: Period; label: string; days: number | null }[] = [
  { value: 'last_7_days', label: 'Last 7 days', days: 7 },
  { value: 'last_30_days', label: 'Last 30 days', days: 30 },
  { value: 'all', label: 'All time', days: null },
];

const dayKey = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Spend events of the period grouped into (local day × agent), top 5 agents plus "other". */
async function loadSpendSeries(days: number | null, agents: Agent[]): Promise<{ columns: string[]; series: StackSeries[]; total: number; truncated: boolean }> {
  const since = days ? new Date(Date.now() - days * 86_400_000) : null;
  const events: SpendEvent[] = [];
  let truncated = false;
  for await (const e of api().paginate('listSpend', { query: { limit: 500, ...(since ? { since: since.toISOString() } : {}) } })) {
    events.push(e);
    if (events.length >= 20_000) {
      truncated = true;
      break;
    }
  }
  const first = since ?? (events.length ? new Date(Math.min(...events.map((e) => Date.parse(e.created_at)))) : new Date());
  const columns: string[] = [];
  for (let d = new Date(first.getFullYear(), first.getMonth(), first.getDate()); d <= new Date(); d.setDate(d.getDate() + 1)) columns.push(dayKey(d));
  const index = new Map(columns.map((c, i) => [c, i]));
  const byAgent = new Map<string, number[]>();
  const totals = new Map<string, number>();
  for (const e of events) {
    const key = e.agent_id ?? '(no agent)';
    const i = index.get(dayKey(new Date(e.created_at)));
    if (i === undefined) continue;
    const row = byAgent.get(key) ?? columns.map(() => 0);
    row[i]! += e.amount_micro_usd;
    byAgent.set(key, row);
    totals.set(key, (totals.get(key) ?? 0) + e.amount_micro_usd);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const name = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  const series: StackSeries[] = ranked.slice(0, 5).map(([id]) => ({ label: name(id), values: byAgent.get(id)! }));
  if (ranked.length > 5) {
    const other = columns.map(() => 0);
    for (const [id] of ranked.slice(5)) byAgent.get(id)!.forEach((v, i) => (other[i]! += v));
    series.push({ label: `${ranked.length - 5} other agents`, values: other });
  }
  return { columns, series, total: events.reduce((s, e) => s + e.amount_micro_usd, 0), truncated };
}

export function ReportsPage() {
  const [period, setPeriod] = useState<Period>('last_30_days');
  const days = PERIODS.find((p) => p.value === period)?.days ?? null;
  const governance = useResource(() => api().call('governanceReport', { query: { period } }), [period]);
  const approvals = useResource(() => api().call('approvalsReport', { query: { period } }), [period]);
  const spend = useResource(async () => {
    const agents = (await api().call('listAgents', { query: { limit: 500 } })).data;
    return loadSpendSeries(days, agents);
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
                <BarList label="Approval requests by tool" data={r.by_tool.slice(0, 12).map((t) => ({ label: t.tool, value: t.total, display: `${t.total} · ${t.approved} ok / ${t.rejected} no` }))} />
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
                <BarList label="Approval requests by agent" data={r.by_agent.slice(0, 12).map((t) => ({ label: t.name ?? t.agent_id, value: t.total, display: `${t.total} · ${t.approved} ok / ${t.rejected} no` }))} />
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
                <p className="muted small">
                  Total {micro(s.total)}
                  {s.truncated ? ' (first 20,000 events)' : ''}
                </p>
                <StackedColumns label="Spend per day by agent" columns={s.columns} series={s.series} format={micro} />
              </>
            )
          }
        </Async>
      </section>
    </div>
  );
}
