/**
 * Events published on the in-process bus and streamed to operators over `GET /v1/events`: the
 * payload type of each event type (`ServerEvents`) and the frame the stream carries. The list of
 * event types is `EVENT_TYPES` (shared/vocabulary.ts); the payload schemas are in
 * shared/api/events.ts. Only types here, so the renderer imports no schema.
 */
import type { z } from 'zod';
import type { ServerEventSchemas } from './api/events.js';
import type { EventType } from './vocabulary.js';

/** Event type → its payload. */
export type ServerEvents = { [K in EventType]: z.output<(typeof ServerEventSchemas)[K]> };

/** One event as the bus delivers it and the stream sends it: narrowing on `type` types `data`. */
export type WardenEvent<K extends EventType = EventType> = { [P in K]: { type: P; at: string; data: ServerEvents[P] } }[K];
