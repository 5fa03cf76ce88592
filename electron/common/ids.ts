/** Prefixed, time-ordered ids (`agt_…`, `act_…`) and secrets (`wk_agent_…`). */
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';

export type IdPrefix =
  | 'agt' | 'key' | 'opr' | 'aud' | 'grd' | 'tpl' | 'rpo' | 'act' | 'apr' | 'gnt' | 'bud' | 'rcp' | 'spd' | 'rsv' | 'tool' | 'gpol' | 'sol' | 'gsub';

export interface Ids {
  next(prefix: IdPrefix): string;
}

/** Random bytes drawn from the CSPRNG a page at a time: one call per 455 ids, not one each. */
const POOL_BYTES = 4096;
const ID_RANDOM_BYTES = 9;
/** 12 characters of 6 bits: the 9 random bytes. */
const RANDOM_CHARS = 12;
/** The base64url characters in ASCII order, so a larger number is a later string. */
const SORTED_ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function fillRandomDigits(digits: Uint8Array): void {
  if (offset + ID_RANDOM_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  for (let i = 0; i < RANDOM_CHARS; i += 4, offset += 3) {
    const b = (pool[offset]! << 16) | (pool[offset + 1]! << 8) | pool[offset + 2]!;
    digits[i] = b >>> 18;
    digits[i + 1] = (b >>> 12) & 63;
    digits[i + 2] = (b >>> 6) & 63;
    digits[i + 3] = b & 63;
  }
}

/** Adds one to the digits; false when they were all at the top. */
function increment(digits: Uint8Array): boolean {
  for (let i = RANDOM_CHARS - 1; i >= 0; i--) {
    if (digits[i]! < 63) {
      digits[i]!++;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

/**
 * Ids sort by creation: 9 base36 chars of milliseconds, then 12 chars of randomness. The time
 * part never goes back (max of the last one and the clock, so a backward clock step keeps the
 * last time until the clock catches up); ids made within one time part count up from a random
 * start, so they sort in creation order too.
 */
export function clockIds(clock: Pick<Clock, 'now'>): Ids {
  let lastTime = -1;
  const digits = new Uint8Array(RANDOM_CHARS);
  return {
    next(prefix) {
      const now = clock.now();
      if (now > lastTime || !increment(digits)) {
        // A new millisecond (or a full one: borrow the next): a fresh random start.
        lastTime = now > lastTime ? now : lastTime + 1;
        fillRandomDigits(digits);
      }
      let random = '';
      for (let i = 0; i < RANDOM_CHARS; i++) random += SORTED_ALPHABET[digits[i]!];
      return `${prefix}_${lastTime.toString(36).padStart(9, '0')}${random}`;
    },
  };
}

export const randomIds: Ids = clockIds(systemClock);

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
