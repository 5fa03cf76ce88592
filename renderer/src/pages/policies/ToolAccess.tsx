/** Tool access: the tool registry, tool policies with restrictions, role overrides. */
import { useState, type FormEvent } from 'react';
import type { ToolPolicyObject } from '../../../../shared/api/policies.js';
import { api, errorMessage, idemKey } from '../../lib/api';
import { ago } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { toast } from '../../stores/toasts';
import { Async, Empty } from '../../components/states';
import { Gate } from '../../lib/can';

const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

export function ToolAccessTab() {
  const tools = useResource(async () => (await api().call('listTools', { query: { limit: 500 } })).data, []);
  const policies = useResource(async () => (await api().call('listToolPolicies', { query: { limit: 500 } })).data, []);
  const overrides = useResource(async () => (await api().call('listRoleOverrides', { query: { limit: 500 } })).data, []);
  const bump = usePolicyDraft((s) => s.bump);
  const toolNames = (tools.data ?? []).map((t) => t.name);

  async function patchPolicy(p: ToolPolicyObject, body: { allowed?: boolean; restrictions?: { allowed_domains?: string[]; max_response_size_kb?: number } }) {
    try {
      const updated = await api().call('updateToolPolicy', { params: { id: p.id }, body });
      policies.setData((l) => l?.map((x) => (x.id === p.id ? updated : x)));
      bump();
    } catch (err) {
      toast.error(`Could not update ${p.tool_name}`, errorMessage(err));
    }
  }

  async function deletePolicy(p: ToolPolicyObject) {
    try {
      await api().call('deleteToolPolicy', { params: { id: p.id } });
      policies.setData((l) => l?.filter((x) => x.id !== p.id));
      bump();
      toast.success(`Removed the policy of ${p.tool_name}`);
    } catch (err) {
      toast.error('Could not remove the tool policy', errorMessage(err));
    }
  }

  async function deleteOverride(id: string) {
    try {
      await api().call('deleteRoleOverride', { params: { id } });
      overrides.setData((l) => l?.filter((x) => x.id !== id));
      bump();
    } catch (err) {
      toast.error('Could not remove the override', errorMessage(err));
    }
  }

  return (
    <div className="stack">
      <section className="card" aria-labelledby="tp-title">
        <h3 id="tp-title" className="card-title">
          Tool policies
        </h3>
        <p className="muted small">Who may use a tool at all. A role override wins over the tool policy; with neither, this layer abstains.</p>
        <Async {...policies} what="tool policies">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No tool policies" />
            ) : (
              <table className="table" aria-label="Tool policies">
                <thead>
                  <tr>
                    <th scope="col">Tool</th>
                    <th scope="col">Allowed</th>
                    <th scope="col">Allowed domains</th>
                    <th scope="col">Max response</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.id}>
                      <th scope="row" className="mono">
                        {p.tool_name}
                      </th>
                      <td>
                        <label className="check">
                          <Gate route="updateToolPolicy">
                          <input type="checkbox" checked={p.allowed} onChange={(e) => void patchPolicy(p, { allowed: e.target.checked })} aria-label={`${p.tool_name} allowed`} />
                          </Gate>
                          {p.allowed ? 'allowed' : 'denied'}
                        </label>
                      </td>
                      <td className="small">{p.restrictions.allowed_domains?.join(', ') ?? <span className="muted">any</span>}</td>
                      <td>{p.restrictions.max_response_size_kb ? `${p.restrictions.max_response_size_kb} KB` : <span className="muted">—</span>}</td>
                      <td className="row-actions">
                        <Gate route="deleteToolPolicy">
                          <button type="button" className="link danger" onClick={() => void deletePolicy(p)} aria-label={`Remove policy of ${p.tool_name}`}>
                            Remove
                          </button>
                        </Gate>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
        <NewToolPolicy
          tools={toolNames}
          onCreated={(p) => {
            policies.setData((l) => [...(l ?? []), p]);
            bump();
          }}
        />
      </section>

      <section className="card" aria-labelledby="ro-title">
        <h3 id="ro-title" className="card-title">
          Role overrides
        </h3>
        <Async {...overrides} what="role overrides">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No role overrides" />
            ) : (
              <table className="table" aria-label="Role overrides">
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col">Tool</th>
                    <th scope="col">Allowed</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((o) => (
                    <tr key={o.id}>
                      <td>{o.role}</td>
                      <td className="mono">{o.tool_name}</td>
                      <td>
                        <span className={`pill ${o.allowed ? 'pill-ok' : 'pill-bad'}`}>{o.allowed ? 'allowed' : 'denied'}</span>
                      </td>
                      <td className="row-actions">
                        <Gate route="deleteRoleOverride">
                          <button type="button" className="link danger" onClick={() => void deleteOverride(o.id)} aria-label={`Remove override ${o.role} ${o.tool_name}`}>
                            Remove
                          </button>
                        </Gate>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
        <NewOverride
          onCreated={(o) => {
            overrides.setData((l) => [...(l ?? []), o]);
            bump();
          }}
        />
      </section>

      <section className="card" aria-labelledby="tools-title">
        <h3 id="tools-title" className="card-title">
          Tool registry
        </h3>
        <Async {...tools} what="tools">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No tools yet">Tools enter the registry when an agent first asks about one, or when you declare them.</Empty>
            ) : (
              <table className="table" aria-label="Tools">
                <thead>
                  <tr>
                    <th scope="col">Tool</th>
                    <th scope="col">Categories</th>
                    <th scope="col">Source</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <th scope="row" className="mono">
                        {t.name}
                        {t.description ? <div className="muted small">{t.description}</div> : null}
                      </th>
                      <td>{t.categories.join(', ') || <span className="muted">—</span>}</td>
                      <td>{t.source}</td>
                      <td>{ago(t.last_seen_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
        <DeclareTool onCreated={(t) => tools.setData((l) => [...(l ?? []).filter((x) => x.name !== t.name), t])} />
      </section>
    </div>
  );
}

function NewToolPolicy({ tools, onCreated }: { tools: string[]; onCreated(p: ToolPolicyObject): void }) {
  const [tool, setTool] = useState('');
  const [allowed, setAllowed] = useState(true);
  const [domains, setDomains] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const d = splitList(domains);
      const p = await api().call('createToolPolicy', { body: { tool_name: tool.trim(), allowed, ...(d.length ? { restrictions: { allowed_domains: d } } : {}) } }, { idempotencyKey: idemKey() });
      onCreated(p);
      setTool('');
      setDomains('');
      toast.success(`Tool policy for ${p.tool_name} added`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add tool policy">
      <input aria-label="Tool name" list="tool-names" value={tool} onChange={(e) => setTool(e.target.value)} placeholder="http.fetch" required />
      <datalist id="tool-names">
        {tools.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <select aria-label="Allowed" value={allowed ? 'yes' : 'no'} onChange={(e) => setAllowed(e.target.value === 'yes')}>
        <option value="yes">allowed</option>
        <option value="no">denied</option>
      </select>
      <input aria-label="Allowed domains" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="api.example.com, *.github.com" />
      <Gate route="createToolPolicy">
        <button type="submit">Add tool policy</button>
      </Gate>
      {error ? (
        <span className="form-error small" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function NewOverride({ onCreated }: { onCreated(o: { id: string; object: 'role_policy_override'; role: string; tool_name: string; allowed: boolean; created_at: string }): void }) {
  const [role, setRole] = useState('');
  const [tool, setTool] = useState('');
  const [allowed, setAllowed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      onCreated(await api().call('createRoleOverride', { body: { role: role.trim(), tool_name: tool.trim(), allowed } }, { idempotencyKey: idemKey() }));
      setRole('');
      setTool('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add role override">
      <input aria-label="Role" value={role} onChange={(e) => setRole(e.target.value)} placeholder="intern" required />
      <input aria-label="Override tool" list="tool-names" value={tool} onChange={(e) => setTool(e.target.value)} placeholder="shell.exec" required />
      <select aria-label="Override allowed" value={allowed ? 'yes' : 'no'} onChange={(e) => setAllowed(e.target.value === 'yes')}>
        <option value="no">denied</option>
        <option value="yes">allowed</option>
      </select>
      <Gate route="createRoleOverride">
        <button type="submit">Add override</button>
      </Gate>
      {error ? (
        <span className="form-error small" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function DeclareTool({ onCreated }: { onCreated(t: { id: string; object: 'tool'; name: string; description: string | null; categories: string[]; source: 'declared' | 'seen'; created_at: string; last_seen_at: string | null }): void }) {
  const [name, setName] = useState('');
  const [categories, setCategories] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const c = splitList(categories);
      onCreated(await api().call('createTool', { body: { name: name.trim(), ...(c.length ? { categories: c } : {}) } }, { idempotencyKey: idemKey() }));
      setName('');
      setCategories('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Declare tool">
      <input aria-label="New tool name" value={name} onChange={(e) => setName(e.target.value)} placeholder="email.send" required />
      <input aria-label="Tool categories" value={categories} onChange={(e) => setCategories(e.target.value)} placeholder="external_comm" />
      <Gate route="createTool">
        <button type="submit">Declare tool</button>
      </Gate>
      {error ? (
        <span className="form-error small" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}
