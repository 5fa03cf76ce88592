/**
 * The stage/gate editor's working copy of a gate policy and its conversion to the API's body:
 * every field is a string while it is typed, and `toStages` turns the rows into stages with the
 * checks the server makes (ids unique within the policy, a checklist has questions, an evidence
 * gate names the kinds it requires), each error named by the path the server would use.
 */

export const GATE_TYPES = ['approval', 'checklist', 'evidence'] as const;
export type GateType = (typeof GATE_TYPES)[number];

export const GATE_TYPE_LABELS: Record<GateType, string> = {
  approval: 'Approval',
  checklist: 'Checklist',
  evidence: 'Evidence',
};

export interface QuestionRow {
  key: number;
  id: string;
  text: string;
  required: boolean;
}

export interface GateRow {
  key: number;
  id: string;
  type: GateType;
  name: string;
  /** Kept as loaded (the editor does not show it). */
  description: string;
  /** Approval and checklist gates: distinct operators needed (text while typed). */
  required_approvals: string;
  questions: QuestionRow[];
  /** Evidence gates: the kinds of workflow-run evidence, comma separated. */
  requires: string;
}

export interface StageRow {
  key: number;
  id: string;
  name: string;
  gates: GateRow[];
}

/** A gate as the API takes it (`required_approvals` defaults to 1 on the server). */
export type GateBody =
  | { id: string; type: 'approval'; name?: string; description?: string; required_approvals?: number }
  | { id: string; type: 'checklist'; name?: string; description?: string; required_approvals?: number; questions: { id: string; text: string; required?: boolean }[] }
  | { id: string; type: 'evidence'; name?: string; description?: string; requires: string[] };

export interface StageBody {
  id: string;
  name: string;
  gates: GateBody[];
}

let nextKey = 1;
const key = () => nextKey++;

export function emptyQuestion(n: number): QuestionRow {
  return { key: key(), id: `q${n}`, text: '', required: true };
}

export function emptyGate(stageIndex: number, n: number, type: GateType = 'approval'): GateRow {
  return { key: key(), id: `gate_${stageIndex + 1}_${n}`, type, name: '', description: '', required_approvals: '1', questions: type === 'checklist' ? [emptyQuestion(1)] : [], requires: '' };
}

export function emptyStage(index: number, name = ''): StageRow {
  return { key: key(), id: `stage_${index + 1}`, name, gates: [emptyGate(index, 1)] };
}

