/**
 * Events published on the in-process bus and streamed to operators over `GET /v1/events`.
 * Payloads are the API objects they concern, so the UI can update without a refetch.
 */
export const EVENT_TYPES = [
  'approval.requested',
  'approval.resolved',
  /** An operator's allow was counted toward a threshold of several; the request is still pending. */
  'approval.decided',
  'budget.warning',
  'budget.cap_hit',
  'budget.paused',
  'budget.resumed',
  'action.evaluated',
  /** The agent stopped waiting and withdrew its request (payload: the action). */
  'action.withdrawn',
  /** An action an approval allowed was not picked up in time: its slot and reservation were released. */
  'action.released',
  'kill_switch.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface WardenEvent<T extends EventType = EventType> {
  type: T;
  at: string;
  data: Record<string, unknown>;
}
