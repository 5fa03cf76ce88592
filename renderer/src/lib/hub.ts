/** Fan-out of live events to whichever page is listening (the stores get them first). */
import { useEffect, useRef } from 'react';
import type { WardenEvent } from '../../../shared/events.js';

type Listener = (event: WardenEvent) => void;
const listeners = new Set<Listener>();

export function emitLive(event: WardenEvent): void {
  for (const l of [...listeners]) {
    try {
      l(event);
    } catch {
      /* one page's handler must not break another's */
    }
  }
}

export function useLiveEvents(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
}
