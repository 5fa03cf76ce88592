/** The review gates at a glance: what waits, what passed by waiver, how long decisions take, what was blocked. */
import { api } from '../../lib/api';
import { useLiveEvents } from '../../lib/hub';
import { useResource } from '../../lib/useResource';

function minutes(m: number | null): string {
  if (m === null) return '—';
  if (m < 60) return `${Math.round(m)} min`;
  if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
  return `${(m / 1440).toFixed(1)} d`;
}

export function GateMetrics() {
  const metrics = useResource(() => api().call('gateMetrics'), []);
  useLiveEvents((e) => {
    if (e.type === 'gate_review.pending' || e.type === 'gate_review.decided') metrics.reload();
  });
  const m = metrics.data;
  if (!m) return null;
  return (
    <section className="card" aria-label="Review gate metrics">
      <dl className="stat-grid">
        <div>
          <dt>Active policies</dt>
          <dd>{m.policies.active}</dd>
        </div>
        <div>
          <dt>Pending reviews</dt>
          <dd>{m.pending_reviews}</dd>
        </div>
        <div>
          <dt>Solutions in review</dt>
          <dd>{m.solutions.by_status.in_review ?? 0}</dd>
        </div>
        <div>
          <dt>Waivers</dt>
          <dd>{m.waivers}</dd>
        </div>
        <div>
          <dt>Median time to decision</dt>
          <dd>{minutes(m.median_time_to_decision_minutes)}</dd>
        </div>
        <div>
          <dt>Actions blocked, 7 days</dt>
          <dd>{m.blocked_actions_last_7_days}</dd>
        </div>
      </dl>
    </section>
  );
}
