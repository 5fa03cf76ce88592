/** Prefixed, time-ordered ids (`agt_…`, `act_…`) and secrets (`wk_agent_…`). */
import { createHash, randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'agt' | 'key' | 'opr' | 'aud' | 'grd' | 'tpl' | 'rpo' | 'act' | 'apr' | 'gnt' | 'bud' | 'rcp' | 'spd' | 'rsv' | 'tool';

export interface Ids {
  next(prefix: IdPrefix): string;
}

/** Random bytes drawn from the CSPRNG a page at a time: one call per 455 ids, not one each. */
const POOL_BYTES = 4096;
const ID_RANDOM_BYTES = 9;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function idRandom(): string {
  if (offset + ID_RANDOM_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = pool.toString('base64url', offset, offset + ID_RANDOM_BYTES);
  offset += ID_RANDOM_BYTES;
  return out;
}

/** Ids sort by creation time: 9 base36 chars of milliseconds, then 12 random base64url chars. */
export const randomIds: Ids = {
  next(prefix) {
    const time = Date.now().toString(36).padStart(9, '0');
    return `${prefix}_${time}${idRandom()}`;
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
