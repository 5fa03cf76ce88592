/**
 * The budget ledger's arithmetic, apart from its SQL (the modules listed in ledger.ts): amounts
 * in integer micro-USD, the 80 % warning and the cap, when crossings fire and re-arm, what a
 * resume with grace raises the cap to, and when a paused budget wakes. Pure functions of a row's
 * numbers.
 */
import { MICRO_PER_CENT } from '../../shared/api/budgets.js';

/** $1B: keeps every sum far below 2^53. */
export const MAX_MICRO = 1_000_000_000_000_000;

export type Mode = 'warn' | 'cap';

/** The numbers of a budget row that its crossings depend on. */
export interface CrossingState {
  mode: Mode;
  status: 'active' | 'paused';
  paused_reason: 'cap_hit' | 'manual' | null;
  /** 1 once the 80 % warning fired this period. */
  warned: number;
  /** 1 once the cap was reached this period. */
  cap_hit: number;
}

/** A limit in whole cents as micro-USD. */
export const limitMicroOf = (limitUsdCents: number): number => limitUsdCents * MICRO_PER_CENT;

/** ceil(80% of limit) in integers: L − floor(L/5). */
export const warnAt = (limitMicro: number): number => limitMicro - Math.floor(limitMicro / 5);

/** Whole cents of a micro-USD amount, rounded down. */
export const centsOf = (micro: number): number => Math.floor(micro / MICRO_PER_CENT);

/** True when `value` is an integer number of micro-USD the ledger accepts (0 to MAX_MICRO). */
export function isMicro(value: unknown): value is number {
  // Stryker disable next-line ConditionalExpression: Number.isSafeInteger is already false for anything but a number
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_MICRO;
}

/** True when `cents` is a limit a budget may have: a positive integer within MAX_MICRO. */
export function isLimitCents(cents: number): boolean {
  return Number.isSafeInteger(cents) && cents > 0 && limitMicroOf(cents) <= MAX_MICRO;
}

/**
 * The warning and cap flags after the limit changes to `limitMicro`: a crossing re-arms (0)
 * when spend is back under it, and stays as it was otherwise.
 */
export function rearmedFlags(flags: Pick<CrossingState, 'warned' | 'cap_hit'>, spent: number, limitMicro: number): { warned: number; cap_hit: number } {
  return {
    warned: spent >= warnAt(limitMicro) ? flags.warned : 0,
    cap_hit: spent >= limitMicro ? flags.cap_hit : 0,
  };
}

/**
 * Which crossings fire at `spent`: the warning and the cap once per period (while their flag is
 * down), the cap-mode pause whenever an active cap-mode budget is at or over its limit.
 */
export function crossingsAt(b: CrossingState, spent: number, limitMicro: number): { warn: boolean; capHit: boolean; pause: boolean } {
  return {
    warn: !b.warned && spent >= warnAt(limitMicro),
    capHit: !b.cap_hit && spent >= limitMicro,
    pause: b.mode === 'cap' && b.status === 'active' && spent >= limitMicro,
  };
}

/**
 * The limit in cents after a resume: unchanged without grace; with grace, spend (rounded up to
 * whole cents) plus the grace, never below the current limit.
 */
export function resumeLimitCents(limitUsdCents: number, spent: number, graceUsdCents: number | undefined): number {
  if (graceUsdCents === undefined) return limitUsdCents;
  return Math.max(limitUsdCents, Math.ceil(spent / MICRO_PER_CENT) + graceUsdCents);
}

/** True when a resumed budget will pause again on its next spend (cap mode, at or over its limit). */
export const willRepause = (mode: Mode, spent: number, limitMicro: number): boolean => mode === 'cap' && spent >= limitMicro;

/**
 * True when setting a new limit lifts a pause: spend is under the new limit, and either the cap
 * paused it or the limit was actually raised (a manual pause stays through a mode or period change).
 */
export function unpausesOnSet(before: Pick<CrossingState, 'status' | 'paused_reason'> & { limit_usd_cents: number }, spent: number, newLimitCents: number): boolean {
  return before.status === 'paused' && spent < limitMicroOf(newLimitCents) && (before.paused_reason === 'cap_hit' || newLimitCents > before.limit_usd_cents);
}

/** True when a new period wakes the budget: its cap paused it (a manual pause is the operator's). */
export const wakesOnRoll = (b: Pick<CrossingState, 'status' | 'paused_reason'>): boolean => b.status === 'paused' && b.paused_reason === 'cap_hit';

/** True when the period ending at `periodEndMs` (null: open-ended) is over at `now`. */
export const periodOver = (periodEndMs: number | null, now: number): boolean => periodEndMs !== null && now >= periodEndMs;
