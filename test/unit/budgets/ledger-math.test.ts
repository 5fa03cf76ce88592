/**
 * The budget ledger's arithmetic (electron/budgets/ledger-math.ts): amounts, the 80 % warning,
 * the cap, re-arming, grace and waking, at and around every boundary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  centsOf,
  crossingsAt,
  isLimitCents,
  isMicro,
  limitMicroOf,
  MAX_MICRO,
  periodOver,
  rearmedFlags,
  resumeLimitCents,
  unpausesOnSet,
  wakesOnRoll,
  warnAt,
  willRepause,
  type CrossingState,
} from '../../../electron/budgets/ledger-math.js';

const state = (over: Partial<CrossingState> = {}): CrossingState => ({ mode: 'cap', status: 'active', paused_reason: null, warned: 0, cap_hit: 0, ...over });

describe('amounts', () => {
  it('a cent is 10,000 micro-USD, and cents round down', () => {
    expect(limitMicroOf(1)).toBe(10_000);
    expect(limitMicroOf(250)).toBe(2_500_000);
    expect(centsOf(9_999)).toBe(0);
    expect(centsOf(10_000)).toBe(1);
    expect(centsOf(29_999)).toBe(2);
  });

  it('an amount is a safe integer from 0 to MAX_MICRO', () => {
    expect(isMicro(0)).toBe(true);
    expect(isMicro(MAX_MICRO)).toBe(true);
    expect(isMicro(MAX_MICRO + 1)).toBe(false);
    expect(isMicro(-1)).toBe(false);
    expect(isMicro(1.5)).toBe(false);
    expect(isMicro(Number.NaN)).toBe(false);
    expect(isMicro('5')).toBe(false);
    expect(isMicro(undefined)).toBe(false);
    expect(MAX_MICRO).toBe(1e18 / 1000);
  });

  it('a limit is a positive whole number of cents whose micro-USD fit MAX_MICRO', () => {
    expect(isLimitCents(1)).toBe(true);
    expect(isLimitCents(0)).toBe(false);
    expect(isLimitCents(-5)).toBe(false);
    expect(isLimitCents(2.5)).toBe(false);
    expect(isLimitCents(MAX_MICRO / 10_000)).toBe(true);
    expect(isLimitCents(MAX_MICRO / 10_000 + 1)).toBe(false);
  });
});

describe('the 80 % warning threshold', () => {
  it('is 80 % of the limit, rounded up to a whole micro-USD', () => {
    expect(warnAt(100)).toBe(80);
    expect(warnAt(10)).toBe(8);
    expect(warnAt(11)).toBe(9); // 8.8 → 9
    expect(warnAt(4)).toBe(4); // 3.2 → 4
    expect(warnAt(0)).toBe(0);
  });

  it('is the least amount at or above 80 % of the limit, for any limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), (limit) => {
        const w = warnAt(limit);
        expect(w * 5 >= limit * 4).toBe(true);
        expect((w - 1) * 5 < limit * 4).toBe(true);
      }),
    );
  });
});

describe('crossings', () => {
  it('the warning fires at 80 % once per period, the cap at 100 % once', () => {
    expect(crossingsAt(state(), 79, 100)).toEqual({ warn: false, capHit: false, pause: false });
    expect(crossingsAt(state(), 80, 100)).toEqual({ warn: true, capHit: false, pause: false });
    expect(crossingsAt(state({ warned: 1 }), 90, 100)).toEqual({ warn: false, capHit: false, pause: false });
    expect(crossingsAt(state({ warned: 1 }), 99, 100).capHit).toBe(false);
    expect(crossingsAt(state({ warned: 1 }), 100, 100)).toEqual({ warn: false, capHit: true, pause: true });
    expect(crossingsAt(state({ warned: 1, cap_hit: 1 }), 150, 100).capHit).toBe(false);
  });

  it('a jump past both fires both', () => {
    expect(crossingsAt(state({ mode: 'warn' }), 500, 100)).toEqual({ warn: true, capHit: true, pause: false });
  });

  it('the pause fires whenever an active cap-mode budget is at or over its limit, flags or not', () => {
    expect(crossingsAt(state({ warned: 1, cap_hit: 1 }), 100, 100).pause).toBe(true);
    expect(crossingsAt(state({ warned: 1, cap_hit: 1 }), 99, 100).pause).toBe(false);
    expect(crossingsAt(state({ mode: 'warn' }), 100, 100).pause).toBe(false);
    expect(crossingsAt(state({ status: 'paused', paused_reason: 'manual' }), 100, 100).pause).toBe(false);
  });
});

describe('re-arming when the limit changes', () => {
  it('a crossing re-arms when spend is back under it, and is kept when it is not', () => {
    const fired = { warned: 1, cap_hit: 1 };
    expect(rearmedFlags(fired, 100, 1000)).toEqual({ warned: 0, cap_hit: 0 });
    expect(rearmedFlags(fired, 800, 1000)).toEqual({ warned: 1, cap_hit: 0 });
    expect(rearmedFlags(fired, 799, 1000)).toEqual({ warned: 0, cap_hit: 0 });
    expect(rearmedFlags(fired, 1000, 1000)).toEqual({ warned: 1, cap_hit: 1 });
  });

  it('a flag that never fired stays down', () => {
    expect(rearmedFlags({ warned: 0, cap_hit: 0 }, 2000, 1000)).toEqual({ warned: 0, cap_hit: 0 });
  });
});

describe('resume', () => {
  it('without grace keeps the limit; with grace raises it to spend (rounded up to cents) plus grace', () => {
    expect(resumeLimitCents(100, 1_000_000, undefined)).toBe(100);
    expect(resumeLimitCents(100, 1_000_000, 50)).toBe(150);
    expect(resumeLimitCents(100, 1_000_001, 50)).toBe(151);
    expect(resumeLimitCents(100, 999_999, 50)).toBe(150);
  });

  it('grace never lowers the limit', () => {
    expect(resumeLimitCents(500, 1_000_000, 50)).toBe(500);
  });

  it('a resumed cap-mode budget at or over its limit will pause again; under it or in warn mode not', () => {
    expect(willRepause('cap', 100, 100)).toBe(true);
    expect(willRepause('cap', 99, 100)).toBe(false);
    expect(willRepause('warn', 500, 100)).toBe(false);
  });
});

describe('lifting a pause by setting the limit', () => {
  const capPaused = { status: 'paused' as const, paused_reason: 'cap_hit' as const, limit_usd_cents: 100 };
  const manual = { status: 'paused' as const, paused_reason: 'manual' as const, limit_usd_cents: 100 };

  it('a cap pause lifts when spend is under the new limit, even one not raised', () => {
    expect(unpausesOnSet(capPaused, 1_000_000, 101)).toBe(true);
    expect(unpausesOnSet(capPaused, 500_000, 100)).toBe(true);
    expect(unpausesOnSet(capPaused, 1_000_000, 100)).toBe(false);
    expect(unpausesOnSet(capPaused, 999_999, 100)).toBe(true);
  });

  it('a manual pause lifts only when the cap is actually raised above spend', () => {
    expect(unpausesOnSet(manual, 500_000, 100)).toBe(false);
    expect(unpausesOnSet(manual, 500_000, 101)).toBe(true);
    expect(unpausesOnSet(manual, 2_000_000, 150)).toBe(false);
  });

  it('an active budget has no pause to lift', () => {
    expect(unpausesOnSet({ status: 'active', paused_reason: null, limit_usd_cents: 100 }, 0, 500)).toBe(false);
  });
});

describe('periods', () => {
  it('a new period wakes a budget its cap paused, never one paused by hand', () => {
    expect(wakesOnRoll({ status: 'paused', paused_reason: 'cap_hit' })).toBe(true);
    expect(wakesOnRoll({ status: 'paused', paused_reason: 'manual' })).toBe(false);
    expect(wakesOnRoll({ status: 'active', paused_reason: null })).toBe(false);
    expect(wakesOnRoll({ status: 'active', paused_reason: 'cap_hit' })).toBe(false);
  });

  it('a period is over from its end on; an open-ended one never', () => {
    expect(periodOver(1000, 999)).toBe(false);
    expect(periodOver(1000, 1000)).toBe(true);
    expect(periodOver(1000, 1001)).toBe(true);
    expect(periodOver(null, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
