/**
 * Submitting a gate of a solution's open stage: a checklist's answers (required ones must be
 * answered), an evidence gate's citations of workflow runs, and a note for any gate. The server
 * re-checks all of it and names the field at fault.
 */
import { useState, type FormEvent } from 'react';
import type { Gate, GateSubmission } from '../../../../shared/api/gates.js';
import { api, errorMessage, idemKey } from '../../lib/api';

interface EvidenceRow {
  key: number;
  run_id: string;
  kind: string;
}
let rowKey = 1;

export function SubmitGateForm({ solutionId, policyId, gate, resubmit, onSubmitted }: { solutionId: string; policyId: string; gate: Gate; resubmit: boolean; onSubmitted(s: GateSubmission): void }) {
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [evidence, setEvidence] = useState<EvidenceRow[]>(() => (gate.type === 'evidence' ? gate.requires.map((kind) => ({ key: rowKey++, run_id: '', kind })) : []));
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (gate.type === 'checklist') {
      const unanswered = gate.questions.find((q) => q.required !== false && !(answers[q.id] ?? '').trim());
      if (unanswered) return setError(`Answer the required question “${unanswered.text}”.`);
    }
    const cited = evidence.filter((r) => r.run_id.trim() && r.kind.trim()).map((r) => ({ run_id: r.run_id.trim(), kind: r.kind.trim() }));
    if (gate.type === 'evidence' && !cited.length) return setError('Cite the workflow run that recorded each kind of evidence.');
    const data: Record<string, unknown> = {};
    const given = Object.fromEntries(Object.entries(answers).filter(([, v]) => v.trim()));
    if (Object.keys(given).length) data.answers = given;
    if (cited.length) data.evidence = cited;
    if (notes.trim()) data.notes = notes.trim();
    setBusy(true);
    try {
      const s = await api().call('submitGate', { params: { id: solutionId, gate_id: gate.id }, body: { policy_id: policyId, data } }, { idempotencyKey: idemKey() });
      onSubmitted(s);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label={`Submit ${gate.name ?? gate.id}`} noValidate>
      {gate.type === 'checklist'
        ? gate.questions.map((q) => (
            <label key={q.id}>
              {q.text}
              {q.required === false ? <span className="muted small"> (optional)</span> : null}
              <input value={answers[q.id] ?? ''} onChange={(e) => setAnswers((a) => ({ ...a, [q.id]: e.target.value }))} />
            </label>
          ))
        : null}
      {gate.type === 'evidence' ? (
        <fieldset className="resource-rows">
          <legend>Evidence from workflow runs</legend>
          {evidence.map((r, i) => (
            <div key={r.key} className="question-row">
              <input aria-label={`Evidence ${i + 1} kind`} className="mono" value={r.kind} onChange={(e) => setEvidence((rs) => rs.map((x) => (x.key === r.key ? { ...x, kind: e.target.value } : x)))} />
              <input aria-label={`Evidence ${i + 1} run id`} className="mono" placeholder="wrun_…" value={r.run_id} onChange={(e) => setEvidence((rs) => rs.map((x) => (x.key === r.key ? { ...x, run_id: e.target.value } : x)))} />
            </div>
          ))}
        </fieldset>
      ) : null}
      <label>
        Note for the reviewers
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="What changed, where to look" />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <span className="spacer" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Submitting…' : resubmit ? 'Resubmit for a fresh review' : 'Submit for review'}
        </button>
      </div>
    </form>
  );
}
