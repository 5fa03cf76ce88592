/** Guardrail policies: list, enable/disable, a rules editor that mints versions, and version diffs. */
import { useEffect, useMemo, useState } from 'react';
import { useRoute } from '../../stores/route';
import type { GuardrailPolicyObject, GuardrailRuleInput } from '../../../../shared/api/policies.js';
import { api, errorMessage } from '../../lib/api';
import { diffLines } from '../../lib/diff';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { toast } from '../../stores/toasts';
import { Async, Empty } from '../../components/states';
import { NewPolicyDialog } from './NewPolicyDialog';
import { ConfirmEverythingDialog, emptyRow, newCatchAlls, RulesEditor, toRow, toRule, useAgentNames, type RuleRow } from './RuleEditor';
import { STARTER_NAME, StarterPolicyButton, StarterPolicyOffer } from './StarterPolicy';
import { Gate } from '../../lib/can';

export function GuardrailsTab() {
  const [showDisabled, setShowDisabled] = useState(true);
  const list = useResource(async () => (await api().call('listGuardrails', { query: { limit: 500 } })).data, []);
  // `#/policies/POLICY_ID@VERSION` (a receipt's link) opens that policy with that version's diff.
  const linked = useMemo(() => parsePolicyLink(useRoute.getState().param), []);
  const [selectedId, setSelectedId] = useState<string | null>(linked?.policyId ?? null);
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

  const added = (p: GuardrailPolicyObject) => {
    replace(p);
    setSelectedId(p.id);
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
          {list.data && !list.data.some((p) => p.name === STARTER_NAME) ? <StarterPolicyButton onAdded={added} /> : null}
          <Gate route="createGuardrail">
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New policy
            </button>
          </Gate>
        </div>
        {list.data?.length === 0 ? <StarterPolicyOffer onAdded={added} /> : null}
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
                        <Gate route="updateGuardrail">
                          <button type="button" onClick={() => void setStatus(p, p.status === 'active' ? 'disabled' : 'active')} aria-label={`${p.status === 'active' ? 'Disable' : 'Enable'} ${p.name}`}>
                            {p.status === 'active' ? 'Disable' : 'Enable'}
                          </button>
                        </Gate>
                        <Gate route="deleteGuardrail">
                          <button type="button" className="link danger" onClick={() => void remove(p)} aria-label={`Delete ${p.name}`}>
                            Delete
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
      </section>
      {selected ? <PolicyEditor key={`${selected.id}:${selected.version}`} policy={selected} onSaved={replace} /> : null}
      {selected ? <Versions key={`v:${selected.id}:${selected.version}`} policy={selected} onRestored={replace} showVersion={linked?.policyId === selected.id ? linked.version : undefined} /> : null}
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
  const [confirming, setConfirming] = useState<number[] | null>(null);
  const [note, setNote] = useState('');
  const agents = useAgentNames();
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

  async function save(confirmed = false) {
    if (invalid || !rules.length) return;
    const everything = rulesChanged ? newCatchAlls(rules, policy.rules) : [];
    if (everything.length && !confirmed) {
      setConfirming(everything);
      return;
    }
    setConfirming(null);
    setBusy(true);
    setError(null);
    try {
      const body: { rules?: GuardrailRuleInput[]; description?: string | null; note?: string } = { description: description.trim() || null };
      if (rulesChanged) body.rules = rules;
      if (rulesChanged && note.trim()) body.note = note.trim();
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
      <RulesEditor
        rows={rows}
        errors={parsed.map((p) => p.error)}
        agents={agents}
        onChange={update}
        onRemove={(key) => setRows((rs) => rs.filter((x) => x.key !== key))}
      />
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
        {rulesChanged ? (
          <input className="change-note" aria-label="Change note" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Why? (kept with the new version)" />
        ) : null}
        <button
          type="button"
          disabled={!dirty || busy}
          onClick={() => {
            setRows(policy.rules.map(toRow));
            setDescription(policy.description ?? '');
            setNote('');
          }}
        >
          Discard
        </button>
        <Gate route="updateGuardrail">
          <button type="button" className="primary" disabled={!dirty || invalid || busy || !rules.length} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save rules'}
          </button>
        </Gate>
      </div>
      <p className="muted small">
        A rule matches on every field it sets. When several rules match, the most cautious wins (BLOCK, then ALERT, then ALLOW), and a <code>max value</code> exceeded blocks. Saving rules creates version {policy.version + 1}.
      </p>
      {confirming ? <ConfirmEverythingDialog ruleNumbers={confirming} onCancel={() => setConfirming(null)} onConfirm={() => void save(true)} /> : null}
    </section>
  );
}

/** One line per rule, as a person reads it, so a version diff shows which rules changed. */
export function ruleLine(rule: GuardrailRuleInput): string {
  const parts: string[] = [];
  if (rule.tool !== undefined) parts.push(`tool ${rule.tool}`);
  if (rule.connector !== undefined) parts.push(`connector ${rule.connector}`);
  if (rule.agent !== undefined) parts.push(`agent ${rule.agent}`);
  else if (rule.agent_id !== undefined) parts.push(`agent ${rule.agent_id}`);
  if (rule.role !== undefined) parts.push(`role ${rule.role}`);
  if (rule.expr !== undefined) parts.push(`if ${typeof rule.expr === 'string' ? rule.expr : JSON.stringify(rule.expr)}`);
  if (rule.max_value !== undefined) parts.push(`max ${rule.max_value}`);
  return `${parts.join(' · ') || 'every action'} → ${rule.decision}${rule.always_ask ? ' (always ask)' : ''}`;
}

function versionText(v: { description: string | null; status: string; rules: GuardrailRuleInput[] }): string {
  return [`description: ${v.description ?? '(none)'}`, `status: ${v.status}`, ...v.rules.map(ruleLine)].join('\n');
}

/** `pol_…@3` → the policy and version a receipt cites. */
export function parsePolicyLink(param: string | null): { policyId: string; version: number } | null {
  const m = /^([^@]+)@(\d+)$/.exec(param ?? '');
  return m ? { policyId: m[1]!, version: Number(m[2]) } : null;
}

function Versions({ policy, onRestored, showVersion }: { policy: GuardrailPolicyObject; onRestored(p: GuardrailPolicyObject): void; showVersion?: number }) {
  const versions = useResource(async () => (await api().call('listGuardrailVersions', { params: { id: policy.id }, query: { limit: 100 } })).data, [policy.id, policy.version]);
  const operators = useResource(async () => (await api().call('listOperators', { query: { limit: 500 } })).data, []);
  const [from, setFrom] = useState<number>(Math.max(1, (showVersion ?? policy.version) - 1));
  const [to, setTo] = useState<number>(showVersion ?? policy.version);
  const [restoring, setRestoring] = useState<number | null>(null);
  /** `operator:opr_…` → the operator's name; `system` and anything else as it is. */
  const byWhom = (actor: string) => {
    const [kind, id] = actor.split(':');
    return (kind === 'operator' && operators.data?.find((o) => o.id === id)?.name) || actor;
  };

  async function restore(v: { version: number; rules: GuardrailRuleInput[]; description: string | null }) {
    setRestoring(v.version);
    try {
      const saved = await api().call('updateGuardrail', { params: { id: policy.id }, body: { rules: v.rules, description: v.description } });
      toast.success(`Restored ${policy.name} v${v.version}`, `Its rules are now version ${saved.version}.`);
      onRestored(saved);
    } catch (err) {
      toast.error(`Could not restore v${v.version}`, errorMessage(err));
    } finally {
      setRestoring(null);
    }
  }

  return (
    <section className="card" aria-labelledby="versions-title">
      <h3 id="versions-title" className="card-title">
        Versions
      </h3>
      <Async {...versions} what="versions">
        {(vs) => {
          const a = vs.find((v) => v.version === from);
          const b = vs.find((v) => v.version === to);
          const lines = a && b ? diffLines(versionText(a), versionText(b)) : [];
          return (
            <>
              <ol className="versions">
                {vs.map((v) => (
                  <li key={v.version}>
                    <strong>v{v.version}</strong> · {v.rules.length} rule{v.rules.length === 1 ? '' : 's'} · {dateTime(v.version_created_at)} ·{' '}
                    <span className="muted" title={v.version_actor}>
                      {byWhom(v.version_actor)}
                    </span>
                    {v.version_note ? <span className="version-note"> — {v.version_note}</span> : null}
                    {v.version !== policy.version ? (
                      <>
                        {' '}
                        <Gate route="updateGuardrail">
                          <button type="button" className="link" disabled={restoring !== null} onClick={() => void restore(v)} aria-label={`Restore v${v.version}`}>
                            {restoring === v.version ? 'Restoring…' : 'Restore this version'}
                          </button>
                        </Gate>
                      </>
                    ) : (
                      <span className="muted"> · current</span>
                    )}
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
