/** A run's history, one block per step: what happened (moved, refused, waited, failed…) and every guard's result under it. */
import { ago, dateTime } from '../../lib/format';
import { useActorLabel } from './actors';
import type { GuardResult, WorkflowHistoryEntry } from './data';

const KIND_LABEL: Record<WorkflowHistoryEntry['kind'], string> = {
  started: 'started',
  transitioned: 'moved',
  guard_evaluated: 'guard',
  rejected: 'refused',
  executor_queued: 'executor queued',
  executor_finished: 'executor finished',
  approval_requested: 'waiting on approval',
  approval_resolved: 'approval answered',
  evidence_recorded: 'evidence',
  failed: 'failed',
  cancelled: 'cancelled',
};
const BAD_KINDS = new Set(['rejected', 'failed', 'cancelled']);

function guardOf(h: WorkflowHistoryEntry): GuardResult {
  const d = h.data as Partial<GuardResult>;
  return { path: String(d.path ?? ''), kind: String(d.kind ?? ''), passed: d.passed === true, reason: String(d.reason ?? ''), error: d.error === true };
}

/** What an entry's data says, in a line. */
function detailOf(h: WorkflowHistoryEntry): string {
  const d = h.data;
  const parts: string[] = [];
  for (const key of ['reason', 'outcome', 'executor', 'queue', 'kind', 'approval_id', 'guard'] as const) {
    const v = d[key];
    if (v !== undefined && v !== null && v !== '') parts.push(key === 'reason' || key === 'outcome' ? String(v) : `${key} ${String(v)}`);
  }
  if (h.kind === 'executor_finished' && d.ok !== undefined) parts.unshift(d.ok ? 'succeeded' : 'failed');
  return parts.join(' · ');
}

/** The history, one block per step: what happened, and every guard's result under it. */
export function RunHistory({ entries }: { entries: WorkflowHistoryEntry[] }) {
  const actorLabel = useActorLabel();
  const steps: WorkflowHistoryEntry[][] = [];
  for (const h of entries) {
    const last = steps[steps.length - 1];
    if (last && last[0]!.step === h.step) last.push(h);
    else steps.push([h]);
  }
  return (
    <ol className="wf-history" aria-label="Run history">
      {steps.map((group) => {
        const guards = group.filter((h) => h.kind === 'guard_evaluated').map(guardOf);
        const events = group.filter((h) => h.kind !== 'guard_evaluated');
        const bad = events.some((h) => BAD_KINDS.has(h.kind)) || guards.some((g) => !g.passed);
        return (
          <li key={group[0]!.seq} className={bad ? 'wf-history-rejected' : 'wf-history-ok'}>
            {events.map((h) => {
              const detail = detailOf(h);
              return (
                <div key={h.seq}>
                  <span className={`pill ${BAD_KINDS.has(h.kind) ? 'pill-bad' : h.kind === 'transitioned' ? 'pill-ok' : ''}`}>{KIND_LABEL[h.kind]}</span>{' '}
                  {h.transition ? <strong className="mono">{h.transition}</strong> : null}
                  {h.from_state || h.to_state ? (
                    <span className="mono small">
                      {' '}
                      {h.from_state ?? '·'}
                      {h.to_state && h.to_state !== h.from_state ? ` → ${h.to_state}` : ''}
                    </span>
                  ) : null}
                  <span className="muted small">
                    {' '}
                    · {actorLabel(h.actor)} · <span title={dateTime(h.at)}>{ago(h.at)}</span>
                  </span>
                  {detail ? <div className="small">{detail}</div> : null}
                </div>
              );
            })}
            {guards.length ? (
              <ul className="wf-guards" aria-label={`Guards of step ${group[0]!.step}`}>
                {guards.map((g, j) => (
                  <li key={j}>
                    <span className={g.passed ? 'verdict verdict-ALLOW' : 'verdict verdict-BLOCK'}>{g.passed ? 'pass' : g.error ? 'error' : 'fail'}</span> <span className="mono">{g.path}</span>{' '}
                    <span className="muted">{g.kind}</span>
                    {g.reason ? <span className="muted"> — {g.reason}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
