/** Guardrail policies: list, enable/disable, a rules editor that mints versions, and version diffs. */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { GuardrailPolicyObject, GuardrailRuleInput } from '../../../../shared/api/policies.js';
import type { Guard } from '../../../../shared/core/types.js';
import { guardError } from '../../../../shared/core/expr.js';
import { api, errorMessage, idemKey } from '../../lib/api';
import { diffLines } from '../../lib/diff';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { toast } from '../../stores/toasts';
import { Dialog } from '../../components/Dialog';
import { Async, Empty } from '../../components/states';

interface RuleRow {
  key: number;
  tool: string;
  connector: string;
  agent_id: string;
  role: string;
  expr: string;
  max_value: string;
  decision: 'ALLOW' | 'ALERT' | 'BLOCK';
}

let rowKey = 1;
const emptyRow = (): RuleRow => ({ key: rowKey++, tool: '', connector: '', agent_id: '', role: '', expr: '', max_value: '', decision: 'ALERT' });

function toRow(r: GuardrailRuleInput): RuleRow {
  return {
    key: rowKey++,
    tool: r.tool ?? '',
    connector: r.connector ?? '',
    agent_id: r.agent_id ?? '',
    role: r.role ?? '',
    expr: r.expr === undefined ? '' : typeof r.expr === 'string' ? r.expr : JSON.stringify(r.expr),
    max_value: r.max_value === undefined ? '' : String(r.max_value),
    decision: r.decision,
  };
}

/** A row → the API's rule, or the first problem with it (checked as you type, like the server will). */
export function toRule(row: RuleRow): { rule: GuardrailRuleInput; error: null } | { rule: null; error: string } {
  const rule: GuardrailRuleInput = { decision: row.decision };
  if (row.tool.trim()) rule.tool = row.tool.trim();
  if (row.connector.trim()) rule.connector = row.connector.trim();
  if (row.agent_id.trim()) rule.agent_id = row.agent_id.trim();
  if (row.role.trim()) rule.role = row.role.trim();
  if (row.max_value.trim()) {
    const n = Number(row.max_value);
    if (!Number.isFinite(n) || n <= 0) return { rule: null, error: 'max value must be a positive number' };
    rule.max_value = n;
  }
  const exprText = row.expr.trim();
  if (exprText) {
    let expr: Guard;
    if (exprText.startsWith('{')) {
      try {
        expr = JSON.parse(exprText) as Guard;
      } catch {
        return { rule: null, error: 'expression: composite guards are JSON, e.g. {"all_of": ["$.args.x == 1", …]}' };
      }
    } else expr = exprText;
    const bad = guardError(expr);
    if (bad) return { rule: null, error: `expression: ${bad.message}` };
    rule.expr = expr;
  }
  return { rule, error: null };
}

