/**
 * The audit log: filters (free text, type, agent, actor, quick ranges), the agent's spend over
 * time when one agent is chosen, the rows, a detail drawer with the receipt link, chain
 * verification and export.
 */
import { useCallback, useEffect, useState } from 'react';
import { useRoute } from '../stores/route';
import type { AuditEntry } from '../../../shared/api/audit.js';
import { api, errorMessage } from '../lib/api';
import { useResource } from '../lib/useResource';
import { useAgentList } from '../stores/agents';
import { toast } from '../stores/toasts';
import { Empty, ErrorState, Loading } from '../components/states';
import { AgentTimeline } from './audit/AgentTimeline';
import { AuditDrawer } from './audit/AuditDrawer';
import { AuditFilters } from './audit/AuditFilters';
import { AuditTable } from './audit/AuditTable';
import { EMPTY_FILTERS, filtersFromParam, toQuery, type Filters } from './audit/query';
import { useAuditLog } from './audit/useAuditLog';

export function AuditPage() {
  // A drill-down link (#/audit/event_type=…) opens with its filters, and a new one replaces them.
  const param = useRoute((r) => r.param);
  const [filters, setFilters] = useState<Filters>(() => filtersFromParam(param));
  useEffect(() => {
    if (param) setFilters(filtersFromParam(param));
  }, [param]);
  const log = useAuditLog(filters);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const { agents } = useAgentList();
  const operators = useResource(async () => (await api().call('listOperators', { query: { limit: 500 } })).data, []);
  const agentName = useCallback((id: string | null) => (id ? (agents.find((a) => a.id === id)?.name ?? id) : ''), [agents]);
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
  const loadMore = useCallback(() => void log.load(false), [log.load]);
  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY_FILTERS);

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h2>Audit</h2>
        <ChainAndExport filters={filters} />
      </header>

      <AuditFilters filters={filters} setFilters={setFilters} agents={agents} />
      {filters.agentId ? <AgentTimeline agentId={filters.agentId} name={agentName(filters.agentId)} filters={filters} /> : null}

      {log.fresh > 0 ? (
        <button type="button" className="banner-button" onClick={() => void log.load(true)}>
          {log.fresh} new event{log.fresh === 1 ? '' : 's'} — show
        </button>
      ) : null}

      {log.error && log.rows.length === 0 ? (
        <ErrorState title="Could not load the audit log" message={log.error} onRetry={() => void log.load(true)} />
      ) : log.loading && log.rows.length === 0 ? (
        <Loading label="Loading audit events…" />
      ) : log.rows.length === 0 ? (
        <Empty title={filtered ? 'No events match these filters' : 'The audit log is empty'}>{filtered ? 'Widen the time range or clear a filter.' : 'Every decision, approval, budget change and key event lands here.'}</Empty>
      ) : (
        <AuditTable rows={log.rows} hasMore={log.hasMore} loading={log.loading} loadMore={loadMore} onOpen={setOpen} agentName={agentName} actorName={actorName} />
      )}
      <p className="muted small" aria-live="polite">
        {log.rows.length} event{log.rows.length === 1 ? '' : 's'}
        {log.hasMore ? ' loaded · scroll for more' : ''}
      </p>

      <AuditDrawer entry={open} onClose={() => setOpen(null)} agentName={agentName} actorName={actorName} />
    </div>
  );
}

/** Verify the hash chain; export what the filters select. */
function ChainAndExport({ filters }: { filters: Filters }) {
  const [verify, setVerify] = useState<{ ok: boolean; rows: number; first_bad_id: string | null } | 'checking' | null>(null);

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

  return (
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
  );
}
