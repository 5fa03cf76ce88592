/**
 * The kind of thing an audit row is about (`entity_type`), derived from its `event_type`: the part
 * before the first dot, except that `gate.*` events are about a gate submission. Derived, never
 * supplied, so the hashed `event_type` vouches for it. Migration 0016 fills in older rows the same way.
 */
export function entityTypeOf(eventType: string): string {
  if (eventType.startsWith('gate.')) return 'gate_submission';
  const dot = eventType.indexOf('.');
  return dot > 0 ? eventType.slice(0, dot) : eventType;
}