export function GuardrailsTab() {
  const [showDisabled, setShowDisabled] = useState(true);
  const list = useResource(async () => (await api().call('listGuardrails', { query: { limit: 500 } })).data, []);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const bump = usePolicyDraft((s) => s.bump);
  const policies = (list.data ?? []).filter((p) => showDisabled || p.status === 'active');
  const selected = list.data?.find((p) => p.id === selectedId) ?? null;

  useEffect(() => {
    if (!selectedId && list.data?.length) setSelectedId(list.data[0]!.id);
  }, [list.data, selectedId]);

  const replace = (p: GuardrailPolicyObject) => {
    list.setData((l) => (l?.some((x) => x.id === p.id) ? l.map((x) => (x.id === p.id ? p : x)) : [p, ...(l ?? [])]));
    bump();
  };

  async function setStatus(p: GuardrailPolicyObject, status: 'active' | 'disabled') {
    try {
      replace(await api().call('updateGuardrail', { params: { id: p.id }, body: { status } }));
      toast.success(status === 'active' ? `Enabled ${p.name}` : `Disabled ${p.name}`);
    } catch (err) {
      toast.error(`Could not update ${p.name}`, errorMessage(err));
    }
  }

  async function remove(p: GuardrailPolicyObject) {
    if (!window.confirm(`Delete ${p.name}? It leaves evaluation; its history stays readable.`)) return;
    try {
      await api().call('deleteGuardrail', { params: { id: p.id } });
      list.setData((l) => l?.filter((x) => x.id !== p.id));
      if (selectedId === p.id) setSelectedId(null);
      bump();
      toast.success(`Deleted ${p.name}`);
    } catch (err) {
      toast.error(`Could not delete ${p.name}`, errorMessage(err));
    }
  }

  return (
    <div className="stack">
      <section className="card" aria-labelledby="guardrails-title">
        <div className="card-head">
          <h3 id="guardrails-title" className="card-title">
            Guardrail policies
          </h3>
          <label className="check">
            <input type="checkbox" checked={showDisabled} onChange={(e) => setShowDisabled(e.target.checked)} /> show disabled
          </label>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New policy
          </button>
        </div>
        <Async {...list} what="guardrail policies">
          {() =>
            policies.length === 0 ? (
              <Empty title="No guardrail policies">
                With no rules, every action needs your approval (or is blocked, if the unmatched decision is BLOCK). Add a policy to let routine actions through.
              </Empty>
            ) : (
              <table className="table" aria-label="Guardrail policies">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Version</th>
                    <th scope="col">Rules</th>
                    <th scope="col">Status</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {policies.map((p) => (
                    <tr key={p.id} aria-selected={p.id === selectedId} className={p.id === selectedId ? 'row-selected' : undefined}>
                      <th scope="row">
                        <button type="button" className="link" onClick={() => setSelectedId(p.id)}>
                          {p.name}
                        </button>
                        {p.description ? <div className="muted small">{p.description}</div> : null}
                      </th>
                      <td>v{p.version}</td>
                      <td>{p.rules.length}</td>
                      <td>
                        <span className={`pill ${p.status === 'active' ? 'pill-ok' : 'pill-muted'}`}>{p.status}</span>
                      </td>
                      <td title={dateTime(p.updated_at)}>{ago(p.updated_at)}</td>
                      <td className="row-actions">
                        <button type="button" onClick={() => void setStatus(p, p.status === 'active' ? 'disabled' : 'active')} aria-label={`${p.status === 'active' ? 'Disable' : 'Enable'} ${p.name}`}>
                          {p.status === 'active' ? 'Disable' : 'Enable'}
                        </button>
                        <button type="button" className="link danger" onClick={() => void remove(p)} aria-label={`Delete ${p.name}`}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
      </section>
      {selected ? <PolicyEditor key={`${selected.id}:${selected.version}`} policy={selected} onSaved={replace} /> : null}
      {selected ? <Versions key={`v:${selected.id}:${selected.version}`} policy={selected} /> : null}
      {creating ? (
        <NewPolicyDialog
          onClose={() => setCreating(false)}
          onCreated={(p) => {
            replace(p);
            setSelectedId(p.id);
            setCreating(false);
          }}
        />
      ) : null}
    </div>
  );
}

function PolicyEditor({ policy, onSaved }: { policy: GuardrailPolicyObject; onSaved(p: GuardrailPolicyObject): void }) {
  const [rows, setRows] = useState<RuleRow[]>(() => policy.rules.map(toRow));
  const [description, setDescription] = useState(policy.description ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const setDraft = usePolicyDraft((s) => s.setDraft);
  const parsed = useMemo(() => rows.map(toRule), [rows]);
  const invalid = parsed.some((p) => p.error !== null);
  const rules = parsed.flatMap((p) => (p.rule ? [p.rule] : []));
  // Compare in one canonical form: the server may order a rule's keys differently.
  const savedKey = useMemo(() => JSON.stringify(policy.rules.map((r) => toRule(toRow(r)).rule)), [policy.rules]);
  const rulesChanged = JSON.stringify(rules) !== savedKey;
  const dirty = rulesChanged || description !== (policy.description ?? '');

  // Share the draft with the dry-run box so it previews the rules as they are typed.
  const rulesKey = JSON.stringify(rules);
  useEffect(() => {
    setDraft({ policyId: policy.id, name: policy.name, rules: JSON.parse(rulesKey) as GuardrailRuleInput[], invalid });
  }, [rulesKey, invalid, policy.id, policy.name, setDraft]);
  useEffect(() => () => setDraft(null), [setDraft]);

  const update = (key: number, patch: Partial<RuleRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function save() {
    if (invalid || !rules.length) return;
    setBusy(true);
    setError(null);
    try {
      const body: { rules?: GuardrailRuleInput[]; description?: string | null } = { description: description.trim() || null };
      if (rulesChanged) body.rules = rules;
      const saved = await api().call('updateGuardrail', { params: { id: policy.id }, body });
      toast.success(`Saved ${saved.name}`, saved.version !== policy.version ? `Now version ${saved.version}.` : undefined);
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="editor-title">
      <div className="card-head">
        <h3 id="editor-title" className="card-title">
          {policy.name} <span className="muted">v{policy.version}</span>
        </h3>
        {dirty ? <span className="pill pill-warn">unsaved</span> : null}
      </div>
      <label className="block">
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What this policy is for" />
      </label>
      <table className="table rules" aria-label="Rules">
        <colgroup>
          <col className="c-n" />
          <col className="c-tool" />
          <col className="c-conn" />
          <col className="c-who" />
          <col />
          <col className="c-max" />
          <col className="c-dec" />
          <col className="c-rm" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Tool</th>
            <th scope="col">Connector</th>
            <th scope="col">Agent / role</th>
            <th scope="col">Expression</th>
            <th scope="col">Max value</th>
            <th scope="col">Decision</th>
            <th scope="col">
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const n = i + 1;
            const err = parsed[i]?.error;
            return (
              <tr key={r.key} className={err ? 'row-invalid' : undefined}>
                <td>{n}</td>
                <td>
                  <input aria-label={`Rule ${n} tool`} value={r.tool} onChange={(e) => update(r.key, { tool: e.target.value })} placeholder="any (or fs.*)" />
                </td>
                <td>
                  <input aria-label={`Rule ${n} connector`} value={r.connector} onChange={(e) => update(r.key, { connector: e.target.value })} placeholder="any" />
                </td>
                <td>
                  <input aria-label={`Rule ${n} agent`} value={r.agent_id} onChange={(e) => update(r.key, { agent_id: e.target.value })} placeholder="agent id" />
                  <input aria-label={`Rule ${n} role`} value={r.role} onChange={(e) => update(r.key, { role: e.target.value })} placeholder="role" />
                </td>
                <td>
                  <input
                    aria-label={`Rule ${n} expression`}
                    aria-invalid={Boolean(err && err.startsWith('expression'))}
                    className="mono"
                    value={r.expr}
                    onChange={(e) => update(r.key, { expr: e.target.value })}
                    placeholder='$.args.path starts_with "/tmp"'
                  />
                  {err ? <div className="field-error small">{err}</div> : null}
                </td>
                <td>
                  <input aria-label={`Rule ${n} max value`} inputMode="decimal" value={r.max_value} onChange={(e) => update(r.key, { max_value: e.target.value })} placeholder="none" />
                </td>
                <td>
                  <select aria-label={`Rule ${n} decision`} value={r.decision} onChange={(e) => update(r.key, { decision: e.target.value as 'ALLOW' | 'ALERT' })}>
                    <option value="ALLOW">ALLOW</option>
                    <option value="ALERT">ALERT</option>
                  </select>
                </td>
                <td>
                  <button type="button" className="icon-button" aria-label={`Remove rule ${n}`} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>
                    ×
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={() => setRows((rs) => [...rs, emptyRow()])}>
          Add rule
        </button>
        <span className="spacer" />
        <button
          type="button"
          disabled={!dirty || busy}
          onClick={() => {
            setRows(policy.rules.map(toRow));
            setDescription(policy.description ?? '');
          }}
        >
          Discard
        </button>
        <button type="button" className="primary" disabled={!dirty || invalid || busy || !rules.length} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save rules'}
        </button>
      </div>
      <p className="muted small">
        A rule matches on every field it sets. BLOCK happens when a <code>max value</code> is exceeded or nothing allows; saving rules creates version {policy.version + 1}.
      </p>
    </section>
  );
}

function Versions({ policy }: { policy: GuardrailPolicyObject }) {
  const versions = useResource(async () => (await api().call('listGuardrailVersions', { params: { id: policy.id }, query: { limit: 100 } })).data, [policy.id, policy.version]);
  const [from, setFrom] = useState<number>(Math.max(1, policy.version - 1));
  const [to, setTo] = useState<number>(policy.version);
  return (
    <section className="card" aria-labelledby="versions-title">
      <h3 id="versions-title" className="card-title">
        Versions
      </h3>
      <Async {...versions} what="versions">
        {(vs) => {
          const a = vs.find((v) => v.version === from);
          const b = vs.find((v) => v.version === to);
          const text = (v: typeof a) => (v ? JSON.stringify({ description: v.description, status: v.status, rules: v.rules }, null, 2) : '');
          const lines = a && b ? diffLines(text(a), text(b)) : [];
          return (
            <>
              <ol className="versions">
                {vs.map((v) => (
                  <li key={v.version}>
                    <strong>v{v.version}</strong> · {v.rules.length} rule{v.rules.length === 1 ? '' : 's'} · {dateTime(v.version_created_at)} · <span className="muted">{v.version_actor}</span>
                  </li>
                ))}
              </ol>
              {vs.length > 1 ? (
                <>
                  <div className="filters">
                    <label>
                      Compare
                      <select aria-label="Compare from version" value={from} onChange={(e) => setFrom(Number(e.target.value))}>
                        {vs.map((v) => (
                          <option key={v.version} value={v.version}>
                            v{v.version}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      with
                      <select aria-label="Compare to version" value={to} onChange={(e) => setTo(Number(e.target.value))}>
                        {vs.map((v) => (
                          <option key={v.version} value={v.version}>
                            v{v.version}
                          </option>
                        ))}
                      </select>
                    </label>
                  </div>
                  <pre className="diff" aria-label={`Diff v${from} to v${to}`}>
                    {lines.map((l, i) => (
                      <div key={i} className={`diff-${l.kind}`}>
                        {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
                        {l.text}
                      </div>
                    ))}
                  </pre>
                </>
              ) : (
                <p className="muted small">Only one version so far: saving new rules adds one.</p>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}

function NewPolicyDialog({ onClose, onCreated }: { onClose(): void; onCreated(p: GuardrailPolicyObject): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tool, setTool] = useState('');
  const [decision, setDecision] = useState<'ALLOW' | 'ALERT'>('ALLOW');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = await api().call(
        'createGuardrail',
        { body: { name: name.trim(), description: description.trim() || null, rules: [{ ...(tool.trim() ? { tool: tool.trim() } : {}), decision }] } },
        { idempotencyKey: idemKey() },
      );
      toast.success(`Created ${p.name}`, 'Version 1. Refine its rules below.');
      onCreated(p);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="New guardrail policy" open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} pattern="[a-z0-9\-]{3,40}" required autoFocus placeholder="refund-ceiling" />
          <span className="muted small">3–40 of a-z, 0-9 and -; it cannot change later.</span>
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          First rule: tool
          <input value={tool} onChange={(e) => setTool(e.target.value)} placeholder="order.refund" />
        </label>
        <label>
          First rule: decision
          <select value={decision} onChange={(e) => setDecision(e.target.value as 'ALLOW' | 'ALERT')}>
            <option value="ALLOW">ALLOW</option>
            <option value="ALERT">ALERT</option>
          </select>
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create policy'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
