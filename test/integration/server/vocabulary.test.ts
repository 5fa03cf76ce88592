/**
 * The one vocabulary on the wire: the three routes that take an action refuse and accept the
 * same actions with the same error, and every event the stream carries is one of EVENT_TYPES
 * with the payload its schema describes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestApp, type TestApp } from '../../support/app.js';
import { WardenClient } from '../../../shared/client.js';
import { ServerEventSchemas } from '../../../shared/api/events.js';
import type { WardenEvent } from '../../../shared/events.js';
import { ACTION_LIMITS, EVENT_TYPES, type EventType } from '../../../shared/vocabulary.js';

let t: TestApp;
let agent: { id: string; key: string };
beforeAll(async () => {
  t = await startTestApp();
  agent = await t.agent('vocabulary');
});
afterAll(async () => {
  await t?.close();
});

/** Each route that takes an action, with the body it sends and the prefix of `param` it answers. */
const ROUTES: [path: string, wrap: (action: unknown) => unknown, prefix: string][] = [
  ['/v1/actions', (action) => action, ''],
  ['/v1/evaluate', (action) => ({ action }), 'action.'],
  ['/v1/guardrails/evaluate', (action) => ({ action }), 'action.'],
];

const x = (n: number) => 'x'.repeat(n);
const many = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('the routes that take an action', () => {
  it.each([
    ['a tool name with a space', { tool: 'order refund' }, 'tool'],
    ['a 150-character tool', { tool: x(150) }, 'tool'],
    ['40 categories', { tool: 'a.b', categories: many(40) }, 'categories'],
    ['an 80-character resource.type', { tool: 'a.b', resource: { type: x(80), id: 'r1' } }, 'resource.type'],
  ])('all refuse %s with 400 invalid_parameter naming the field', async (_what, action, param) => {
    for (const [path, wrap, prefix] of ROUTES) {
      const res = await t.raw('POST', path, { key: t.op, body: wrap(action) });
      expect([path, res.status, errorOf(res.body)?.code, errorOf(res.body)?.param]).toEqual([path, 400, 'invalid_parameter', prefix + param]);
    }
  });

  it.each([
    ['a tool at the length limit', { tool: `t.${x(ACTION_LIMITS.tool - 2)}` }],
    ['the most categories', { tool: 'a.b', categories: many(ACTION_LIMITS.categories) }],
    ['a resource type at its limit', { tool: 'a.b', resource: { type: x(ACTION_LIMITS.resource_type), id: 'r1' } }],
    ['an MCP tool on its server', { tool: 'mcp.github.create_issue', connector: 'github', resource: { type: 'mcp_server', id: 'github' } }],
  ])('all accept %s', async (_what, action) => {
    for (const [path, wrap] of ROUTES) {
      const res = await t.raw('POST', path, { key: agent.key, body: wrap(action) });
      expect([path, res.status]).toEqual([path, 200]);
    }
  });
});

describe('the event stream', () => {
  it('carries only EVENT_TYPES, each with the payload ServerEventSchemas gives it', async () => {
    const client = new WardenClient({ baseUrl: t.url, key: t.op });
    const abort = new AbortController();
    const seen: WardenEvent[] = [];
    const listeners = t.app.bus.listenerCount;
    const reading = (async () => {
      for await (const event of client.events({ signal: abort.signal })) seen.push(event);
    })();
    while (t.app.bus.listenerCount === listeners) await new Promise((r) => setTimeout(r, 10));

    // An ALERT (action.evaluated, approval.requested) denied (approval.resolved).
    const asked = await t.api(agent.key).answer('createAction', { body: { tool: 'deploy.prod' } });
    expect(asked.body.decision).toBe('ALERT');
    await t.api(t.op).answer('decideApproval', { params: { id: asked.body.approval_id! }, body: { decision: 'deny' } });
    // An ALERT its agent withdraws (action.withdrawn).
    const waited = await t.api(agent.key).answer('createAction', { body: { tool: 'deploy.prod' } });
    expect((await t.api(agent.key).answer('withdrawAction', { params: { id: waited.body.id } })).status).toBe(200);
    // A cap-mode budget crossed by one spend (warning, cap_hit, paused), resumed, paused by hand.
    await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: agent.id, limit_usd_cents: 1, mode: 'cap' } });
    expect((await t.api(agent.key).answer('recordSpend', { body: { amount_micro_usd: 20_000 } })).status).toBe(200);
    await t.api(t.op).answer('resumeBudget', { params: { scope: 'agent', scope_id: agent.id }, body: { grace_usd_cents: 5 } });
    await t.api(t.op).answer('pauseBudget', { params: { scope: 'agent', scope_id: agent.id }, body: { reason: 'by hand' } });
    // The kill-switch engaged and released.
    await t.api(t.op).answer('setKillSwitch', { body: { engaged: true, reason: 'drill' } });
    await t.api(t.op).answer('setKillSwitch', { body: { engaged: false } });

    const expected: EventType[] = [
      'action.evaluated',
      'approval.requested',
      'approval.resolved',
      'action.withdrawn',
      'budget.warning',
      'budget.cap_hit',
      'budget.paused',
      'budget.resumed',
      'kill_switch.changed',
    ];
    while (!expected.every((type) => seen.some((e) => e.type === type))) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    await reading;

    for (const event of seen) {
      expect(EVENT_TYPES).toContain(event.type);
      const schema = ServerEventSchemas[event.type];
      const parsed = schema.safeParse(event.data);
      expect(parsed.success, `${event.type}: ${parsed.error?.message}`).toBe(true);
      // No field the schema does not name: the typed map is the whole payload.
      expect(Object.keys(event.data).filter((k) => !(k in schema.shape)), event.type).toEqual([]);
    }
    const pauses = seen.filter((e) => e.type === 'budget.paused').map((e) => (e.type === 'budget.paused' ? e.data.reason : null));
    expect(pauses).toEqual(['cap_hit', 'manual']);
  });
});
