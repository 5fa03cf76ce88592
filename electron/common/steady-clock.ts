/**
 * Wall-clock time that a forward step has to prove before it counts, for decisions that cannot
 * be taken back (a budget period rolling into the next one wakes a budget its cap paused).
 *
 * The wall clock is checked against the monotonic one. While the two move together (within a
 * tolerance of 5 s plus 0.1% of the time since they last agreed, room for NTP's slewing) the
 * wall clock is trusted as it is. When the wall clock runs ahead of what the monotonic clock
 * says has passed — a step forward — the time vouched for stays the monotonic projection until
 * the wall clock has kept that same lead for `settleMs` of real time (5 minutes by default): a
 * glitch that is corrected within that window never crosses a boundary, and a real change (the
 * clock was set right, or the machine woke from sleep, during which the monotonic clock stands
 * still) is accepted once it has held. A step backward is trusted at once: it only delays.
 */
import type { Clock } from './clock.js';

export const DEFAULT_SETTLE_MS = 5 * 60 * 1000;
const TOLERANCE_MS = 5_000;
const SLEW = 0.001;

export class SteadyWallClock {
  private anchor: { wall: number; mono: number };
  /** A forward lead seen and not yet accepted: its size and when it was first seen (monotonic). */
  private lead: { drift: number; since: number } | null = null;

  constructor(
    private readonly clock: Pick<Clock, 'now' | 'monotonic'>,
    private readonly settleMs = DEFAULT_SETTLE_MS,
  ) {
    this.anchor = { wall: clock.now(), mono: clock.monotonic() };
  }

  /** The wall-clock time (epoch ms) that has passed for good. */
  now(): number {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const elapsed = mono - this.anchor.mono;
    const projected = this.anchor.wall + elapsed;
    const drift = wall - projected;
    const tolerance = TOLERANCE_MS + elapsed * SLEW;
    if (drift <= tolerance) {
      this.anchor = { wall, mono };
      this.lead = null;
      return wall;
    }
    if (!this.lead || Math.abs(drift - this.lead.drift) > tolerance) this.lead = { drift, since: mono };
    if (mono - this.lead.since >= this.settleMs) {
      this.anchor = { wall, mono };
      this.lead = null;
      return wall;
    }
    return projected;
  }
}
