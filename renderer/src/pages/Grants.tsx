/** Allow-always grants: what runs without asking, and the revoke button. */
import { useState } from 'react';
import type { Agent } from '../../../shared/api/agents.js';
import { api, errorMessage } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { toast } from '../stores/toasts';
import { Async, Empty } from '../components/states';
import { VisibleText } from '../components/VisibleText';
import { Gate } from '../lib/can';

export function GrantsPanel({ agents }: { agents: Agent[] }) {
  const [state, setState] = useState<'live' | 'all'>('live');
  const grants = useResource(async () => (await api().call('listGrants', { query: { state, limit: 500 } })).data, [state]);
  useLiveEvents((e) => {
    if (e.type === 'approval.resolved') grants.reload();
  });
  const name = (id: string) => agents.find((a) => a.id === id)?.name ?? id;

  async function revoke(id: string) {
    try {
      const g = await api().call('revokeGrant', { params: { id } });
      grants.setData((list) => (state === 'live' ? list?.filter((x) => x.id !== id) : list?.map((x) => (x.id === id ? g : x))));
      toast.success('Grant revoked', `${g.tool} asks again from now on.`);
    } catch (err) {
      toast.error('Could not revoke the grant', errorMessage(err));
    }
  }

  return (
    <section className="card" aria-labelledby="grants-title">
      <div className="card-head">
        <h3 id="grants-title" className="card-title">
          Grants (allow always)
        </h3>
        <label className="inline">
          Show
          <select value={state} onChange={(e) => setState(e.target.value as 'live' | 'all')}>
            <option value="live">Live</option>
            <option value="all">All, including revoked and expired</option>
          </select>
        </label>
      </div>
      <Async {...grants} what="grants">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No grants">Choosing Allow always in the Inbox creates one: that agent then runs that tool without asking.</Empty>
          ) : (
            <table className="table" aria-label="Grants">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Tool</th>
                  <th scope="col">Arguments</th>
                  <th scope="col">Value</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((g) => (
                  <tr key={g.id}>
                    <td>{name(g.agent_id)}</td>
                    <td className="mono">
                      {g.tool}
                      {g.connector ? <span className="muted"> via {g.connector}</span> : null}
                    </td>
                    <td className="mono small arg-value">{g.args_pattern ? <VisibleText text={JSON.stringify(g.args_pattern)} /> : <strong>any</strong>}</td>
                    <td>{g.max_value !== null ? `≤ ${g.max_value}` : <span className="muted">any</span>}</td>
                    <td>{g.expires_at ? dateTime(g.expires_at) : <strong>never</strong>}</td>
                    <td title={dateTime(g.created_at)}>{ago(g.created_at)}</td>
                    <td className="row-actions">
                      {g.live ? (
                        <Gate route="revokeGrant">
                          <button type="button" className="danger" onClick={() => void revoke(g.id)} aria-label={`Revoke grant for ${g.tool} (${name(g.agent_id)})`}>
                            Revoke
                          </button>
                        </Gate>
                      ) : (
                        <span className="pill pill-muted">{g.revoked_at ? 'revoked' : 'expired'}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  );
}
