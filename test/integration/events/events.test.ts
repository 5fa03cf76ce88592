/** `GET /v1/events`: the in-process bus as Server-Sent Events, with heartbeats. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardenEvent } from '../../../shared/events.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import type { EventBus } from '../../../electron/events/bus.js';
import type { ServerEvents } from '../../../shared/events.js';
import type { EventType } from '../../../shared/vocabulary.js';

/** Publishes a stand-in payload: these tests are about the stream, not what an event carries. */
function publishStandIn<K extends EventType>(bus: EventBus, type: K, data: object): void {
  bus.publish(type, data as unknown as ServerEvents[K]);
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ heartbeatMs: 50 });
});
afterAll(async () => {
  await t.close();
});

interface SseStream {
  status: number;
  headers: Headers;
  /** Raw text received so far. */
  text(): string;
  /** Resolves when the received text satisfies `test`. */
  until(test: (text: string) => boolean, what: string): Promise<string>;
  close(): void;
}

async function subscribe(key = t.op): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${key}` }, signal: abort.signal });
  let received = '';
  const waiters = new Set<() => void>();
  if (res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += decoder.decode(value, { stream: true });
          for (const w of [...waiters]) w();
        }
      } catch {
        /* aborted */
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    text: () => received,
    until(test, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`)), 5_000);
        const check = () => {
          if (!test(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

/** The `event:`/`data:` frames in an SSE text. */
function frames(text: string): { event: string; data: WardenEvent }[] {
  return text
    .split('\n\n')
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      return event && data ? { event, data: JSON.parse(data) as WardenEvent } : null;
    })
    .filter((f): f is { event: string; data: WardenEvent } => f !== null);
}

describe('GET /v1/events', () => {
  it('streams text/event-stream and delivers a published event to every subscriber', async () => {
    const a = await subscribe();
    const b = await subscribe();
    try {
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(a.headers.get('cache-control')).toContain('no-cache');
      await a.until((x) => x.includes(': connected'), 'the greeting');
      await b.until((x) => x.includes(': connected'), 'the greeting');

      publishStandIn(t.app.bus, 'kill_switch.changed', { engaged: true, reason: 'test' });
      for (const s of [a, b]) {
        await s.until((x) => frames(x).length > 0, 'the event');
        expect(frames(s.text())).toEqual([
          { event: 'kill_switch.changed', data: { type: 'kill_switch.changed', at: expect.any(String), data: { engaged: true, reason: 'test' } } },
        ]);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('an approval requested by an agent reaches the stream with the approval', async () => {
    const s = await subscribe();
    try {
      await s.until((x) => x.includes(': connected'), 'the greeting');
      const agent = await t.agent('streamer');
      const action = await t.api(agent.key).answer('createAction', { body: { tool: 'deploy.prod' } });
      expect(action.body.decision).toBe('ALERT');
      await s.until((x) => frames(x).some((f) => f.event === 'approval.requested'), 'approval.requested');
      const f = frames(s.text()).find((x) => x.event === 'approval.requested')!;
      expect(f.data.data).toMatchObject({ id: action.body.approval_id, status: 'pending' });
    } finally {
      s.close();
    }
  });

  it('sends heartbeats at the configured interval while idle', async () => {
    const s = await subscribe();
    try {
      const text = await s.until((x) => (x.match(/^: heartbeat /gm) ?? []).length >= 3, 'three heartbeats');
      expect(text).toMatch(/^retry: \d+$/m);
      expect(frames(text)).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('a disconnected client is unsubscribed from the bus', async () => {
    const other = await startTestApp({ heartbeatMs: 50 });
    try {
      const baseline = other.app.bus.listenerCount;
      const abort = new AbortController();
      const res = await fetch(`${other.url}/v1/events`, { headers: { authorization: `Bearer ${other.op}` }, signal: abort.signal });
      await res.body!.getReader().read();
      expect(other.app.bus.listenerCount).toBe(baseline + 1);
      abort.abort();
      const deadline = Date.now() + 5_000;
      while (other.app.bus.listenerCount !== baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(other.app.bus.listenerCount).toBe(baseline);
      // Publishing after the disconnect is harmless.
      publishStandIn(other.app.bus, 'budget.warning', { scope: 'global' });
      expect((await other.raw('GET', '/v1/health')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('a client that stops reading is dropped once too much is buffered for it, and the server keeps serving', async () => {
    const other = await startTestApp({ heartbeatMs: 60_000 });
    try {
      const baseline = other.app.bus.listenerCount;
      const socket = connect(Number(new URL(other.url).port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(`GET /v1/events HTTP/1.1\r\nHost: ${new URL(other.url).host}\r\nAuthorization: Bearer ${other.op}\r\n\r\n`);
      await new Promise((r) => socket.once('data', r));
      socket.pause(); // a frozen tab: never reads again
      expect(other.app.bus.listenerCount).toBe(baseline + 1);
      const big = 'x'.repeat(400 * 1024);
      for (let i = 0; i < 100 && other.app.bus.listenerCount > baseline; i++) {
        publishStandIn(other.app.bus, 'action.evaluated', { i, big });
        await new Promise((r) => setImmediate(r));
      }
      expect(other.app.bus.listenerCount).toBe(baseline);
      expect((await other.raw('GET', '/v1/health')).status).toBe(200);
      socket.destroy();
    } finally {
      await other.close();
    }
  });

  it('is operator-only: an agent key gets 403, no key 401', async () => {
    const agent = await t.agent('eavesdropper');
    const asAgent = await t.raw('GET', '/v1/events', { key: agent.key });
    expect([asAgent.status, errorBody(asAgent.body).error.code]).toEqual([403, 'insufficient_scope']);
    expect((await t.raw('GET', '/v1/events')).status).toBe(401);
  });

  it('stopping the app does not wait on a connection that never sent a request', async () => {
    const other = await startTestApp();
    const socket = connect(Number(new URL(other.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.on('error', () => {});
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(3_000);
    socket.destroy();
  });

  it('stopping the app ends open streams instead of waiting for them forever', async () => {
    const other = await startTestApp({ heartbeatMs: 50 });
    const res = await fetch(`${other.url}/v1/events`, { headers: { authorization: `Bearer ${other.op}` } });
    const reader = res.body!.getReader();
    await reader.read();
    const stopped = other.close();
    const ended = (async () => {
      for (;;) {
        try {
          if ((await reader.read()).done) return 'ended';
        } catch {
          return 'ended';
        }
      }
    })();
    await expect(Promise.race([ended, new Promise((r) => setTimeout(() => r('still open'), 8_000))])).resolves.toBe('ended');
    await stopped;
  });
});
