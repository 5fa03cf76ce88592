/** Gate policies: the list with its filters, and the editor for a new or an existing policy. */
import { useState } from 'react';
import type { GatePolicy, GateSeverity } from '../../../../shared/api/gates.js';
import { api } from '../../lib/api';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { useRoute } from '../../stores/route';
import { Async, Empty } from '../../components/states';
import { PolicyForm } from './PolicyForm';
import { gateSummary } from './policyDraft';

export const SEVERITIES: readonly GateSeverity[] = ['low', 'medium', 'high', 'critical'];
const SEVERITY_PILL: Record<GateSeverity, string> = { low: 'pill-muted', medium: 'pill-warn', high: 'pill-bad', critical: 'pill-bad' };

export function SeverityPill({ severity }: { severity: GateSeverity }) {
  return <span className={`pill ${SEVERITY_PILL[severity]}`}>{severity}</span>;
}

interface Filters {
  search: string;
  severity: GateSeverity | '';
  category: string;
  active: '' | 'true' | 'false';
}

async function loadPolicies(f: Filters): Promise<GatePolicy[]> {
  const out: GatePolicy[] = [];
  const query = {
    limit: 200,
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
    ...(f.severity ? { severity: f.severity } : {}),
    ...(f.category.trim() ? { category: f.category.trim() } : {}),
    ...(f.active ? { is_active: f.active } : {}),
  };
  for await (const p of api().paginate('listGatePolicies', { query })) out.push(p);
  return out;
}

export function PoliciesTab({ openId }: { openId: string | null }) {
  const go = useRoute((s) => s.go);
  const [filters, setFilters] = useState<Filters>({ search: '', severity: '', category: '', active: '' });
  const [creating, setCreating] = useState(false);
  const policies = useResource(() => loadPolicies(filters), [filters.search, filters.severity, filters.category, filters.active]);
  const open = useResource(() => (openId ? api().call('getGatePolicy', { params: { id: openId } }) : Promise.resolve(null)), [openId]);

  const close = () => {
    setCreating(false);
    go('reviews', 'policies');
  };
  const saved = (p: GatePolicy) => {
    setCreating(false);
    policies.reload();
    go('reviews', p.id);
    open.reload();
  };

  return (
    <>
      {creating ? (
        <section className="card" aria-labelledby="new-gate-policy">
          <h3 id="new-gate-policy" className="card-title">
            New gate policy
          </h3>
          <PolicyForm policy={null} onCancel={close} onSaved={saved} />
        </section>
      ) : openId ? (
        <Async {...open} what="the policy">
          {(p) =>
            p ? (
              <section className="card" aria-labelledby="edit-gate-policy">
                <h3 id="edit-gate-policy" className="card-title">
                  {p.name} <span className="muted small mono">{p.id}</span>
                </h3>
                <PolicyForm
                  key={p.updated_at}
                  policy={p}
                  onCancel={close}
                  onSaved={saved}
                  onDeleted={() => {
                    policies.reload();
                    close();
                  }}
                />
              </section>
            ) : null
          }
        </Async>
      ) : null}

      <section className="card" aria-labelledby="gate-policies-title">
        <div className="card-head">
          <h3 id="gate-policies-title" className="card-title">
            Gate policies
          </h3>
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
            New gate policy
          </button>
        </div>
        <div className="filters" role="search" aria-label="Filter gate policies">
          <input type="search" aria-label="Search gate policies" placeholder="Search name or description" value={filters.search} onChange={(e) => setFilters({ ...filters, search: e.target.value })} />
          <select aria-label="Severity" value={filters.severity} onChange={(e) => setFilters({ ...filters, severity: e.target.value as Filters['severity'] })}>
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <input aria-label="Category" placeholder="Category" value={filters.category} onChange={(e) => setFilters({ ...filters, category: e.target.value })} />
          <select aria-label="Active" value={filters.active} onChange={(e) => setFilters({ ...filters, active: e.target.value as Filters['active'] })}>
            <option value="">Active or not</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </div>
        <Async {...policies} what="gate policies">
          {(list) =>
            list.length ? (
              <div className="table-scroll">
                <table className="table" aria-label="Gate policies">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Governs</th>
                      <th scope="col">Stages</th>
                      <th scope="col">State</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((p) => (
                      <tr key={p.id} className={p.id === openId ? 'row-selected' : undefined}>
                        <th scope="row">
                          <a href={`#/reviews/${encodeURIComponent(p.id)}`}>{p.name}</a>
                          <div className="muted small">{p.category}</div>
                        </th>
                        <td>
                          <SeverityPill severity={p.severity} />
                        </td>
                        <td>{p.applicable_resource_types.join(', ')}</td>
                        <td>
                          <ol className="small stacked">
                            {p.stages.map((s) => (
                              <li key={s.id}>
                                {s.name}: {s.gates.map(gateSummary).join('; ')}
                              </li>
                            ))}
                          </ol>
                        </td>
                        <td>{p.is_draft ? <span className="pill pill-muted">draft</span> : p.is_active ? <span className="pill pill-ok">active</span> : <span className="pill pill-muted">inactive</span>}</td>
                        <td title={dateTime(p.updated_at)}>{ago(p.updated_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty title="No gate policy">
                A gate policy says which kinds of resource need a sign-off before use — for example every new <code>mcp_server</code> passes a security review. Drafts and inactive policies gate nothing.
              </Empty>
            )
          }
        </Async>
      </section>
    </>
  );
}
