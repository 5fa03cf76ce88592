/**
 * What a submission must carry for its gate: every required checklist answer, and for an
 * evidence gate a citation of each required kind from a workflow run that recorded it.
 */
import type { z } from 'zod';
import type { Gate, SubmissionData } from '../../shared/api/gates.js';
import { HttpError, invalid } from '../server/errors.js';
import type { RunEvidenceLookup } from './context.js';

const answered = (value: unknown): boolean => (typeof value === 'string' ? value.trim().length > 0 : value !== undefined && value !== null);

/** 400 naming the first missing answer or unproven evidence; nothing for an approval gate. */
export function checkSubmissionData(gate: Gate, data: z.output<typeof SubmissionData>, runs: RunEvidenceLookup): void {
  if (gate.type === 'checklist') {
    const known = new Set(gate.questions.map((q) => q.id));
    for (const key of Object.keys(data.answers ?? {})) {
      if (!known.has(key)) throw invalid(`data.answers.${key}`, `gate ${gate.id} asks no question ${key}`);
    }
    for (const q of gate.questions) {
      if (q.required && !answered(data.answers?.[q.id])) {
        throw new HttpError(400, 'missing_parameter', `question ${q.id} of gate ${gate.id} is required: "${q.text}"`, `data.answers.${q.id}`);
      }
    }
  }
  if (gate.type === 'evidence') {
    const cited = data.evidence ?? [];
    cited.forEach((c, i) => {
      const kinds = runs.kindsOf(c.run_id);
      if (kinds === undefined) throw invalid(`data.evidence[${i}].run_id`, `no workflow run with id ${c.run_id}`);
      if (!kinds.includes(c.kind)) throw invalid(`data.evidence[${i}].kind`, `workflow run ${c.run_id} recorded no evidence of kind ${c.kind}`);
    });
    for (const kind of gate.requires) {
      if (!cited.some((c) => c.kind === kind)) {
        throw new HttpError(400, 'missing_parameter', `gate ${gate.id} needs evidence of kind ${kind} from a workflow run`, 'data.evidence');
      }
    }
  }
}
