/** Health, the OpenAPI document and the event stream. */
import { z } from 'zod';
import { defineRoute } from './contract.js';

export const systemRoutes = {
  health: defineRoute({
    method: 'GET', path: '/v1/health', auth: 'public', tag: 'system',
    summary: 'Liveness; needs no key.',
    response: z.object({ ok: z.literal(true), version: z.string() }),
  }),
  openapi: defineRoute({
    method: 'GET', path: '/openapi.json', auth: 'public', tag: 'system',
    summary: 'This API as OpenAPI 3.1.', response: z.record(z.string(), z.unknown()),
  }),
  events: defineRoute({
    method: 'GET', path: '/v1/events', auth: 'operator', tag: 'events',
    summary: 'Server-Sent Events: approvals, budget crossings, evaluations, kill-switch changes.',
    response: z.string(), raw: { contentType: 'text/event-stream' },
  }),
};
