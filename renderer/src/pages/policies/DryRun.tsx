/**
 * The dry-run box: describe an action, see the verdict, each layer and the explanation as you
 * type. "Policy layers" previews the rules being edited (unsaved) through
 * `POST /v1/guardrails/evaluate` with hypothetical policies; "Full pipeline" asks
 * `POST /v1/evaluate` (kill-switch, budgets, quotas, grants too) with the saved state.
 * Nothing is recorded either way.
 */
import { useEffect, useMemo, useState } from 'react';
import type { GuardrailPolicyObject } from '../../../../shared/api/policies.js';
import { api, errorMessage } from '../../lib/api';
import { useAgentList } from '../../stores/agents';
import { useResource } from '../../lib/useResource';
import { usePolicyDraft } from '../../stores/policyDraft';
import { LayerTable } from '../../components/LayerTable';

interface Result {
  decision: 'ALLOW' | 'ALERT' | 'BLOCK';
  block_code: string | null;
  explanation: string;
  matched: { policy_id: string; policy_name: string; policy_version: number; rule: number; decision: string; constraint_failed?: string }[];
  layers: { layer: string; verdict: string; detail: string }[];
}

export function DryRunBox() {
  const [tool, setTool] = useState('');
  const [connector, setConnector] = useState('');
  const [args, setArgs] = useState('{}');
  const [value, setValue] = useState('');
  const [categories, setCategories] = useState('');
  const [agentId, setAgentId] = useState('');
  const [mode, setMode] = useState<'policies' | 'pipeline'>('policies');
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const draft = usePolicyDraft((s) => s.draft);
  const version = usePolicyDraft((s) => s.version);
  const { agents: agentList } = useAgentList();
  const saved = useResource(async () => (await api().call('listGuardrails', { query: { limit: 500 } })).data, [version]);

  const parsedArgs = useMemo(() => {
    if (!args.trim()) return { ok: true as const, value: undefined };
    try {
      const v = JSON.parse(args) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false as const, error: 'arguments must be a JSON object' };
      return { ok: true as const, value: v as Record<string, unknown> };
    } catch {
      return { ok: false as const, error: 'arguments are not valid JSON yet' };
    }
  }, [args]);

  const request = useMemo(() => {
    if (!tool.trim() || !parsedArgs.ok) return null;
    const n = value.trim() === '' ? undefined : Number(value);
    const cats = categories.split(',').map((c) => c.trim()).filter(Boolean);
    const action = {
      tool: tool.trim(),
      ...(connector.trim() ? { connector: connector.trim() } : {}),
      ...(parsedArgs.value ? { args: parsedArgs.value } : {}),
      ...(n !== undefined && Number.isFinite(n) ? { value: n } : {}),
      ...(cats.length ? { categories: cats } : {}),
    };
    return { action, ...(agentId ? { agent_id: agentId } : {}) };
  }, [tool, connector, parsedArgs, value, categories, agentId]);

  // The stored policies with the draft in place of the one being edited.
  const policies = useMemo(() => {
    const list: GuardrailPolicyObject[] = saved.data ?? [];
    return list
      .filter((p) => p.status === 'active')
      .map((p) => ({
        id: p.id,
        name: p.name,
        version: p.version,
        status: p.status,
        rules: draft && !draft.invalid && draft.policyId === p.id && draft.rules.length ? draft.rules : p.rules,
      }));
  }, [saved.data, draft]);

  useEffect(() => {
    if (!request || (mode === 'policies' && !saved.data)) {
      setResult(null);
      return;
    }
    let live = true;
    setPending(true);
    const t = setTimeout(() => {
      const call =
        mode === 'policies'
          ? api().call('evaluateGuardrails', { body: { ...request, policies } })
          : api().call('evaluate', { body: request });
      call.then(
        (r) => {
          if (!live) return;
          setResult(r);
          setError(null);
          setPending(false);
        },
        (err: unknown) => {
          if (!live) return;
          setError(errorMessage(err));
          setPending(false);
        },
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [request, policies, mode, saved.data]);

  const usesDraft = mode === 'policies' && draft && !draft.invalid && policies.some((p) => p.id === draft.policyId);

  return (
    <aside className="card dryrun" aria-labelledby="dryrun-title">
      <h3 id="dryrun-title" className="card-title">
        Dry run
      </h3>
      <fieldset className="radios">
        <legend className="sr-only">What to evaluate</legend>
        <label className="check">
          <input type="radio" name="dry-mode" checked={mode === 'policies'} onChange={() => setMode('policies')} /> Policy layers{usesDraft ? ' (with your unsaved edits)' : ''}
        </label>
        <label className="check">
          <input type="radio" name="dry-mode" checked={mode === 'pipeline'} onChange={() => setMode('pipeline')} /> Full pipeline (saved state, budgets, kill-switch)
        </label>
      </fieldset>
      <div className="form">
        <label>
          Tool
          <input value={tool} onChange={(e) => setTool(e.target.value)} placeholder="order.refund" className="mono" />
        </label>
        <label>
          Arguments (JSON)
          <textarea value={args} onChange={(e) => setArgs(e.target.value)} rows={3} className="mono" spellCheck={false} aria-invalid={!parsedArgs.ok} />
          {!parsedArgs.ok ? <span className="field-error small">{parsedArgs.error}</span> : null}
        </label>
        <div className="row2">
          <label>
            Value
            <input value={value} onChange={(e) => setValue(e.target.value)} inputMode="decimal" placeholder="300" />
          </label>
          <label>
            Connector
            <input value={connector} onChange={(e) => setConnector(e.target.value)} placeholder="stripe" />
          </label>
        </div>
        <label>
          Categories
          <input value={categories} onChange={(e) => setCategories(e.target.value)} placeholder="external_comm, financial" />
        </label>
        <label>
          Agent
          <select value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            <option value="">(no agent)</option>
            {agentList.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="dryrun-result" aria-busy={pending} aria-label="Dry-run result" role="region">
        {!tool.trim() ? (
          <p className="muted small">Type a tool to see how Warden would decide.</p>
        ) : error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : result ? (
          <>
            <p>
              <span className={`verdict verdict-big verdict-${result.decision}`} role="status" aria-label="Dry-run verdict">
                {result.decision}
              </span>
              {result.block_code ? <span className="muted small mono"> {result.block_code}</span> : null}
            </p>
            <p className="explanation">{result.explanation}</p>
            {result.matched.length ? (
              <ul className="matched" aria-label="Dry-run matched rules">
                {result.matched.map((m) => (
                  <li key={`${m.policy_id}:${m.rule}`}>
                    <span className={`verdict verdict-${m.decision}`}>{m.decision}</span> {m.policy_name} v{m.policy_version} · rule {m.rule + 1}
                    {m.constraint_failed ? <span className="muted"> — {m.constraint_failed}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            <LayerTable layers={result.layers} />
          </>
        ) : (
          <p className="muted small">Evaluating…</p>
        )}
      </div>
    </aside>
  );
}
