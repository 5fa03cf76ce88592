/**
 * Which allowed actions their agent has already read. An undo withdraws an allowed action only
 * while its agent has not picked the answer up: once it has, the agent may be running it.
 *
 * Kept in memory: an undo is possible for 10 s after a decision, and nothing decided before
 * this server started can be undone (whether it was picked up is not known).
 */
import type { Clock } from '../common/clock.js';

const KEEP_MS = 60_000;

export class Pickups {
  private readonly at = new Map<string, number>();
  /** Epoch ms at which this server started tracking pickups. */
  readonly since: number;

  constructor(private readonly clock: Clock) {
    this.since = clock.now();
  }

  /** The agent (or the client that submitted the action) has read the action's answer. */
  mark(actionId: string): void {
    const now = this.clock.now();
    if (this.at.size > 10_000) for (const [id, t] of this.at) if (now - t > KEEP_MS) this.at.delete(id);
    if (!this.at.has(actionId)) this.at.set(actionId, now);
  }

  pickedUp(actionId: string): boolean {
    return this.at.has(actionId);
  }
}
