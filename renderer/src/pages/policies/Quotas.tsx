/** Quotas: profile defaults, overrides (profile-wide or per agent) and the effective values. */
import { useState } from 'react';
import type { QuotaObject } from '../../../../shared/api/policies.js';
import { QUOTA_KEYS, type QuotaKey } from '../../../../shared/vocabulary.js';
import { api, errorMessage } from '../../lib/api';
import { useAgentList } from '../../stores/agents';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { toast } from '../../stores/toasts';
import { Async } from '../../components/states';
import { Gate } from '../../lib/can';

const LABELS: Record<QuotaKey, string> = {
  runs_per_hour: 'Runs per hour',
  concurrent_executions: 'Concurrent executions',
  memory_mb: 'Memory (MB)',
};

export function QuotasTab() {
  const [agentId, setAgentId] = useState('');
  const { agents: agentList } = useAgentList();
  const quota = useResource(() => api().call('getQuota', { query: agentId ? { agent_id: agentId } : {} }), [agentId]);
  return (
    <section className="card" aria-labelledby="quota-title">
      <div className="card-head">
        <h3 id="quota-title" className="card-title">
          Quotas
        </h3>
        <label className="inline">
          For
          <select value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            <option value="">Every agent (profile)</option>
            {agentList.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Async {...quota} what="quotas">
        {(q) => <QuotaForm key={`${q.agent_id}:${q.version}`} quota={q} onSaved={(n) => quota.setData(() => n)} />}
      </Async>
    </section>
  );
}

function QuotaForm({ quota, onSaved }: { quota: QuotaObject; onSaved(q: QuotaObject): void }) {
  const own = quota.agent_id ? (quota.agent_overrides.find((o) => o.agent_id === quota.agent_id)?.overrides ?? {}) : quota.overrides;
  const [values, setValues] = useState<Record<QuotaKey, string>>(() => Object.fromEntries(QUOTA_KEYS.map((k) => [k, own[k] === undefined ? '' : String(own[k])])) as Record<QuotaKey, string>);
  const [error, setError] = useState<string | null>(null);
  const bump = usePolicyDraft((s) => s.bump);

  async function save() {
    setError(null);
    try {
      const body: { agent_id?: string } & Partial<Record<QuotaKey, number | null>> = quota.agent_id ? { agent_id: quota.agent_id } : {};
      for (const k of QUOTA_KEYS) {
        const v = values[k].trim();
        const before = own[k];
        if (v === '' && before !== undefined) body[k] = null;
        else if (v !== '' && Number(v) !== before) body[k] = Number(v);
      }
      const saved = await api().call('updateQuota', { body });
      onSaved(saved);
      bump();
      toast.success('Quotas saved');
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <div className="form">
      <table className="table" aria-label="Quota values">
        <thead>
          <tr>
            <th scope="col">Quota</th>
            <th scope="col">Default ({quota.profile})</th>
            <th scope="col">{quota.agent_id ? 'Agent override' : 'Override'}</th>
            <th scope="col">Effective</th>
          </tr>
        </thead>
        <tbody>
          {QUOTA_KEYS.map((k) => (
            <tr key={k}>
              <th scope="row">{LABELS[k]}</th>
              <td>{quota.limits[k]}</td>
              <td>
                <input aria-label={`${LABELS[k]} override`} type="number" min={1} value={values[k]} placeholder="default" onChange={(e) => setValues((v) => ({ ...v, [k]: e.target.value }))} />
              </td>
              <td>
                <strong>{quota.effective[k]}</strong>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Overrides are positive integers up to 100× the default. Leave empty to use the default.</p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <span className="spacer" />
        <Gate route="updateQuota">
          <button type="button" className="primary" onClick={() => void save()}>
            Save quotas
          </button>
        </Gate>
      </div>
    </div>
  );
}