/** An id not yet used by any stage, gate or question of the draft (new rows stay unique). */
export function freshId(stages: StageRow[], prefix: string): string {
  const used = new Set(stages.flatMap((s) => [s.id, ...s.gates.map((g) => g.id)]));
  for (let i = 1; ; i++) if (!used.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

export function toStageRows(stages: readonly StageBody[]): StageRow[] {
  return stages.map((s) => ({
    key: key(),
    id: s.id,
    name: s.name,
    gates: s.gates.map((g) => ({
      key: key(),
      id: g.id,
      type: g.type,
      name: g.name ?? '',
      description: g.description ?? '',
      required_approvals: g.type === 'evidence' ? '1' : String(g.required_approvals ?? 1),
      questions: g.type === 'checklist' ? g.questions.map((q) => ({ key: key(), id: q.id, text: q.text, required: q.required !== false })) : [],
      requires: g.type === 'evidence' ? g.requires.join(', ') : '',
    })),
  }));
}

/** Moves the item at `from` by `delta` places (reordering stages, gates or questions). */
export function move<T>(list: readonly T[], from: number, delta: number): T[] {
  const to = from + delta;
  if (to < 0 || to >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

export interface DraftError {
  param: string;
  message: string;
}

/** The server's rule for stage, gate and question ids. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KIND_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function gateBody(g: GateRow, at: string, errors: DraftError[]): GateBody | null {
  const name = g.name.trim() || undefined;
  const described = g.description.trim() ? { description: g.description.trim() } : {};
  if (g.type === 'evidence') {
    const requires = g.requires
      .split(/[,\s]+/)
      .map((k) => k.trim())
      .filter(Boolean);
    if (!requires.length) {
      errors.push({ param: `${at}.requires`, message: 'an evidence gate names at least one kind of evidence it requires' });
      return null;
    }
    const bad = requires.find((k) => !KIND_RE.test(k));
    if (bad) {
      errors.push({ param: `${at}.requires`, message: `an evidence kind is 1–64 of a-z 0-9 . _ -, got ${JSON.stringify(bad)}` });
      return null;
    }
    return { id: g.id.trim(), type: 'evidence', ...(name ? { name } : {}), ...described, requires };
  }
  const n = Number(g.required_approvals);
  if (!/^\d+$/.test(g.required_approvals.trim()) || n < 1 || n > 10) {
    errors.push({ param: `${at}.required_approvals`, message: `required approvals must be a whole number from 1 to 10, got ${JSON.stringify(g.required_approvals)}` });
    return null;
  }
  if (g.type === 'approval') return { id: g.id.trim(), type: 'approval', ...(name ? { name } : {}), ...described, required_approvals: n };
  if (!g.questions.length) {
    errors.push({ param: `${at}.questions`, message: 'a checklist has at least one question' });
    return null;
  }
  const seen = new Set<string>();
  const questions = g.questions.map((q, i) => {
    const id = q.id.trim();
    if (!ID_RE.test(id)) errors.push({ param: `${at}.questions[${i}].id`, message: `a question id is 1–64 letters, digits, . _ or -, starting with a letter or digit, got ${JSON.stringify(q.id)}` });
    else if (seen.has(id)) errors.push({ param: `${at}.questions[${i}].id`, message: `question id ${id} is used twice in this checklist` });
    seen.add(id);
    if (!q.text.trim()) errors.push({ param: `${at}.questions[${i}].text`, message: 'a question needs its text' });
    return { id, text: q.text.trim(), required: q.required };
  });
  return { id: g.id.trim(), type: 'checklist', ...(name ? { name } : {}), ...described, required_approvals: n, questions };
}

/** The rows → the API's stages, or every problem found, each with its `param` path. */
export function toStages(rows: readonly StageRow[]): { stages: StageBody[]; errors: DraftError[] } {
  const errors: DraftError[] = [];
  const ids = new Map<string, string>();
  const claim = (id: string, param: string) => {
    if (!ID_RE.test(id)) errors.push({ param, message: `an id is 1–64 letters, digits, . _ or -, starting with a letter or digit, got ${JSON.stringify(id)}` });
    else if (ids.has(id)) errors.push({ param, message: `id ${id} is already used by ${ids.get(id)}; stage and gate ids are unique within a policy` });
    else ids.set(id, param);
  };
  if (!rows.length) errors.push({ param: 'stages', message: 'a policy has at least one stage' });
  const stages: StageBody[] = [];
  rows.forEach((s, si) => {
    const at = `stages[${si}]`;
    claim(s.id.trim(), `${at}.id`);
    if (!s.name.trim()) errors.push({ param: `${at}.name`, message: 'a stage needs a name' });
    if (!s.gates.length) errors.push({ param: `${at}.gates`, message: 'a stage has at least one gate' });
    const gates: GateBody[] = [];
    s.gates.forEach((g, gi) => {
      claim(g.id.trim(), `${at}.gates[${gi}].id`);
      const body = gateBody(g, `${at}.gates[${gi}]`, errors);
      if (body) gates.push(body);
    });
    stages.push({ id: s.id.trim(), name: s.name.trim(), gates });
  });
  return { stages, errors };
}

/** A short description of a gate for lists ("2 approvals", "checklist of 3", "evidence: sast"). */
export function gateSummary(g: GateBody): string {
  if (g.type === 'evidence') return `evidence: ${g.requires.join(', ')}`;
  const n = g.required_approvals ?? 1;
  const approvals = `${n} approval${n === 1 ? '' : 's'}`;
  return g.type === 'checklist' ? `checklist of ${g.questions.length}, ${approvals}` : approvals;
}
