/** The in-process event bus: services publish, the SSE route and the desktop notifier listen. */
import type { EventType, WardenEvent } from '../../shared/events.js';
import { toIso, type Clock } from '../common/clock.js';

type Listener = (event: WardenEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  constructor(private readonly clock: Clock) {}

  publish<T extends EventType>(type: T, data: Record<string, unknown>): void {
    const event: WardenEvent<T> = { type, at: toIso(this.clock.now()), data };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken listener (a closed socket, a failing notification) must not stop the others
        // or the write that published the event.
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
