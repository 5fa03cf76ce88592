/**
 * Calendar periods of a budget (electron/budgets/periods.ts) in the operator's zone: where a
 * day, an ISO week and a month start and end, across a DST change, and the local date.
 */
import { describe, expect, it } from 'vitest';
import { assertTimeZone, localDay, periodAt, systemTimeZone } from '../../../electron/budgets/periods.js';

const ms = (iso: string) => Date.parse(iso);
const span = (p: { start: number; end: number | null }) => [new Date(p.start).toISOString(), p.end === null ? null : new Date(p.end).toISOString()];

describe('periodAt', () => {
  it('none: open-ended from the origin', () => {
    expect(periodAt('none', ms('2026-03-10T12:00:00Z'), 'UTC', 123)).toEqual({ start: 123, end: null });
  });

  it('day: local midnight to local midnight', () => {
    expect(span(periodAt('day', ms('2026-03-10T12:00:00Z'), 'UTC', 0))).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']);
    expect(span(periodAt('day', ms('2026-03-10T23:30:00Z'), 'Europe/Paris', 0))).toEqual(['2026-03-10T23:00:00.000Z', '2026-03-11T23:00:00.000Z']);
  });

  it('a day across the spring DST change is 23 hours long', () => {
    const p = periodAt('day', ms('2026-03-29T10:00:00Z'), 'Europe/Paris', 0);
    expect(span(p)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('week: Monday to Monday (ISO), whichever day it is', () => {
    // 2026-03-11 is a Wednesday; 2026-03-15 a Sunday; 2026-03-16 a Monday.
    expect(span(periodAt('week', ms('2026-03-11T12:00:00Z'), 'UTC', 0))).toEqual(['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
    expect(span(periodAt('week', ms('2026-03-15T23:59:59Z'), 'UTC', 0))).toEqual(['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
    expect(span(periodAt('week', ms('2026-03-16T00:00:00Z'), 'UTC', 0))).toEqual(['2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z']);
  });

  it('month: the 1st to the 1st, in the zone', () => {
    expect(span(periodAt('month', ms('2026-02-15T12:00:00Z'), 'UTC', 0))).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    expect(span(periodAt('month', ms('2026-01-31T23:30:00Z'), 'Asia/Tokyo', 0))).toEqual(['2026-01-31T15:00:00.000Z', '2026-02-28T15:00:00.000Z']);
  });

  it('an unknown kind throws (fail closed)', () => {
    expect(() => periodAt('year' as 'day', 0, 'UTC', 0)).toThrow();
  });
});

describe('localDay', () => {
  it('the date in the zone, zero-padded', () => {
    expect(localDay(ms('2026-03-05T23:30:00Z'), 'UTC')).toBe('2026-03-05');
    expect(localDay(ms('2026-03-05T23:30:00Z'), 'Europe/Paris')).toBe('2026-03-06');
    expect(localDay(ms('2026-12-31T12:00:00Z'), 'UTC')).toBe('2026-12-31');
  });
});

describe('zones', () => {
  it('an unknown zone is refused; a known one is fine', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(() => assertTimeZone('Europe/Paris')).not.toThrow();
  });

  it('the system zone is a zone this runtime knows', () => {
    const zone = systemTimeZone();
    expect(zone.length).toBeGreaterThan(0);
    expect(() => assertTimeZone(zone)).not.toThrow();
  });
});
