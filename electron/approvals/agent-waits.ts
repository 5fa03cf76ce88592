/**
 * How long each agent says it will keep waiting on its pending request (the agent's own wait,
 * not the request's TTL). Declared with each long-poll (`will_wait_s`, or the poll's own
 * timeout), dropped when the request resolves or the waiting client goes away. In memory: a
 * restart drops every connection, and a client that polls again declares its wait again.
 */
import { toIso, type Clock } from '../common/clock.js';

/** A re-declared deadline closer than this to the known one is the same wait (no event). */
const SAME_WAIT_MS = 2_000;

export class AgentWaits {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /**
   * The agent waiting on `id` says it waits `seconds` more from now. True when that changed
   * what is known (a first declaration, or a deadline moved by more than SAME_WAIT_MS).
   */
  declare(id: string, seconds: number): boolean {
    const at = this.clock.now() + seconds * 1000;
    const known = this.until.get(id);
    this.until.set(id, at);
    return known === undefined || known <= this.clock.now() || Math.abs(known - at) > SAME_WAIT_MS;
  }

  /** The agent stopped waiting (its client went away, or the request resolved). True when one was known. */
  clear(id: string): boolean {
    return this.until.delete(id);
  }

  /**
   * When the agent stops waiting on `id`, or null when it is not waiting now. Never after the
   * request's own `expiresAt`: it expires then, whatever the agent said.
   */
  waitingUntil(id: string, expiresAt: string): string | null {
    const at = this.until.get(id);
    if (at === undefined) return null;
    if (at <= this.clock.now()) {
      this.until.delete(id);
      return null;
    }
    const until = toIso(at);
    return until > expiresAt ? expiresAt : until;
  }
}
