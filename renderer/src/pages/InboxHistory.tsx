/** Resolved approvals: who decided what, when, and why. */
import { useState } from 'react';
import type { Approval, ApprovalStatus } from '../../../shared/api/actions.js';
import { api } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { Async, Empty } from '../components/states';

const FILTERS: { value: ApprovalStatus | 'resolved'; label: string }[] = [
  { value: 'resolved', label: 'All resolved' },
  { value: 'approved', label: 'Approved' },
  { value: 'denied', label: 'Denied' },
  { value: 'expired', label: 'Expired' },
];

async function loadHistory(status: ApprovalStatus | 'resolved'): Promise<Approval[]> {
  if (status !== 'resolved') return (await api().call('listApprovals', { query: { status, limit: 200 } })).data;
  // One page per resolved status, merged: a long pending queue cannot crowd the history out.
  const pages = await Promise.all(
    (['approved', 'denied', 'expired'] as const).map((s) => api().call('listApprovals', { query: { status: s, limit: 200 } })),
  );
  return pages
    .flatMap((p) => p.data)
    .sort((a, b) => (b.resolved_at ?? b.created_at).localeCompare(a.resolved_at ?? a.created_at))
    .slice(0, 200);
}

const RESOLUTION_LABEL: Record<string, string> = {
  allow_once: 'Allowed once',
  allow_always: 'Allowed always',
  deny: 'Denied',
  expired: 'Expired',
};

export function HistoryTab() {
  const [status, setStatus] = useState<ApprovalStatus | 'resolved'>('resolved');
  const history = useResource(() => loadHistory(status), [status]);
  useLiveEvents((e) => {
    if (e.type === 'approval.resolved') history.reload();
  });
  return (
    <div className="history">
      <div className="filters">
        <label>
          Show
          <select value={status} onChange={(e) => setStatus(e.target.value as ApprovalStatus | 'resolved')}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Async {...history} what="the history">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No decisions yet">Resolved requests appear here with who decided and why.</Empty>
          ) : (
            <div className="scroll">
              <table className="table" aria-label="Approval history">
                <thead>
                  <tr>
                    <th scope="col">Resolved</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Tool</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">By</th>
                    <th scope="col">Comment</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={a.id}>
                      <td title={dateTime(a.resolved_at)}>{ago(a.resolved_at)}</td>
                      <td>{a.agent_name ?? a.agent_id}</td>
                      <td className="mono">{a.action.tool}</td>
                      <td>
                        <span className={`pill ${a.status === 'approved' ? 'pill-ok' : a.status === 'denied' ? 'pill-bad' : 'pill-muted'}`}>
                          {RESOLUTION_LABEL[a.resolution ?? ''] ?? a.status}
                        </span>
                      </td>
                      <td>{a.decisions.map((d) => d.operator_name ?? d.operator).join(', ') || '—'}</td>
                      <td className="small">{a.decisions.map((d) => d.comment).filter(Boolean).join(' · ') || <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </div>
  );
}
