/**
 * Time as a dependency. Services read `now()` and schedule with `setTimer`, never `Date.now()` or
 * `setTimeout` directly, so tests can freeze, advance and step time (see `ManualClock`).
 *
 * Two clocks: `now()` is the wall clock (what is stored and shown; the operator or NTP may step
 * it), `monotonic()` only ever moves forward at the pace of real time. Durations — timers,
 * long-poll timeouts — are measured on the monotonic one, so a clock step neither stretches nor
 * cuts them; deadlines stored as times (`expires_at`) are compared with `now()` where they are read.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number;
  /** Milliseconds on a clock that never steps (its origin means nothing). */
  monotonic(): number;
  /** Calls `fn` once `ms` have passed on the monotonic clock; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The system's clocks; the readings are injectable so tests can step the wall clock. */
export function createSystemClock(readings: { wall?: () => number; monotonic?: () => number } = {}): Clock {
  const wall = readings.wall ?? (() => Date.now());
  const mono = readings.monotonic ?? (() => performance.now());
  return {
    now: wall,
    monotonic: mono,
    setTimer(ms, fn) {
      // Node timers overflow past 2^31-1 ms (~24.8 days); re-arm in steps for longer waits.
      const MAX = 2_147_483_647;
      let handle: NodeJS.Timeout;
      const arm = (left: number, deadline: number) => {
        handle = setTimeout(() => {
          const rest = deadline - mono();
          if (rest > 0) arm(rest, deadline);
          else fn();
        }, Math.min(Math.max(left, 0), MAX));
        handle.unref?.();
      };
      arm(ms, mono() + ms);
      return () => clearTimeout(handle);
    },
  };
}

export const systemClock: Clock = createSystemClock();

/**
 * A clock that only moves when told to; timers fire inside `advance`. For tests. `advance` moves
 * both clocks (time passes); `step` moves the wall clock alone, as an operator or NTP would.
 */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  private mono = 0;
  constructor(private current: number = Date.parse('2026-01-05T12:00:00Z')) {}

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.mono + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Lets `ms` of time pass, firing due timers in order. A negative amount is a backward step. */
  advance(ms: number): void {
    if (ms < 0) return this.step(ms);
    const target = this.mono + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      if (due.at > this.mono) {
        this.current += due.at - this.mono;
        this.mono = due.at;
      }
      due.fn();
    }
    this.current += target - this.mono;
    this.mono = target;
  }

  /** Steps the wall clock by `ms` (either way) while no time passes: no timer fires. */
  step(ms: number): void {
    this.current += ms;
  }

  set(iso: string): void {
    this.advance(Date.parse(iso) - this.current);
  }
}

export const toIso = (ms: number): string => new Date(ms).toISOString();
