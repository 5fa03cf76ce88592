/**
 * The operator event stream over fetch() instead of EventSource.
 *
 * `GET /v1/events` is an operator route and the server authenticates only by header
 * (Authorization / X-API-Key); EventSource cannot send headers, and a token in the URL would land
 * in logs and history. So the typed client opens the stream with its Authorization header
 * (`client.raw('events')`), `eventsource-parser` reads the frames from the body, and we reconnect with
 * capped exponential backoff (the server's `retry:` is the floor). `open` is reported as soon
 * as the response arrives — not at the first event — so the caller can refetch what it missed.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { WardenEvent } from '../../../shared/events.js';
import { EVENT_TYPES } from '../../../shared/vocabulary.js';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface StreamOptions {
  /** Opens the stream: resolves to the response (status already checked) or throws. */
  connect(signal: AbortSignal): Promise<Response>;
  onEvent(event: WardenEvent): void;
  /** Called on every (re)connection: the caller refetches state it may have missed. */
  onOpen?(): void;
  onState?(state: StreamState): void;
  /** Backoff bounds in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /**
   * The server sends a heartbeat every 15 s; a connection silent for this long is dead (laptop
   * slept, network changed) even if the socket never reported it, so we drop it and reconnect.
   */
  idleTimeoutMs?: number;
}

const KNOWN = new Set<string>(EVENT_TYPES);

/**
 * Turns the stream's text chunks into Warden events (SSE framing by `eventsource-parser`).
 * Frames of an unknown type, without data or with data that is not JSON are skipped; a `retry:`
 * field reports the server's reconnection floor.
 */
export function eventDecoder(onEvent: (event: WardenEvent) => void, onRetry: (ms: number) => void): EventSourceParser {
  return createParser({
    onRetry,
    onEvent(frame) {
      if (!frame.event || !KNOWN.has(frame.event) || !frame.data) return;
      let event: WardenEvent;
      try {
        event = JSON.parse(frame.data) as WardenEvent;
      } catch {
        return; // a malformed frame must not drop the stream
      }
      onEvent(event);
    },
  });
}

/** Opens the stream and keeps it open until the returned function is called. */
export function openEventStream(options: StreamOptions): () => void {
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const idleTimeout = options.idleTimeoutMs ?? 45_000;
  let floor = minDelay;
  let attempt = 0;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setState = (s: StreamState) => options.onState?.(s);

  const schedule = () => {
    if (stopped) return;
    setState('reconnecting');
    const base = Math.min(maxDelay, Math.max(floor, minDelay * 2 ** attempt));
    attempt++;
    // Jitter so that many windows do not reconnect in lockstep after a restart.
    timer = setTimeout(connect, base * (0.75 + Math.random() * 0.5));
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    controller = new AbortController();
    setState(attempt === 0 ? 'connecting' : 'reconnecting');
    let res: Response;
    try {
      res = await options.connect(controller.signal);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 401 || status === 403) {
        setState('unauthorized');
        return;
      }
      return schedule();
    }
    if (!res.body) return schedule();

    attempt = 0;
    setState('open');
    options.onOpen?.();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const decoder = eventDecoder(
      (event) => {
        try {
          options.onEvent(event);
        } catch {
          // A failing handler must not drop the stream.
        }
      },
      (ms) => {
        floor = ms;
      },
    );
    const connection = controller;
    let watchdog = setTimeout(() => connection.abort(), idleTimeout);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => connection.abort(), idleTimeout);
        decoder.feed(value);
      }
    } catch {
      /* aborted, silent for too long, or the connection broke: reconnect below */
    } finally {
      clearTimeout(watchdog);
    }
    schedule();
  }

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
    setState('closed');
  };
}
