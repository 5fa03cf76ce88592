/** `GET /v1/events`: the event bus as Server-Sent Events, with heartbeats to keep proxies and idle sockets alive. */
import type { Api } from '../server/api.js';
import type { EventBus } from './bus.js';

/** Unsent bytes a stream may hold before its client counts as gone. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function eventRoutes(api: Api, bus: EventBus, heartbeatMs: number): void {
  // INVARIANT: every open stream is in `open` until it ends, so shutdown can end them all
  // (a stream never finishes on its own, and the server waits for in-flight responses).
  const open = new Set<() => void>();
  api.onClose(() => {
    for (const end of [...open]) end();
  });

  api.handle('events', ({ reply, request }) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n: connected\n\n`);
    const unsubscribe = bus.subscribe((event) => {
      // A client that stopped reading (a frozen tab) must not grow this process's memory without
      // bound: past the limit it is dropped, and EventSource-style clients reconnect and refetch.
      if (res.writableLength > MAX_BUFFERED_BYTES) return end();
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    heartbeat.unref();
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
    };
    const end = () => {
      close();
      res.end();
    };
    open.add(end);
    request.raw.on('close', close);
    res.on('error', close);
    return undefined;
  });
}
