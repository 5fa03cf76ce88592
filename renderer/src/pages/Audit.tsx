/**
 * The audit log: filters, a virtualized table (thousands of rows scroll at 60 fps because only
 * the visible ~30 are in the DOM), keyset pagination as you scroll, a detail drawer, chain
 * verification and export.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AuditEntry } from '../../../shared/api/audit.js';
import type { Agent } from '../../../shared/api/agents.js';
import { api, errorMessage } from '../lib/api';
import { useAgentList } from '../stores/agents';
import { clock, dateTime, localInputToIso, preview } from '../lib/format';
import { summarizeAudit } from '../lib/auditSummary';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { toast } from '../stores/toasts';
import { Dialog } from '../components/Dialog';
import { Empty, ErrorState, Loading } from '../components/states';
import { JsonBlock } from '../components/JsonView';

const EVENT_FAMILIES: { value: string; label: string }[] = [
  { value: '', label: 'All events' },
  { value: 'action.*', label: 'Actions' },
  { value: 'approval.*', label: 'Approvals' },
  { value: 'grant.*', label: 'Grants' },
  { value: 'budget.*', label: 'Budgets' },
  { value: 'spend.*', label: 'Spend' },
  { value: 'policy.*', label: 'Policies' },
  { value: 'settings.*,quota.*', label: 'Settings & quotas' },
  { value: 'agent.*,key.*', label: 'Agents & keys' },
  { value: 'kill_switch.*', label: 'Kill-switch' },
];

const RANGES: { value: string; label: string; ms: number | null }[] = [
  { value: 'all', label: 'Any time', ms: null },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'custom', label: 'Custom…', ms: null },
];

interface Filters {
  eventType: string;
  agentId: string;
  actor: string;
  range: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { eventType: '', agentId: '', actor: '', range: 'all', since: '', until: '' };
const PAGE = 200;
const ROW_HEIGHT = 34;

function toQuery(f: Filters) {
  const range = RANGES.find((r) => r.value === f.range);
  const since = f.range === 'custom' ? localInputToIso(f.since) : range?.ms ? new Date(Date.now() - range.ms).toISOString() : undefined;
  const until = f.range === 'custom' ? localInputToIso(f.until) : undefined;
  return {
    event_type: f.eventType.trim() || undefined,
    agent_id: f.agentId || undefined,
    actor: f.actor.trim() || undefined,
    since,
    until,
  };
}

export function AuditPage() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState(0);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const [verify, setVerify] = useState<{ ok: boolean; rows: number; first_bad_id: string | null } | 'checking' | null>(null);
  const generation = useRef(0);
  const { agents: agentList } = useAgentList();
  const operators = useResource(async () => (await api().call('listOperators', { query: { limit: 500 } })).data, []);
  const agentName = useCallback((id: string | null) => (id ? (agentList.find((a: Agent) => a.id === id)?.name ?? id) : ''), [agentList]);
  /** `operator:opr_…` → the operator's name, `agent:agt_…` → the agent's; `system` stays. */
  const actorName = useCallback(
    (actor: string) => {
      const [kind, id] = actor.split(':');
      if (kind === 'operator' && id) return operators.data?.find((o) => o.id === id)?.name ?? actor;
      if (kind === 'agent' && id) return agentName(id);
      return actor;
    },
    [operators.data, agentName],
  );

  const load = useCallback(
    async (reset: boolean) => {
      const gen = reset ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await api().call('listAudit', { query: { ...toQuery(filters), limit: PAGE, cursor: reset ? undefined : (cursor ?? undefined) } });
        if (gen !== generation.current) return;
        setRows((prev) => (reset ? page.data : [...prev, ...page.data]));
        setCursor(page.next_cursor);
        setHasMore(page.has_more);
        setError(null);
        if (reset) setFresh(0);
      } catch (err) {
        if (gen === generation.current) setError(errorMessage(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [filters, cursor],
  );

  // Refetch from the top whenever a filter changes (text filters are debounced).
  useEffect(() => {
    const t = setTimeout(() => void load(true), 200);
    return () => clearTimeout(t);
  }, [filters]);

  useLiveEvents(() => setFresh((n) => n + 1));

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 20 && hasMore && !loading) void load(false);
  }, [last, rows.length, hasMore, loading, load]);

  async function runVerify() {
    setVerify('checking');
    try {
      setVerify(await api().call('verifyAudit'));
    } catch (err) {
      setVerify(null);
      toast.error('Could not verify the chain', errorMessage(err));
    }
  }

  async function exportAs(format: 'jsonl' | 'csv') {
    try {
      const text = await api().call('exportAudit', { query: { ...toQuery(filters), format } });
      const blob = new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `warden-audit.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      toast.error('Export failed', errorMessage(err));
    }
  }

  function onRowKey(e: KeyboardEvent<HTMLDivElement>, index: number) {
    const move = (to: number) => {
      e.preventDefault();
      const target = Math.max(0, Math.min(rows.length - 1, to));
      virtualizer.scrollToIndex(target);
      requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus());
    };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setOpen(rows[index] ?? null);
    } else if (e.key === 'ArrowDown' || e.key === 'j') move(index + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') move(index - 1);
  }

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY);

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h2>Audit</h2>
        <div className="page-actions">
          {verify && verify !== 'checking' ? (
            <span role="status" className={`pill ${verify.ok ? 'pill-ok' : 'pill-bad'}`}>
              {verify.ok ? `Chain intact · ${verify.rows} rows` : `Chain broken at ${verify.first_bad_id ?? '?'}`}
            </span>
          ) : null}
          <button type="button" onClick={() => void runVerify()} disabled={verify === 'checking'}>
            {verify === 'checking' ? 'Verifying…' : 'Verify chain'}
          </button>
          <button type="button" onClick={() => void exportAs('jsonl')}>
            Export JSONL
          </button>
          <button type="button" onClick={() => void exportAs('csv')}>
            Export CSV
          </button>
        </div>
      </header>

      <form className="filters" role="search" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Event type
          <select aria-label="Event type" value={EVENT_FAMILIES.some((f) => f.value === filters.eventType) ? filters.eventType : '__custom'} onChange={(e) => set({ eventType: e.target.value === '__custom' ? filters.eventType : e.target.value })}>
            {EVENT_FAMILIES.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
            {EVENT_FAMILIES.some((f) => f.value === filters.eventType) ? null : <option value="__custom">{filters.eventType}</option>}
          </select>
        </label>
        <label>
          Exact type
          <input aria-label="Exact event type" value={filters.eventType} onChange={(e) => set({ eventType: e.target.value })} placeholder="approval.denied" list="audit-types" />
        </label>
        <label>
          Agent
          <select aria-label="Agent" value={filters.agentId} onChange={(e) => set({ agentId: e.target.value })}>
            <option value="">All agents</option>
            {agentList.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor
          <input aria-label="Actor" value={filters.actor} onChange={(e) => set({ actor: e.target.value })} placeholder="operator:opr_…" />
        </label>
        <label>
          Time range
          <select aria-label="Time range" value={filters.range} onChange={(e) => set({ range: e.target.value })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {filters.range === 'custom' ? (
          <>
            <label>
              Since
              <input type="datetime-local" value={filters.since} onChange={(e) => set({ since: e.target.value })} />
            </label>
            <label>
              Until
              <input type="datetime-local" value={filters.until} onChange={(e) => set({ until: e.target.value })} />
            </label>
          </>
        ) : null}
        {filtered ? (
          <button type="button" className="link" onClick={() => setFilters(EMPTY)}>
            Clear filters
          </button>
        ) : null}
        <datalist id="audit-types">
          {AUDIT_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </form>

      {fresh > 0 ? (
        <button type="button" className="banner-button" onClick={() => void load(true)}>
          {fresh} new event{fresh === 1 ? '' : 's'} — show
        </button>
      ) : null}

      {error && rows.length === 0 ? (
        <ErrorState title="Could not load the audit log" message={error} onRetry={() => void load(true)} />
      ) : loading && rows.length === 0 ? (
        <Loading label="Loading audit events…" />
      ) : rows.length === 0 ? (
        <Empty title={filtered ? 'No events match these filters' : 'The audit log is empty'}>{filtered ? 'Widen the time range or clear a filter.' : 'Every decision, approval, budget change and key event lands here.'}</Empty>
      ) : (
        <div className="vtable" role="table" aria-label="Audit events" aria-rowcount={rows.length + 1}>
          <div role="rowgroup" className="vtable-head">
            <div role="row" className="vrow audit-grid">
              <span role="columnheader">Time</span>
              <span role="columnheader">Event</span>
              <span role="columnheader">Actor</span>
              <span role="columnheader">Agent</span>
              <span role="columnheader">Details</span>
            </div>
          </div>
          <div ref={scrollRef} className="vtable-body" role="rowgroup">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const e = rows[item.index]!;
                return (
                  <div
                    key={e.id}
                    role="row"
                    aria-rowindex={item.index + 2}
                    data-index={item.index}
                    tabIndex={0}
                    className="vrow audit-grid clickable"
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                    onClick={() => setOpen(e)}
                    onKeyDown={(ev) => onRowKey(ev, item.index)}
                  >
                    <span role="cell" className="mono small" title={dateTime(e.at)}>
                      {clock(e.at)}
                    </span>
                    <span role="cell">
                      <span className={`evt evt-${e.event_type.split('.')[0]} evt-${e.event_type.split('.')[1] ?? ''}`}>{e.event_type}</span>
                    </span>
                    <span role="cell" className="small truncate" title={e.actor}>
                      {actorName(e.actor)}
                    </span>
                    <span role="cell" className="small truncate">
                      {agentName(e.agent_id)}
                    </span>
                    <span role="cell" className="small truncate muted" title={preview(e.data, 400)}>
                      {summarizeAudit(e, agentName)}
                    </span>
                  </div>
                );
              })}
            </div>
            {hasMore ? <div className="vtable-more muted small">{loading ? 'Loading more…' : ''}</div> : null}
          </div>
        </div>
      )}
      <p className="muted small" aria-live="polite">
        {rows.length} event{rows.length === 1 ? '' : 's'}
        {hasMore ? ' loaded · scroll for more' : ''}
      </p>

      <Dialog title={open ? open.event_type : ''} open={open !== null} onClose={() => setOpen(null)} variant="drawer">
        {open ? (
          <dl className="kv">
            <dt>Time</dt>
            <dd>{dateTime(open.at)}</dd>
            <dt>Sequence</dt>
            <dd>{open.seq}</dd>
            <dt>Actor</dt>
            <dd>
              {actorName(open.actor)} <span className="muted mono small">{open.actor}</span>
            </dd>
            <dt>Agent</dt>
            <dd>{open.agent_id ? `${agentName(open.agent_id)} (${open.agent_id})` : '—'}</dd>
            <dt>Subject</dt>
            <dd className="mono">{open.subject_id ?? '—'}</dd>
            <dt>Hash</dt>
            <dd className="mono small break">{open.hash}</dd>
            <dt>Data</dt>
            <dd>
              <JsonBlock value={open.data} />
            </dd>
          </dl>
        ) : null}
      </Dialog>
    </div>
  );
}

const AUDIT_TYPES = [
  'action.evaluated', 'approval.requested', 'approval.granted', 'approval.denied', 'approval.expired',
  'grant.created', 'grant.revoked', 'budget.set', 'budget.warning', 'budget.cap_hit', 'budget.paused',
  'budget.resumed', 'spend.recorded', 'policy.created', 'policy.updated', 'policy.deleted',
  'settings.updated', 'quota.updated', 'quota.exceeded', 'agent.created', 'agent.updated',
  'key.created', 'key.revoked', 'kill_switch.engaged', 'kill_switch.released',
];
