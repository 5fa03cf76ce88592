/** One pending gate review in the Inbox's Reviews list: which solution, which gate, who asked, when. */
import type { GateSubmission } from '../../../../shared/api/gates.js';
import { ago, dateTime } from '../../lib/format';
import { useActorName } from '../reviews/actors';

export function reviewTitle(s: GateSubmission): string {
  return `${s.solution_name ?? s.solution_id}: ${s.policy_name ?? s.policy_id} · ${s.gate_id}`;
}

export function ReviewCard({ submission: s, selected, onSelect }: { submission: GateSubmission; selected: boolean; onSelect(id: string): void }) {
  const actorText = useActorName();
  const votes = s.decisions.filter((d) => d.counted && d.decision !== 'denied').length;
  return (
    <button type="button" className="review-card" aria-current={selected ? 'true' : undefined} aria-label={`Review ${reviewTitle(s)}`} onClick={() => onSelect(s.id)}>
      <span className="top">
        <strong className="truncate">{s.solution_name ?? s.solution_id}</strong>
        <span className="pill pill-warn">{s.gate_type}</span>
      </span>
      <span className="small">
        {s.policy_name ?? s.policy_id} · stage <span className="mono">{s.stage_id}</span> · gate <span className="mono">{s.gate_id}</span>
      </span>
      <span className="muted small" title={dateTime(s.created_at)}>
        {' '}
        by {actorText(s.submitted_by)}, {ago(s.created_at)}
        {s.required_approvals > 1 ? ` · ${votes}/${s.required_approvals} approvals` : ''}
      </span>
    </button>
  );
}
