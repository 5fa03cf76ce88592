/**
 * One gate submission as a reviewer reads it: who submitted what (checklist answers next to their
 * questions, cited evidence, notes, any other data), each decision with its comment and
 * conditions, the conditions in force, and a waiver's reason and author.
 */
import type { Gate, GateSubmission } from '../../../../shared/api/gates.js';
import { ago, dateTime } from '../../lib/format';
import { JsonBlock } from '../../components/JsonView';
import { useActorName } from './actors';
import { GATE_STATUS_TEXT } from './StagePipeline';

const DECISION_TEXT = { approved: 'approved', denied: 'denied', conditional: 'approved with conditions' } as const;


function answerText(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return String(value);
}

export function SubmissionView({ submission: s, gate }: { submission: GateSubmission; gate?: Gate | null }) {
  const actorText = useActorName();
  const answers = (s.data.answers ?? {}) as Record<string, unknown>;
  const evidence = Array.isArray(s.data.evidence) ? (s.data.evidence as { run_id: string; kind: string }[]) : [];
  const notes = typeof s.data.notes === 'string' ? s.data.notes : null;
  const rest = Object.fromEntries(Object.entries(s.data).filter(([k]) => !['answers', 'evidence', 'notes'].includes(k)));
  const questions = gate?.type === 'checklist' ? gate.questions : [];
  const counted = s.decisions.filter((d) => d.counted && d.decision !== 'denied').length;
  return (
    <div className="submission">
      <dl>
        <dt>Submission</dt>
        <dd className="mono">{s.id}</dd>
        <dt>Status</dt>
        <dd>
          <strong>{s.status === 'submitted' ? GATE_STATUS_TEXT.submitted : GATE_STATUS_TEXT[s.status]}</strong>
          {s.status === 'submitted' && s.gate_type !== 'evidence' ? ` · ${counted} of ${s.required_approvals} approval${s.required_approvals === 1 ? '' : 's'}` : ''}
        </dd>
        <dt>Submitted</dt>
        <dd>
          by {actorText(s.submitted_by)} · <span title={dateTime(s.created_at)}>{ago(s.created_at)}</span>
        </dd>
        {s.superseded_by ? (
          <>
            <dt>Replaced by</dt>
            <dd className="mono">{s.superseded_by}</dd>
          </>
        ) : null}
      </dl>

      {questions.length || Object.keys(answers).length ? (
        <section aria-label="Checklist answers">
          <h4 className="subhead">Checklist</h4>
          <dl>
            {questions.length
              ? questions.map((q) => (
                  <FragmentRow key={q.id} term={`${q.text}${q.required === false ? ' (optional)' : ''}`} value={q.id in answers ? answerText(answers[q.id]) : '—'} />
                ))
              : Object.entries(answers).map(([k, v]) => <FragmentRow key={k} term={k} value={answerText(v)} />)}
          </dl>
        </section>
      ) : null}
      {evidence.length ? (
        <section aria-label="Evidence">
          <h4 className="subhead">Evidence</h4>
          <ul>
            {evidence.map((e) => (
              <li key={`${e.run_id}:${e.kind}`}>
                {e.kind} from run <span className="mono">{e.run_id}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {notes ? (
        <section aria-label="Notes">
          <h4 className="subhead">Notes</h4>
          <p>{notes}</p>
        </section>
      ) : null}
      {Object.keys(rest).length ? (
        <section aria-label="Other data">
          <h4 className="subhead">Other data</h4>
          <JsonBlock value={rest} />
        </section>
      ) : null}

      <section aria-label="Decisions">
        <h4 className="subhead">Decisions</h4>
        {s.decisions.length ? (
          <ul>
            {s.decisions.map((d) => (
              <li key={`${d.operator}:${d.at}`}>
                <strong>{d.operator_name ?? d.operator}</strong> — {DECISION_TEXT[d.decision]} · {dateTime(d.at)}
                {d.counted ? '' : ' (not counted)'}
                {d.comments ? `: “${d.comments}”` : ''}
                {d.conditions.length ? (
                  <ul className="conditions">
                    {d.conditions.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No decision yet.</p>
        )}
      </section>
      {s.conditions.length ? (
        <section aria-label="Conditions">
          <h4 className="subhead">Conditions in force</h4>
          <ul className="conditions">
            {s.conditions.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {s.waiver ? (
        <section className="waiver" aria-label="Waiver">
          <p>
            <strong>Waived</strong> by {actorText(s.waiver.by)} · {dateTime(s.waiver.at)}
          </p>
          <p>Reason: {s.waiver.reason}</p>
        </section>
      ) : null}
    </div>
  );
}

function FragmentRow({ term, value }: { term: string; value: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}
