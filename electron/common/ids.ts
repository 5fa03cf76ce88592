/** Prefixed, time-ordered ids (`agt_…`, `act_…`) and secrets (`wk_agent_…`). */
import { createHash, randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'agt' | 'key' | 'opr' | 'aud' | 'grd' | 'tpl' | 'rpo' | 'act' | 'apr' | 'gnt' | 'bud' | 'rcp' | 'spd' | 'rsv' | 'tool';

export interface Ids {
  next(prefix: IdPrefix): string;
}

/** Ids sort by creation time: 9 base36 chars of milliseconds, then 12 random base64url chars. */
export const randomIds: Ids = {
  next(prefix) {
    const time = Date.now().toString(36).padStart(9, '0');
    return `${prefix}_${time}${randomBytes(9).toString('base64url')}`;
  },
};

/** Deterministic ids for tests: `agt_000001`, `agt_000002`, … */
export function sequentialIds(): Ids {
  let n = 0;
  return { next: (prefix) => `${prefix}_${String(++n).padStart(6, '0')}` };
}

export function newSecret(kind: 'agent' | 'op'): string {
  return `wk_${kind}_${randomBytes(24).toString('base64url')}`;
}

/** Keys are high-entropy random strings, so one SHA-256 is a sound stored form. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
