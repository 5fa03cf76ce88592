/**
 * The stage/gate editor: stages in order (a stage opens only once the one before it passed),
 * each with its gates. Stages, gates and checklist questions are added, removed and moved with
 * buttons, so the whole editor works from the keyboard.
 */
import { emptyGate, emptyQuestion, emptyStage, freshId, GATE_TYPE_LABELS, GATE_TYPES, move, type DraftError, type GateRow, type GateType, type StageRow } from './policyDraft';

function errorFor(errors: readonly DraftError[], param: string): string | undefined {
  return errors.find((e) => e.param === param)?.message;
}

function FieldError({ message }: { message: string | undefined }) {
  return message ? <span className="form-error small">{message}</span> : null;
}

export function StageEditor({ stages, errors, onChange }: { stages: StageRow[]; errors: readonly DraftError[]; onChange(stages: StageRow[]): void }) {
  const setStage = (i: number, patch: Partial<StageRow>) => onChange(stages.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return (
    <div className="stage-editor">
      <ol className="stage-list" aria-label="Stages">
        {stages.map((s, i) => {
          const at = `stages[${i}]`;
          const label = `Stage ${i + 1}${s.name.trim() ? ` (${s.name.trim()})` : ''}`;
          return (
            <li key={s.key} className="stage-block" aria-label={label}>
              <div className="stage-head">
                <span className="stage-n" aria-hidden="true">
                  {i + 1}
                </span>
                <label>
                  Stage name
                  <input value={s.name} onChange={(e) => setStage(i, { name: e.target.value })} placeholder="Security review" aria-invalid={Boolean(errorFor(errors, `${at}.name`))} />
                  <FieldError message={errorFor(errors, `${at}.name`)} />
                </label>
                <label>
                  Id
                  <input className="mono id-input" value={s.id} onChange={(e) => setStage(i, { id: e.target.value })} aria-invalid={Boolean(errorFor(errors, `${at}.id`))} />
                  <FieldError message={errorFor(errors, `${at}.id`)} />
                </label>
                <span className="spacer" />
                <button type="button" aria-label={`Move ${label} up`} disabled={i === 0} onClick={() => onChange(move(stages, i, -1))}>
                  ↑
                </button>
                <button type="button" aria-label={`Move ${label} down`} disabled={i === stages.length - 1} onClick={() => onChange(move(stages, i, 1))}>
                  ↓
                </button>
                <button type="button" className="danger" aria-label={`Remove ${label}`} disabled={stages.length === 1} onClick={() => onChange(stages.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
              <GateList
                stageLabel={label}
                at={at}
                gates={s.gates}
                errors={errors}
                onChange={(gates) => setStage(i, { gates })}
                onAdd={(type) => setStage(i, { gates: [...s.gates, { ...emptyGate(i, s.gates.length + 1, type), id: freshId(stages, `gate_${i + 1}_`) }] })}
              />
              <FieldError message={errorFor(errors, `${at}.gates`)} />
            </li>
          );
        })}
      </ol>
      <FieldError message={errorFor(errors, 'stages')} />
      <button type="button" onClick={() => onChange([...stages, { ...emptyStage(stages.length), id: freshId(stages, 'stage_'), gates: [{ ...emptyGate(stages.length, 1), id: freshId(stages, `gate_${stages.length + 1}_`) }] }])}>
        Add stage
      </button>
    </div>
  );
}

function GateList({ stageLabel, at, gates, errors, onChange, onAdd }: { stageLabel: string; at: string; gates: GateRow[]; errors: readonly DraftError[]; onChange(gates: GateRow[]): void; onAdd(type: GateType): void }) {
  const setGate = (i: number, patch: Partial<GateRow>) => onChange(gates.map((g, j) => (j === i ? { ...g, ...patch } : g)));
  return (
    <div className="gate-list">
      <ul aria-label={`Gates of ${stageLabel}`}>
        {gates.map((g, i) => {
          const gat = `${at}.gates[${i}]`;
          const label = `Gate ${i + 1} of ${stageLabel}`;
          return (
            <li key={g.key} className="gate-block" aria-label={label}>
              <div className="gate-fields">
                <label>
                  Type
                  <select
                    value={g.type}
                    onChange={(e) => {
                      const type = e.target.value as GateType;
                      setGate(i, { type, questions: type === 'checklist' && !g.questions.length ? [emptyQuestion(1)] : g.questions });
                    }}
                  >
                    {GATE_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {GATE_TYPE_LABELS[t]}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Gate name
                  <input value={g.name} onChange={(e) => setGate(i, { name: e.target.value })} placeholder="optional" />
                </label>
                <label>
                  Id
                  <input className="mono id-input" value={g.id} onChange={(e) => setGate(i, { id: e.target.value })} aria-invalid={Boolean(errorFor(errors, `${gat}.id`))} />
                  <FieldError message={errorFor(errors, `${gat}.id`)} />
                </label>
                {g.type === 'evidence' ? (
                  <label>
                    Required evidence
                    <input value={g.requires} onChange={(e) => setGate(i, { requires: e.target.value })} placeholder="sast_report, test_run" aria-invalid={Boolean(errorFor(errors, `${gat}.requires`))} />
                    <FieldError message={errorFor(errors, `${gat}.requires`)} />
                  </label>
                ) : (
                  <label>
                    Approvals needed
                    <input
                      className="num-input"
                      inputMode="numeric"
                      value={g.required_approvals}
                      onChange={(e) => setGate(i, { required_approvals: e.target.value })}
                      aria-invalid={Boolean(errorFor(errors, `${gat}.required_approvals`))}
                    />
                    <FieldError message={errorFor(errors, `${gat}.required_approvals`)} />
                  </label>
                )}
                <span className="spacer" />
                <button type="button" aria-label={`Move ${label} up`} disabled={i === 0} onClick={() => onChange(move(gates, i, -1))}>
                  ↑
                </button>
                <button type="button" aria-label={`Move ${label} down`} disabled={i === gates.length - 1} onClick={() => onChange(move(gates, i, 1))}>
                  ↓
                </button>
                <button type="button" className="danger" aria-label={`Remove ${label}`} onClick={() => onChange(gates.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
              {g.type === 'checklist' ? <QuestionList label={label} at={gat} gate={g} errors={errors} onChange={(questions) => setGate(i, { questions })} /> : null}
            </li>
          );
        })}
      </ul>
      <div className="row-actions">
        {GATE_TYPES.map((t) => (
          <button key={t} type="button" className="link" onClick={() => onAdd(t)} aria-label={`Add ${GATE_TYPE_LABELS[t].toLowerCase()} gate to ${stageLabel}`}>
            + {GATE_TYPE_LABELS[t].toLowerCase()} gate
          </button>
        ))}
      </div>
    </div>
  );
}

function QuestionList({ label, at, gate, errors, onChange }: { label: string; at: string; gate: GateRow; errors: readonly DraftError[]; onChange(q: GateRow['questions']): void }) {
  const set = (i: number, patch: Partial<GateRow['questions'][number]>) => onChange(gate.questions.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  const nextId = () => {
    const used = new Set(gate.questions.map((q) => q.id));
    let n = gate.questions.length + 1;
    while (used.has(`q${n}`)) n++;
    return `q${n}`;
  };
  return (
    <fieldset className="questions">
      <legend className="small">Questions</legend>
      <ol aria-label={`Questions of ${label}`}>
        {gate.questions.map((q, i) => (
          <li key={q.key} className="question-row">
            <input className="mono id-input" aria-label={`Question ${i + 1} id`} value={q.id} onChange={(e) => set(i, { id: e.target.value })} />
            <input className="grow" aria-label={`Question ${i + 1} text`} value={q.text} placeholder="Does it read only the paths it needs?" onChange={(e) => set(i, { text: e.target.value })} />
            <label className="check no-wrap">
              <input type="checkbox" checked={q.required} onChange={(e) => set(i, { required: e.target.checked })} /> Required
            </label>
            <button type="button" className="danger" aria-label={`Remove question ${i + 1}`} onClick={() => onChange(gate.questions.filter((_, j) => j !== i))}>
              ×
            </button>
            <FieldError message={errorFor(errors, `${at}.questions[${i}].id`) ?? errorFor(errors, `${at}.questions[${i}].text`)} />
          </li>
        ))}
      </ol>
      <FieldError message={errorFor(errors, `${at}.questions`)} />
      <button type="button" className="link" onClick={() => onChange([...gate.questions, { ...emptyQuestion(gate.questions.length + 1), id: nextId() }])}>
        + question
      </button>
    </fieldset>
  );
}
