/**
 * Time as a dependency. Services read `now()` and schedule with `setTimer`, never `Date.now()` or
 * `setTimeout` directly, so tests can freeze and advance time (see `ManualClock`).
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // Node timers overflow past 2^31-1 ms (~24.8 days); re-arm in steps for longer waits.
    const MAX = 2_147_483_647;
    let handle: NodeJS.Timeout;
    const arm = (left: number, deadline: number) => {
      handle = setTimeout(() => {
        const rest = deadline - Date.now();
        if (rest > 0) arm(rest, deadline);
        else fn();
      }, Math.min(Math.max(left, 0), MAX));
      handle.unref?.();
    };
    arm(ms, Date.now() + ms);
    return () => clearTimeout(handle);
  },
};

/** A clock that only moves when told to; timers fire inside `advance`. For tests. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(private current: number = Date.parse('2026-01-05T12:00:00Z')) {}

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  set(iso: string): void {
    this.advance(Date.parse(iso) - this.current);
  }
}

export const toIso = (ms: number): string => new Date(ms).toISOString();
