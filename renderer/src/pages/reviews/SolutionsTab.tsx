/** Solutions: what is under review, filtered by status and text, and a dialog to bundle a new one. */
import { useState, type FormEvent } from 'react';
import type { ResourceRef, Solution, SolutionStatus } from '../../../../shared/api/gates.js';
import { api, errorMessage, idemKey } from '../../lib/api';
import { useLiveEvents } from '../../lib/hub';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { solutionHref, useRoute } from '../../stores/route';
import { Async, Empty } from '../../components/states';
import { Dialog } from '../../components/Dialog';
import { MiniPipeline } from './MiniPipeline';

export const SOLUTION_STATUS_TEXT: Record<SolutionStatus, string> = {
  draft: 'draft',
  in_review: 'in review',
  approved: 'approved',
  approved_with_conditions: 'approved with conditions',
  rejected: 'rejected',
};
const STATUS_PILL: Record<SolutionStatus, string> = { draft: 'pill-muted', in_review: 'pill-warn', approved: 'pill-ok', approved_with_conditions: 'pill-ok', rejected: 'pill-bad' };

export function SolutionStatusPill({ status }: { status: SolutionStatus }) {
  return <span className={`pill ${STATUS_PILL[status]}`}>{SOLUTION_STATUS_TEXT[status]}</span>;
}

export function ResourceChips({ resources }: { resources: readonly ResourceRef[] }) {
  return (
    <span className="resource-list">
      {resources.map((r) => (
        <span key={`${r.type}:${r.id}`} className="chip mono">
          {r.type}:{r.id}
        </span>
      ))}
    </span>
  );
}

/** Rows whose stages load with the list (one requirements request each); the rest show them when opened. */
const MAX_PIPELINES = 50;

async function loadSolutions(status: SolutionStatus | '', search: string): Promise<Solution[]> {
  const out: Solution[] = [];
  const query = { limit: 200, ...(status ? { status } : {}), ...(search.trim() ? { search: search.trim() } : {}) };
  for await (const s of api().paginate('listSolutions', { query })) out.push(s);
  return out;
}

export function SolutionsTab() {
  const [status, setStatus] = useState<SolutionStatus | ''>('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const solutions = useResource(() => loadSolutions(status, search), [status, search]);
  useLiveEvents((e) => {
    if (e.type === 'gate_review.decided' || e.type === 'gate_review.pending') solutions.reload();
  });
  return (
    <section className="card" aria-labelledby="solutions-title">
      <div className="card-head">
        <h3 id="solutions-title" className="card-title">
          Solutions under review
        </h3>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New solution
        </button>
      </div>
      <div className="filters" role="search" aria-label="Filter solutions">
        <input type="search" aria-label="Search solutions" placeholder="Search name or description" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as SolutionStatus | '')}>
          <option value="">Any status</option>
          {(Object.keys(SOLUTION_STATUS_TEXT) as SolutionStatus[]).map((s) => (
            <option key={s} value={s}>
              {SOLUTION_STATUS_TEXT[s]}
            </option>
          ))}
        </select>
      </div>
      <Async {...solutions} what="solutions">
        {(list) =>
          list.length ? (
            <div className="table-scroll">
              <table className="table" aria-label="Solutions">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Resources</th>
                    <th scope="col">Status</th>
                    <th scope="col">Stages</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s, i) => (
                    <tr key={s.id}>
                      <th scope="row">
                        <a href={solutionHref(s.id)}>{s.name}</a>
                        {s.description ? <div className="muted small truncate">{s.description}</div> : null}
                      </th>
                      <td>
                        <ResourceChips resources={s.resources} />
                      </td>
                      <td>
                        <SolutionStatusPill status={s.status} />
                      </td>
                      <td>{i < MAX_PIPELINES ? <MiniPipeline solutionId={s.id} refresh={list} /> : <span className="muted small">open it to see</span>}</td>
                      <td title={dateTime(s.updated_at)}>{ago(s.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty title={status || search.trim() ? 'No solution matches' : 'Nothing under review'}>
              A solution bundles what is reviewed together — an agent and the MCP servers it will use, or a workflow. A resource that a gate policy governs can be used only once a solution holding it is approved.
            </Empty>
          )
        }
      </Async>
      {creating ? <NewSolutionDialog onClose={() => setCreating(false)} /> : null}
    </section>
  );
}

interface ResourceRow {
  key: number;
  type: string;
  id: string;
}
let rowKey = 1;

export function NewSolutionDialog({ onClose }: { onClose(): void }) {
  const go = useRoute((s) => s.go);
  const types = useResource(() => api().call('listResourceTypes'), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [rows, setRows] = useState<ResourceRow[]>(() => [{ key: rowKey++, type: 'mcp_server', id: '' }]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    const resources = rows.filter((r) => r.id.trim()).map((r) => ({ type: r.type, id: r.id.trim() }));
    if (!name.trim()) return setError('A solution needs a name.');
    if (!resources.length) return setError('Name at least one resource under review.');
    setBusy(true);
    setError(null);
    try {
      const s = await api().call('createSolution', { body: { name: name.trim(), description: description.trim(), resources: resources as ResourceRef[] } }, { idempotencyKey: idemKey() });
      onClose();
      go('reviews', s.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="New solution" open onClose={onClose}>
      <form className="form" onSubmit={(e) => void create(e)} noValidate>
        <label>
          Name
          <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} placeholder="Docs assistant with filesystem access" />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset className="resource-rows">
          <legend>Resources under review</legend>
          {rows.map((r, i) => (
            <div key={r.key} className="question-row">
              <select aria-label={`Resource ${i + 1} type`} value={r.type} onChange={(e) => setRows((rs) => rs.map((x) => (x.key === r.key ? { ...x, type: e.target.value } : x)))}>
                {(types.data ?? [{ id: r.type, label: r.type }]).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
              <input aria-label={`Resource ${i + 1} id`} className="mono" value={r.id} placeholder="filesystem" onChange={(e) => setRows((rs) => rs.map((x) => (x.key === r.key ? { ...x, id: e.target.value } : x)))} />
              <button type="button" className="danger" aria-label={`Remove resource ${i + 1}`} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>
                ×
              </button>
            </div>
          ))}
          <button type="button" className="link" onClick={() => setRows((rs) => [...rs, { key: rowKey++, type: 'agent', id: '' }])}>
            + resource
          </button>
        </fieldset>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create solution'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
