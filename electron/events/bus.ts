/** The in-process event bus: services publish, the SSE route and the desktop notifier listen. */
import type { ServerEvents, WardenEvent } from '../../shared/events.js';
import type { EventType } from '../../shared/vocabulary.js';
import { toIso, type Clock } from '../common/clock.js';

type Listener = (event: WardenEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  constructor(private readonly clock: Clock) {}

  publish<K extends EventType>(type: K, data: ServerEvents[K]): void {
    // The mapped union cannot follow a generic K: the signature above is what ties `data` to `type`.
    const event = { type, at: toIso(this.clock.now()), data } as WardenEvent;
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
