/**
 * Creating or editing a gate policy: what it is, which resource types it governs, whether it is
 * live (a draft or an inactive policy gates nothing), and its stages of gates. Errors found here
 * and errors the server names by `param` show next to the field at fault.
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { GatePolicy, GateSeverity } from '../../../../shared/api/gates.js';
import { api, errorMessage, idemKey, isApiError } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { toast } from '../../stores/toasts';
import { SEVERITIES } from './PoliciesTab';
import { emptyStage, toStageRows, toStages, type DraftError, type StageRow } from './policyDraft';
import { StageEditor } from './StageEditor';

export function PolicyForm({ policy, onCancel, onSaved, onDeleted }: { policy: GatePolicy | null; onCancel(): void; onSaved(p: GatePolicy): void; onDeleted?(): void }) {
  const [name, setName] = useState(policy?.name ?? '');
  const [description, setDescription] = useState(policy?.description ?? '');
  const [category, setCategory] = useState(policy?.category ?? 'security');
  const [severity, setSeverity] = useState<GateSeverity>(policy?.severity ?? 'high');
  const [types, setTypes] = useState<string[]>(policy?.applicable_resource_types ?? []);
  const [active, setActive] = useState(policy?.is_active ?? true);
  const [draft, setDraft] = useState(policy?.is_draft ?? false);
  const [stages, setStages] = useState<StageRow[]>(() => (policy ? toStageRows(policy.stages) : [emptyStage(0, 'Security review')]));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<DraftError | null>(null);
  const resourceTypes = useResource(() => api().call('listResourceTypes'), []);
  const parsed = useMemo(() => toStages(stages), [stages]);

  const errors: DraftError[] = [...(touched ? parsed.errors : []), ...(serverError ? [serverError] : [])];
  if (touched && !name.trim()) errors.push({ param: 'name', message: 'a policy needs a name' });
  if (touched && !types.length) errors.push({ param: 'applicable_resource_types', message: 'choose at least one resource type it governs' });
  const fieldError = (param: string) => errors.find((e) => e.param === param)?.message;

  async function save(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    setServerError(null);
    if (parsed.errors.length || !name.trim() || !category.trim() || !types.length) return;
    const body = {
      name: name.trim(),
      description: description.trim(),
      category: category.trim(),
      severity,
      applicable_resource_types: types as GatePolicy['applicable_resource_types'],
      stages: parsed.stages,
      is_active: active,
      is_draft: draft,
    };
    setBusy(true);
    try {
      const saved = policy
        ? await api().call('updateGatePolicy', { params: { id: policy.id }, body })
        : await api().call('createGatePolicy', { body }, { idempotencyKey: idemKey() });
      toast.success(policy ? `Saved ${saved.name}` : `Created ${saved.name}`, saved.is_draft || !saved.is_active ? 'It gates nothing until it is active and not a draft.' : `It now governs ${saved.applicable_resource_types.join(', ')}.`);
      onSaved(saved);
    } catch (err) {
      const param = isApiError(err) ? err.param : undefined;
      setServerError({ param: param ?? 'form', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!policy || !window.confirm(`Delete ${policy.name}? What it governs is no longer gated by it; its history stays in the audit log.`)) return;
    try {
      await api().call('deleteGatePolicy', { params: { id: policy.id } });
      toast.success(`Deleted ${policy.name}`);
      onDeleted?.();
    } catch (err) {
      toast.error(`Could not delete ${policy.name}`, errorMessage(err));
    }
  }

  const formError = serverError && !/^(name|category|applicable_resource_types|stages)/.test(serverError.param) ? serverError.message : null;
  return (
    <form className="policy-form" onSubmit={(e) => void save(e)} aria-label={policy ? `Edit ${policy.name}` : 'New gate policy'} noValidate>
      <div className="row2">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="MCP server security review" aria-invalid={Boolean(fieldError('name'))} />
          {fieldError('name') ? <span className="form-error small">{fieldError('name')}</span> : null}
        </label>
        <label>
          Category
          <input value={category} onChange={(e) => setCategory(e.target.value)} placeholder="security" aria-invalid={Boolean(fieldError('category'))} />
          {fieldError('category') ? <span className="form-error small">{fieldError('category')}</span> : null}
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => setSeverity(e.target.value as GateSeverity)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What the reviewers check, and why" />
      </label>
      <fieldset className="checks" aria-invalid={Boolean(fieldError('applicable_resource_types'))}>
        <legend>Governs these resource types</legend>
        {(resourceTypes.data ?? []).map((t) => (
          <label key={t.id}>
            <input type="checkbox" checked={types.includes(t.id)} onChange={(e) => setTypes((ts) => (e.target.checked ? [...ts, t.id] : ts.filter((x) => x !== t.id)))} /> {t.label}{' '}
            <span className="muted small mono">{t.id}</span>
          </label>
        ))}
        {resourceTypes.error ? <span className="form-error small">{resourceTypes.error}</span> : null}
        {fieldError('applicable_resource_types') ? <span className="form-error small">{fieldError('applicable_resource_types')}</span> : null}
      </fieldset>
      <div className="checks">
        <label>
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active
        </label>
        <label>
          <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> Draft (gates nothing yet)
        </label>
      </div>
      <h4 className="subhead">Stages, in order</h4>
      <p className="muted small">A stage opens when the one before it has passed. A gate passes when it is approved (by the number of distinct operators it asks, never its submitter), approved with conditions, or waived.</p>
      <StageEditor stages={stages} errors={errors} onChange={setStages} />
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : touched && errors.length ? (
        <p className="form-error" role="alert">
          {errors.length === 1 ? errors[0]!.message : `${errors.length} fields need attention (marked above).`}
        </p>
      ) : null}
      <div className="form-actions">
        {policy ? (
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete policy
          </button>
        ) : null}
        <span className="spacer" />
        <button type="button" onClick={onCancel}>
          {policy ? 'Close' : 'Cancel'}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : policy ? 'Save policy' : 'Create policy'}
        </button>
      </div>
    </form>
  );
}
