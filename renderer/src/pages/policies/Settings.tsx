/** Governance settings: gated categories, approvals (threshold, TTL, self-approval), unmatched decision. */
import { useEffect, useState } from 'react';
import type { GovernanceSettingsObject } from '../../../../shared/api/policies.js';
import { api, errorMessage } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { toast } from '../../stores/toasts';
import { Async } from '../../components/states';
import { Gate } from '../../lib/can';

type Editable = Omit<GovernanceSettingsObject, 'object' | 'version' | 'updated_at'>;

const GATES: { key: 'require_approval_for_external_comm' | 'require_approval_for_public_writes' | 'require_approval_for_permission_changes'; label: string }[] = [
  { key: 'require_approval_for_external_comm', label: 'Ask before external communication (external_comm)' },
  { key: 'require_approval_for_public_writes', label: 'Ask before public writes (public_writes)' },
  { key: 'require_approval_for_permission_changes', label: 'Ask before permission changes (permission_changes)' },
];

export function SettingsTab() {
  const settings = useResource(() => api().call('getGovernanceSettings'), []);
  return (
    <section className="card" aria-labelledby="settings-title">
      <h3 id="settings-title" className="card-title">
        Governance settings
      </h3>
      <Async {...settings} what="settings">
        {(s) => <SettingsForm key={s.version} settings={s} onSaved={(n) => settings.setData(() => n)} />}
      </Async>
    </section>
  );
}

function pick(s: GovernanceSettingsObject): Editable {
  const { object: _o, version: _v, updated_at: _u, ...rest } = s;
  return rest;
}

function SettingsForm({ settings, onSaved }: { settings: GovernanceSettingsObject; onSaved(s: GovernanceSettingsObject): void }) {
  const [form, setForm] = useState<Editable>(() => pick(settings));
  const [newFlag, setNewFlag] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const bump = usePolicyDraft((s) => s.bump);
  useEffect(() => setForm(pick(settings)), [settings]);
  const original = pick(settings);
  const changed = (Object.keys(form) as (keyof Editable)[]).filter((k) => JSON.stringify(form[k]) !== JSON.stringify(original[k]));
  const set = <K extends keyof Editable>(k: K, v: Editable[K]) => setForm((f) => ({ ...f, [k]: v }));

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const patch = Object.fromEntries(changed.map((k) => [k, form[k]]));
      const saved = await api().call('updateGovernanceSettings', { body: patch });
      onSaved(saved);
      bump();
      toast.success('Settings saved', `Version ${saved.version}.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="form">
      <fieldset>
        <legend>Always ask for these categories</legend>
        {GATES.map((g) => (
          <label key={g.key} className="check">
            <input type="checkbox" checked={form[g.key]} onChange={(e) => set(g.key, e.target.checked)} /> {g.label}
          </label>
        ))}
        {Object.entries(form.category_flags).map(([k, v]) => (
          <label key={k} className="check">
            <input type="checkbox" checked={v} onChange={(e) => set('category_flags', { ...form.category_flags, [k]: e.target.checked })} /> Ask for category <code>{k}</code>
            <button
              type="button"
              className="link danger small"
              aria-label={`Remove category ${k}`}
              onClick={() => {
                const { [k]: _gone, ...rest } = form.category_flags;
                set('category_flags', rest);
              }}
            >
              remove
            </button>
          </label>
        ))}
        <div className="inline-form">
          <input aria-label="Custom category" value={newFlag} onChange={(e) => setNewFlag(e.target.value)} placeholder="financial" />
          <button
            type="button"
            disabled={!newFlag.trim()}
            onClick={() => {
              set('category_flags', { ...form.category_flags, [newFlag.trim()]: true });
              setNewFlag('');
            }}
          >
            Add category
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>High risk: Allow always asks for a confirmation before any scope wider than the request</legend>
        <ListField label="High-risk tools (globs)" value={form.high_risk_tools} onChange={(v) => set('high_risk_tools', v)} placeholder="shell.*, deploy.*" />
        <ListField label="High-risk categories" value={form.high_risk_categories} onChange={(v) => set('high_risk_categories', v)} placeholder="financial, permission_changes" />
      </fieldset>
      <label>
        When no rule matches
        <select value={form.unmatched_decision} onChange={(e) => set('unmatched_decision', e.target.value as 'ALERT' | 'BLOCK')}>
          <option value="ALERT">ALERT — ask me</option>
          <option value="BLOCK">BLOCK — strict, default-closed</option>
        </select>
      </label>
      <div className="row2">
        <label>
          Approvals needed
          <input type="number" min={1} max={10} value={form.approval_threshold} onChange={(e) => set('approval_threshold', Number(e.target.value))} />
        </label>
        <label>
          Approval expires after (seconds)
          <input type="number" min={10} max={86400} value={form.approval_ttl_seconds} onChange={(e) => set('approval_ttl_seconds', Number(e.target.value))} />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={form.allow_self_approval} onChange={(e) => set('allow_self_approval', e.target.checked)} /> Allow the operator who started a mission to approve its requests
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <span className="muted small">Version {settings.version}</span>
        <span className="spacer" />
        <button type="button" disabled={!changed.length || busy} onClick={() => setForm(original)}>
          Discard
        </button>
        <Gate route="updateGovernanceSettings">
          <button type="button" className="primary" disabled={!changed.length || busy} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </Gate>
      </div>
    </div>
  );
}

/** A list edited as comma-separated text; the list changes as the text does. */
function ListField({ label, value, onChange, placeholder }: { label: string; value: string[]; onChange(v: string[]): void; placeholder: string }) {
  const [text, setText] = useState(value.join(', '));
  useEffect(() => {
    if (text.split(',').map((x) => x.trim()).filter(Boolean).join(',') !== value.join(',')) setText(value.join(', '));
    // Only an outside change (a discard, a reload) rewrites the text.
  }, [value]);
  return (
    <label>
      {label}
      <input
        type="text"
        value={text}
        placeholder={placeholder}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.split(',').map((x) => x.trim()).filter(Boolean));
        }}
      />
    </label>
  );
}
