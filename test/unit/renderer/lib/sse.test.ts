import { describe, expect, it } from 'vitest';
import type { WardenEvent } from '../../../../shared/events.js';
import { eventDecoder } from '../../../../renderer/src/lib/sse';

function decode(chunks: string[]): { events: WardenEvent[]; retries: number[] } {
  const events: WardenEvent[] = [];
  const retries: number[] = [];
  const decoder = eventDecoder(
    (e) => events.push(e),
    (ms) => retries.push(ms),
  );
  for (const c of chunks) decoder.feed(c);
  return { events, retries };
}

const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

describe('the event stream decoder', () => {
  it('yields a known event split across chunks at any point, with CRLF line endings too', () => {
    const text = frame('approval.requested', { type: 'approval.requested', at: 't', data: { id: 'apr_1' } });
    for (let cut = 1; cut < text.length; cut++) {
      const { events } = decode([text.slice(0, cut), text.slice(cut)]);
      expect(events).toEqual([{ type: 'approval.requested', at: 't', data: { id: 'apr_1' } }]);
    }
    const crlf = text.replace(/\n/g, '\r\n');
    expect(decode([crlf]).events).toHaveLength(1);
  });

  it('skips heartbeats, unknown event types, frames without data and data that is not JSON', () => {
    const { events } = decode([': heartbeat\n\n', frame('made.up', { x: 1 }), 'event: budget.paused\n\n', 'event: budget.paused\ndata: {not json\n\n', frame('budget.paused', { type: 'budget.paused', at: 't', data: {} })]);
    expect(events.map((e) => e.type)).toEqual(['budget.paused']);
  });

  it('reports the server retry floor', () => {
    expect(decode(['retry: 2500\n\n']).retries).toEqual([2500]);
  });
});
