/** The audit filter bar: free text, event family or exact type, agent, actor and time range. */
import type { Agent } from '../../../../shared/api/agents.js';
import { AUDIT_TYPES, EMPTY_FILTERS, EVENT_FAMILIES, QUICK_RANGES, RANGES, type Filters, type RangeValue } from './query';

export function AuditFilters({ filters, setFilters, agents }: { filters: Filters; setFilters(update: (f: Filters) => Filters): void; agents: Agent[] }) {
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY_FILTERS);
  return (
    <form className="filters" role="search" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
      <label className="grow">
        Search
        <input type="search" aria-label="Search the audit log" value={filters.text} onChange={(e) => set({ text: e.target.value })} placeholder="tool, id, reason, explanation…" />
      </label>
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
          {agents.map((a) => (
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
        <select aria-label="Time range" value={filters.range} onChange={(e) => set({ range: e.target.value as RangeValue })}>
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <div className="quick-ranges" role="group" aria-label="Quick ranges">
        {QUICK_RANGES.map((value) => (
          <button key={value} type="button" className="chip-button" aria-pressed={filters.range === value} onClick={() => set({ range: filters.range === value ? 'all' : value })}>
            {RANGES.find((r) => r.value === value)!.label}
          </button>
        ))}
      </div>
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
        <button type="button" className="link" onClick={() => setFilters(() => EMPTY_FILTERS)}>
          Clear filters
        </button>
      ) : null}
      <datalist id="audit-types">
        {AUDIT_TYPES.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </form>
  );
}
