/**
 * The TTL reaper of approval requests: one timer, armed for the earliest pending deadline on the
 * injected clock. It fires exactly at that deadline, expires what is due (through the service)
 * and re-arms for the next one.
 */
import { toIso, type Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';

export class ExpiryReaper {
  private cancelTimer: (() => void) | null = null;
  private armedFor: string | null = null;
  private stopped = false;
  private readonly earliest;

  constructor(
    db: Db,
    private readonly clock: Clock,
    /** Expires every pending request whose deadline has come. */
    private readonly expireDue: () => void,
  ) {
    this.earliest = db.prepare<[], { at: string | null }>(
      `SELECT MIN(expires_at) AS at FROM approvals INDEXED BY approvals_pending_expiry WHERE status = 'pending'`,
    );
  }

  /** Arms the timer for the earliest pending deadline (none: disarmed). */
  arm(): void {
    if (this.stopped) return;
    const next = this.earliest.get()?.at ?? null;
    if (next === this.armedFor && this.cancelTimer) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedFor = next;
    if (next === null) return;
    this.cancelTimer = this.clock.setTimer(Math.max(0, Date.parse(next) - this.clock.now()), () => {
      this.cancelTimer = null;
      this.armedFor = null;
      try {
        this.expireDue();
      } finally {
        this.arm();
      }
    });
  }

  /** A new request expiring at `expiresAt`: re-armed only when it comes before the armed deadline. */
  armFor(expiresAt: string): void {
    if (this.armedFor === null || expiresAt < this.armedFor) this.arm();
  }

  /**
   * Something pending has lapsed by the wall clock. The timer runs on the monotonic clock, so
   * after a forward step of the wall clock it fires late; one string comparison tells.
   */
  lapsed(): boolean {
    return this.armedFor !== null && this.armedFor <= toIso(this.clock.now());
  }

  /** The deadline the reaper is armed for (tests, diagnostics). */
  get deadline(): string | null {
    return this.cancelTimer ? this.armedFor : null;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }
}
