/** With one agent chosen: its spend per day over the chosen range, above its rows. */
import { api } from '../../lib/api';
import { micro } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { rangeBounds, type Filters } from './query';

export function AgentTimeline({ agentId, name, filters }: { agentId: string; name: string; filters: Filters }) {
  const bounds = rangeBounds(filters, Date.now());
  const report = useResource(
    async () => (await api().call('spendReport', { query: { group_by: 'agent_day', ...bounds } })).rows.filter((r) => r.agent_id === agentId),
    [agentId, bounds.since, bounds.until],
  );
  const days = report.data ?? [];
  const total = days.reduce((s, r) => s + r.spent_micro_usd, 0);
  const max = Math.max(1, ...days.map((r) => r.spent_micro_usd));
  return (
    <section className="agent-timeline" aria-label={`Spend of ${name}`}>
      <strong>{name}</strong>
      <span className="muted small">
        {report.loading && !report.data ? 'spend…' : `spent ${micro(total)} over ${days.length} day${days.length === 1 ? '' : 's'} with spend in this range`}
      </span>
      <ol className="day-bars" aria-label="Spend by day">
        {days.map((r) => (
          <li key={r.key ?? ''} title={`${r.key}: ${micro(r.spent_micro_usd)} · ${r.events} spend event${r.events === 1 ? '' : 's'}`}>
            <span className="day-bar" style={{ height: `${Math.max(2, (r.spent_micro_usd / max) * 24)}px` }} />
            <span className="sr-only">
              {r.key}: {micro(r.spent_micro_usd)}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
