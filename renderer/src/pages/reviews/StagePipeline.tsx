/**
 * A policy's stages left to right, each with its gates and their state. A stage is passed when
 * every gate in it passed (approved, conditional or waived), open when it is the first one not
 * passed, and locked after that: its gates cannot be submitted yet.
 */
import type { GateStatus } from '../../../../shared/api/gates.js';

export interface PipelineGate {
  id: string;
  label: string;
  type: string;
  status: GateStatus;
  /** What is still needed, in the server's words. */
  missing?: string | null;
}

export interface PipelineStage {
  id: string;
  name: string;
  /** The server's word for the stage; computed from the gates when absent. */
  status?: StageState;
  gates: PipelineGate[];
}

export type StageState = 'passed' | 'open' | 'locked';

const PASSED: ReadonlySet<GateStatus> = new Set(['approved', 'conditional', 'waived']);

export function gatePassed(status: GateStatus): boolean {
  return PASSED.has(status);
}

export function stageStates(stages: readonly PipelineStage[]): StageState[] {
  let open = false;
  return stages.map((s) => {
    if (s.status) {
      if (s.status !== 'passed') open = true;
      return s.status;
    }
    if (!open && s.gates.every((g) => PASSED.has(g.status))) return 'passed';
    if (!open) {
      open = true;
      return 'open';
    }
    return 'locked';
  });
}

export const GATE_STATUS_TEXT: Record<GateStatus, string> = {
  missing: 'not submitted',
  submitted: 'awaiting review',
  approved: 'approved',
  conditional: 'approved with conditions',
  denied: 'denied',
  waived: 'waived',
};

const GATE_PILL: Record<GateStatus, string> = {
  missing: 'pill-muted',
  submitted: 'pill-warn',
  approved: 'pill-ok',
  conditional: 'pill-ok',
  denied: 'pill-bad',
  waived: 'pill-ok',
};

const STAGE_TEXT: Record<StageState, string> = { passed: 'passed', open: 'open', locked: 'locked until the stage before passes' };

export function StagePipeline({
  label,
  stages,
  selectedGate,
  onSelectGate,
}: {
  label: string;
  stages: readonly PipelineStage[];
  selectedGate?: string | null;
  onSelectGate?(stageId: string, gateId: string): void;
}) {
  const states = stageStates(stages);
  return (
    <ol className="pipeline" aria-label={label}>
      {stages.map((s, i) => (
        <li key={s.id} className={`pipeline-stage pipeline-${states[i]}`} aria-label={`Stage ${i + 1} of ${stages.length}: ${s.name}, ${STAGE_TEXT[states[i]!]}`}>
          <div className="pipeline-stage-head">
            <span className="stage-n" aria-hidden="true">
              {states[i] === 'passed' ? '✓' : i + 1}
            </span>
            <strong>{s.name}</strong>
            <span className="muted small">{states[i] === 'locked' ? 'locked' : states[i]}</span>
          </div>
          <ul className="pipeline-gates">
            {s.gates.map((g) => {
              const text = `${g.label} (${g.type}): ${GATE_STATUS_TEXT[g.status]}`;
              return (
                <li key={g.id}>
                  {onSelectGate ? (
                    <button type="button" className={`gate-chip${selectedGate === `${s.id}/${g.id}` ? ' gate-chip-selected' : ''}`} aria-pressed={selectedGate === `${s.id}/${g.id}`} aria-label={text} onClick={() => onSelectGate(s.id, g.id)}>
                      <span>{g.label}</span> <span className={`pill ${GATE_PILL[g.status]}`}>{GATE_STATUS_TEXT[g.status]}</span>
                    </button>
                  ) : (
                    <span className="gate-chip" aria-label={text}>
                      <span>{g.label}</span> <span className={`pill ${GATE_PILL[g.status]}`}>{GATE_STATUS_TEXT[g.status]}</span>
                    </span>
                  )}
                  {g.missing && !gatePassed(g.status) ? <p className="muted small">{g.missing}</p> : null}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ol>
  );
}
