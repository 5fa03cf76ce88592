/**
 * The audit hash chain's one recipe: what a row's hash covers. The writer (AuditService) and the
 * verifier (a worker thread) both use `chainText`; the worker receives its source text, so the
 * function refers to nothing outside its parameters.
 */
export const GENESIS = '0'.repeat(64);

export interface ChainRow {
  seq: number;
  id: string;
  at: string;
  event_type: string;
  actor: string;
  agent_id: string | null;
  subject_id: string | null;
  data: string;
}

/** The text hashed (SHA-256, hex) into a row's `hash`, given the previous row's hash. */
export function chainText(prev: string, r: ChainRow): string {
  return [prev, r.seq, r.id, r.at, r.event_type, r.actor, r.agent_id ?? '', r.subject_id ?? '', r.data].join('\u001f');
}

export interface VerifyResult {
  ok: boolean;
  /** Rows in the chain as far as it was checked (all of them when ok). */
  rows: number;
  first_bad_id: string | null;
}
