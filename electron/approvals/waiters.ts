/**
 * In-process wake-ups for long-polls: a waiter registers on an approval id and is woken the
 * moment that approval leaves `pending` (a decision or the reaper), or when its own timeout
 * passes on the injected clock, or when its client goes away. Nothing polls.
 */
import type { Clock } from '../common/clock.js';

export type WaitEnd = 'woken' | 'timeout' | 'cancelled';

export interface Waiter<T> {
  /** How the wait ended and, when woken, the value `wake` handed over (computed once for all). */
  readonly done: Promise<{ end: WaitEnd; value?: T }>;
  /** Frees the waiter (its client disconnected); resolves `done` with `cancelled`. */
  cancel(): void;
}

export class Waiters<T> {
  private readonly byId = new Map<string, Set<(end: WaitEnd, value?: T) => void>>();
  private total = 0;

  constructor(private readonly clock: Clock) {}

  /** Waits for `wake(id)` for at most `timeoutMs`. */
  wait(id: string, timeoutMs: number): Waiter<T> {
    let settle!: (end: WaitEnd, value?: T) => void;
    const done = new Promise<{ end: WaitEnd; value?: T }>((resolve) => {
      let finished = false;
      settle = (end, value) => {
        if (finished) return;
        finished = true;
        cancelTimer();
        const set = this.byId.get(id);
        if (set?.delete(settle)) {
          this.total--;
          if (set.size === 0) this.byId.delete(id);
        }
        resolve(value === undefined ? { end } : { end, value });
      };
      let set = this.byId.get(id);
      if (!set) this.byId.set(id, (set = new Set()));
      set.add(settle);
      this.total++;
      // Declared after `settle`, which only runs later (a timer, a wake-up or a cancel).
      const cancelTimer = this.clock.setTimer(timeoutMs, () => settle('timeout'));
    });
    return { done, cancel: () => settle('cancelled') };
  }

  /** Wakes every waiter of `id`, handing each the same `value`. */
  wake(id: string, value?: T): void {
    const set = this.byId.get(id);
    if (!set) return;
    for (const settle of [...set]) settle('woken', value);
  }

  /** Wakes everyone (shutdown: in-flight long-polls answer with the current state). */
  wakeAll(): void {
    for (const id of [...this.byId.keys()]) this.wake(id);
  }

  /** Waiters currently registered (all approvals). */
  get size(): number {
    return this.total;
  }
}

/** Ties a waiter to an HTTP response: a client that disconnects frees its waiter at once. */
export function freeOnClose<T>(waiter: Waiter<T>, res: NodeJS.EventEmitter & { writableEnded: boolean }): void {
  const onClose = () => {
    if (!res.writableEnded) waiter.cancel();
  };
  res.once('close', onClose);
  void waiter.done.then(() => res.removeListener('close', onClose));
}
