/**
 * Calendar periods of a budget (day, week, month) in the operator's IANA time zone. All zone
 * arithmetic is delegated to date-fns + @date-fns/tz (TZDate), which handles DST transitions and
 * non-hour offsets; nothing here adds or subtracts offsets by hand.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, startOfDay, startOfMonth, startOfWeek } from 'date-fns';

export type PeriodKind = 'none' | 'day' | 'week' | 'month';

/** The system's resolved IANA zone (e.g. `Europe/Paris`), the default for period boundaries. */
export function systemTimeZone(): string {
  // Stryker disable next-line StringLiteral,LogicalOperator: Node always resolves a zone name; the fallback is for runtimes that do not
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Throws when `zone` is not an IANA zone this runtime knows. */
export function assertTimeZone(zone: string): void {
  // Intl throws a RangeError for unknown zones; TZDate would silently produce NaN.
  new Intl.DateTimeFormat('en-US', { timeZone: zone });
}

/**
 * The period containing `nowMs`: `[start, end)` in epoch ms. Weeks start on Monday (ISO 8601).
 * For `none` the period is open-ended from `originMs` (the budget's creation) and `end` is null.
 */
export function periodAt(kind: PeriodKind, nowMs: number, zone: string, originMs: number): { start: number; end: number | null } {
  const now = new TZDate(nowMs, zone);
  switch (kind) {
    case 'none':
      return { start: originMs, end: null };
    case 'day': {
      const start = startOfDay(now);
      return { start: start.getTime(), end: addDays(start, 1).getTime() };
    }
    case 'week': {
      const start = startOfWeek(now, { weekStartsOn: 1 });
      return { start: start.getTime(), end: addWeeks(start, 1).getTime() };
    }
    case 'month': {
      const start = startOfMonth(now);
      return { start: start.getTime(), end: addMonths(start, 1).getTime() };
    }
    default:
      return assertNever(kind);
  }
}

/** `YYYY-MM-DD` of `ms` in `zone`. */
export function localDay(ms: number, zone: string): string {
  const d = new TZDate(ms, zone);
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}

function assertNever(x: never): never {
  throw new Error(`unexpected period ${String(x)}`);
}
