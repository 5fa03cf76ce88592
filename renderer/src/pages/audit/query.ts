/** The audit page's filters and how they become `GET /v1/audit` query parameters (pure). */
import type { AuditEntry } from '../../../../shared/api/audit.js';
import { localInputToIso } from '../../lib/format';
import { AUDIT_EVENT_TYPES } from '../../../../shared/vocabulary.js';

export const EVENT_FAMILIES: { value: string; label: string }[] = [
  { value: '', label: 'All events' },
  { value: 'action.*', label: 'Actions' },
  { value: 'approval.*', label: 'Approvals' },
  { value: 'approval.denied', label: 'Denials' },
  { value: 'grant.*', label: 'Grants' },
  { value: 'budget.*', label: 'Budgets' },
  { value: 'spend.*', label: 'Spend' },
  { value: 'policy.*', label: 'Policies' },
  { value: 'settings.*,quota.*', label: 'Settings & quotas' },
  { value: 'agent.*,key.*', label: 'Agents & keys' },
  { value: 'kill_switch.*', label: 'Kill-switch' },
];

/** Every audit event type, from the one vocabulary. */
export const AUDIT_TYPES: readonly string[] = AUDIT_EVENT_TYPES;

export const RANGES = [
  { value: 'all', label: 'Any time' },
  { value: 'today', label: 'Today' },
  { value: 'yesterday', label: 'Yesterday' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom…' },
] as const;
export type RangeValue = (typeof RANGES)[number]['value'];

/** The quick ranges offered as one-click buttons beside the select. */
export const QUICK_RANGES: RangeValue[] = ['today', 'yesterday', '7d'];

export interface Filters {
  eventType: string;
  agentId: string;
  actor: string;
  /** Free text (`q`). */
  text: string;
  range: RangeValue;
  since: string;
  until: string;
}

export const EMPTY_FILTERS: Filters = { eventType: '', agentId: '', actor: '', text: '', range: 'all', since: '', until: '' };

/**
 * The audit link other pages drill into (`#/audit/event_type=…&agent_id=…&q=…&range=7d`): the
 * filters it opens with.
 */
export function auditHref(f: Partial<Filters>): string {
  const q = new URLSearchParams();
  if (f.eventType) q.set('event_type', f.eventType);
  if (f.agentId) q.set('agent_id', f.agentId);
  if (f.text) q.set('q', f.text);
  if (f.range && f.range !== 'all') q.set('range', f.range);
  return `#/audit/${encodeURIComponent(q.toString())}`;
}

/** The filters an audit link carries (see auditHref); anything else stays empty. */
export function filtersFromParam(param: string | null): Filters {
  if (!param) return EMPTY_FILTERS;
  const q = new URLSearchParams(param);
  const range = q.get('range');
  return {
    ...EMPTY_FILTERS,
    eventType: q.get('event_type') ?? '',
    agentId: q.get('agent_id') ?? '',
    text: q.get('q') ?? '',
    range: RANGES.some((r) => r.value === range && r.value !== 'custom') ? (range as RangeValue) : 'all',
  };
}

const startOfLocalDay = (ms: number) => {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};

/** A range's bounds as RFC 3339, `until` exclusive; days are this machine's local days. */
export function rangeBounds(f: Pick<Filters, 'range' | 'since' | 'until'>, now: number): { since?: string; until?: string } {
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (f.range) {
    case 'all':
      return {};
    case 'today':
      return { since: iso(startOfLocalDay(now)) };
    case 'yesterday': {
      const today = startOfLocalDay(now);
      // One day back from local midnight, by the calendar (a DST day has 23 or 25 hours).
      const d = new Date(today);
      d.setDate(d.getDate() - 1);
      return { since: iso(d.getTime()), until: iso(today) };
    }
    case '1h':
      return { since: iso(now - 3_600_000) };
    case '24h':
      return { since: iso(now - 86_400_000) };
    case '7d':
      return { since: iso(now - 7 * 86_400_000) };
    case 'custom':
      return { since: localInputToIso(f.since), until: localInputToIso(f.until) };
  }
}

export function toQuery(f: Filters, now = Date.now()) {
  return {
    event_type: f.eventType.trim() || undefined,
    agent_id: f.agentId || undefined,
    actor: f.actor.trim() || undefined,
    q: f.text.trim() || undefined,
    ...rangeBounds(f, now),
  };
}

export type Tone = 'deny' | 'warn' | 'ok' | 'change' | 'plain';

/** How a row reads at a glance: a denial or block is red whatever its family. */
export function eventTone(e: Pick<AuditEntry, 'event_type' | 'data'>): Tone {
  const t = e.event_type;
  if (t === 'action.evaluated') {
    const d = e.data.decision;
    return d === 'BLOCK' ? 'deny' : d === 'ALERT' ? 'warn' : 'plain';
  }
  if (/^approval\.(denied|expired)$|^quota\.exceeded$|^budget\.(paused|cap_hit)$|^kill_switch\.engaged$|\.revoked$|^action\.(denied|blocked)$/.test(t)) return 'deny';
  if (/^approval\.granted$|\.resumed$|\.released$|^grant\.created$/.test(t)) return 'ok';
  if (/^approval\.requested$|^budget\.warning$/.test(t)) return 'warn';
  if (/^(policy|settings|quota|agent|key|budget|mission)\./.test(t)) return 'change';
  return 'plain';
}

/** The action a row concerns, for its receipt link. */
export function actionIdOf(e: Pick<AuditEntry, 'subject_id' | 'data'>): string | null {
  const candidates = [e.subject_id, e.data.action_id, (e.data.action as { id?: unknown } | undefined)?.id, e.data.id];
  for (const c of candidates) if (typeof c === 'string' && /^(act|apr)_/.test(c)) return c;
  return null;
}
