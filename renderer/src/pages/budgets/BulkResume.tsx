/**
 * Bulk resume on the Budgets page: which paused budgets are ticked, and the bar that resumes them
 * one by one through the same resume route as the Resume dialog (no grace), listing each failure.
 */
import { useState } from 'react';
import type { Budget } from '../../../../shared/api/budgets.js';
import { api, errorMessage, idemKey } from '../../lib/api';
import { useBudgets } from '../../stores/budgets';
import { toast } from '../../stores/toasts';
import { Gate } from '../../lib/can';

export interface ResumeFailure {
  id: string;
  label: string;
  message: string;
}

/** Resumes each budget in turn; the budgets that failed come back with their reason. */
async function resumeEach(budgets: Budget[], labelOf: (b: Budget) => string): Promise<{ resumed: number; repausing: number; failures: ResumeFailure[] }> {
  let resumed = 0;
  let repausing = 0;
  const failures: ResumeFailure[] = [];
  for (const b of budgets) {
    try {
      const res = await api().call('resumeBudget', { params: { scope: b.scope, scope_id: b.scope_id }, body: {} }, { idempotencyKey: idemKey() });
      useBudgets.getState().upsert(res.budget);
      resumed += 1;
      if (res.will_repause) repausing += 1;
    } catch (err) {
      failures.push({ id: b.id, label: labelOf(b), message: errorMessage(err) });
    }
  }
  return { resumed, repausing, failures };
}

export function BulkResumeBar({
  selected,
  labelOf,
  onDone,
}: {
  selected: Budget[];
  labelOf(b: Budget): string;
  /** Called with the ids that stay selected (the ones that failed). */
  onDone(keep: Set<string>): void;
}) {
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState<ResumeFailure[]>([]);

  async function run() {
    setBusy(true);
    setFailures([]);
    const { resumed, repausing, failures: failed } = await resumeEach(selected, labelOf);
    setBusy(false);
    setFailures(failed);
    onDone(new Set(failed.map((f) => f.id)));
    if (resumed) {
      const note = repausing ? `${repausing} still at or above the cap will pause again on the next spend.` : undefined;
      (repausing ? toast.warning : toast.success)(`${resumed} budget${resumed === 1 ? '' : 's'} resumed`, note);
    }
  }

  if (!selected.length && !failures.length) return null;
  return (
    <div className="bulk-resume" role="region" aria-label="Bulk resume">
      {selected.length ? (
        <div className="bulk-bar">
          <span className="no-wrap">{selected.length} selected</span>
          <Gate route="resumeBudget">
            <button type="button" className="primary" disabled={busy} onClick={() => void run()}>
              {busy ? 'Resuming…' : `Resume selected (${selected.length})`}
            </button>
          </Gate>
          <button type="button" className="link" disabled={busy} onClick={() => onDone(new Set())}>
            Clear selection
          </button>
        </div>
      ) : null}
      {failures.length ? (
        <div role="alert" className="form-error">
          Could not resume {failures.length} budget{failures.length === 1 ? '' : 's'}:
          <ul aria-label="Resume failures">
            {failures.map((f) => (
              <li key={f.id}>
                <strong>{f.label}</strong>: {f.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
