/** Workflow runs, filtered by workflow, status and agent; live (the store follows the event stream). */
import { useEffect } from 'react';
import { ago, dateTime } from '../../lib/format';
import { useAgentList, useAgents } from '../../stores/agents';
import { useWorkflows } from '../../stores/workflows';
import { Empty, ErrorState, Loading } from '../../components/states';
import { RUN_STATUSES, type RunStatus, type WorkflowRun } from './data';

export function runHref(id: string): string {
  return `#/workflow-run/${encodeURIComponent(id)}`;
}

const STATUS_PILL: Record<RunStatus, string> = { active: '', waiting: 'pill-warn', completed: 'pill-ok', failed: 'pill-bad', cancelled: 'pill-muted' };

export function RunStatusPill({ status }: { status: RunStatus }) {
  return <span className={`pill ${STATUS_PILL[status]}`}>{status}</span>;
}

export function RunsTab() {
  const { filters, listed, runs, runsLoading, runsError, definitions } = useWorkflows();
  const setFilters = useWorkflows((s) => s.setFilters);
  const { agents } = useAgentList();
  const byId = useAgents((s) => s.byId);
  useEffect(() => {
    void useWorkflows.getState().loadRuns();
  }, []);
  const list = listed.map((id) => runs[id]).filter((r): r is WorkflowRun => Boolean(r));
  const filtered = Boolean(filters.workflow || filters.status || filters.agent_id);

  return (
    <section className="card" aria-labelledby="runs-title">
      <div className="card-head">
        <h3 id="runs-title" className="card-title">
          Runs
        </h3>
        <div className="filters compact">
          <select aria-label="Workflow" value={filters.workflow ?? ''} onChange={(e) => setFilters({ ...filters, workflow: e.target.value || undefined })}>
            <option value="">All workflows</option>
            {definitions.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
            {filters.workflow && !definitions.some((d) => d.name === filters.workflow) ? <option value={filters.workflow}>{filters.workflow}</option> : null}
          </select>
          <select aria-label="Status" value={filters.status ?? ''} onChange={(e) => setFilters({ ...filters, status: (e.target.value || undefined) as RunStatus | undefined })}>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <select aria-label="Agent" value={filters.agent_id ?? ''} onChange={(e) => setFilters({ ...filters, agent_id: e.target.value || undefined })}>
            <option value="">Any agent</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          {filtered ? (
            <button type="button" className="link" onClick={() => setFilters({})}>
              Clear
            </button>
          ) : null}
        </div>
      </div>
      {runsError && list.length === 0 ? (
        <ErrorState title="Could not load runs" message={runsError} onRetry={() => void useWorkflows.getState().loadRuns()} />
      ) : runsLoading && list.length === 0 ? (
        <Loading label="Loading runs…" />
      ) : list.length === 0 ? (
        <Empty title={filtered ? 'No run matches these filters' : 'No runs yet'}>
          {filtered ? (
            'Clear a filter to see more.'
          ) : (
            <>
              An agent starts a run with <code>POST /v1/workflows/NAME/runs</code> and its input, or from the CLI: <code>warden workflow run NAME --input &apos;{'{…}'}&apos;</code>. Runs
              show up here as they start.
            </>
          )}
        </Empty>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="Workflow runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">State</th>
                <th scope="col">Status</th>
                <th scope="col">Agent</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={runHref(r.id)} className="mono">
                      {r.workflow}
                    </a>{' '}
                    <span className="muted small">v{r.version}</span>
                    <div className="muted small mono">{r.id}</div>
                  </th>
                  <td className="mono">{r.state}</td>
                  <td>
                    <RunStatusPill status={r.status} />
                  </td>
                  <td>{r.agent_id ? (byId.get(r.agent_id)?.name ?? r.agent_id) : <span className="muted">operator</span>}</td>
                  <td title={dateTime(r.updated_at)}>{ago(r.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
