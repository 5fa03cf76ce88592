/** Resolved approvals: who decided what, when, and why. */
import { useState } from 'react';
import type { Approval, ApprovalStatus } from '../../../shared/api/approvals.js';
import { api, errorMessage } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { useResource } from '../lib/useResource';
import { approvalFromEvent } from '../stores/approvals';
import { receiptHref } from '../stores/route';
import { Async, Empty } from '../components/states';

const PAGE = 200;
type Resolved = Exclude<ApprovalStatus, 'pending'>;
type Filter = Resolved | 'resolved';

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'resolved', label: 'All resolved' },
  { value: 'approved', label: 'Approved' },
  { value: 'denied', label: 'Denied' },
  { value: 'expired', label: 'Expired' },
];

/** One status's list as loaded so far: `last` is the id the next page continues after. */
interface Stream {
  status: Resolved;
  items: Approval[];
  last: string | null;
  next: string | null;
}

interface History {
  /** Which load this is, so a page that arrives after a filter change or reload is dropped. */
  load: number;
  streams: Stream[];
}

interface Fetched {
  status: Resolved;
  after: string | null;
  items: Approval[];
  next: string | null;
}

let loads = 0;

async function fetchPage(status: Resolved, after: string | null, cursor?: string): Promise<Fetched> {
  const page = await api().call('listApprovals', { query: { status, limit: PAGE, ...(cursor ? { cursor } : {}) } });
  return { status, after, items: page.data, next: page.has_more ? page.next_cursor : null };
}

function applyPage(streams: Stream[], f: Fetched): Stream[] {
  return streams.map((s) => {
    // Already applied (or not continuing where this stream stands): keep what is there.
    if (s.status !== f.status || s.last !== f.after) return s;
    const known = new Set(s.items.map((a) => a.id));
    return { ...s, items: [...s.items, ...f.items.filter((a) => !known.has(a.id))], last: f.items.at(-1)?.id ?? s.last, next: f.next };
  });
}

async function loadHistory(filter: Filter): Promise<History> {
  // One list per resolved status, merged: a long pending queue cannot crowd the history out.
  const statuses: Resolved[] = filter === 'resolved' ? ['approved', 'denied', 'expired'] : [filter];
  const load = ++loads;
  const pages = await Promise.all(statuses.map((status) => fetchPage(status, null)));
  return { load, streams: pages.reduce((acc, f) => applyPage(acc, f), statuses.map((status): Stream => ({ status, items: [], last: null, next: null }))) };
}

/**
 * The rows known to be complete: every list comes newest id first, so below the oldest id loaded
 * from a list that has more, a row of that list may still be missing. Shown newest resolution first.
 */
function shownRows(streams: Stream[]): Approval[] {
  let floor = '';
  for (const s of streams) if (s.next !== null && s.last !== null && s.last > floor) floor = s.last;
  return streams
    .flatMap((s) => s.items)
    .filter((a) => a.id >= floor)
    .sort((a, b) => (b.resolved_at ?? b.created_at).localeCompare(a.resolved_at ?? a.created_at) || (a.id < b.id ? 1 : -1));
}

/** Fetches until at least PAGE more rows are complete, always advancing the list that holds the floor. */
async function fetchMore(history: History): Promise<Fetched[]> {
  let streams = history.streams;
  const target = shownRows(streams).length + PAGE;
  const fetched: Fetched[] = [];
  while (shownRows(streams).length < target) {
    const open = streams.filter((s) => s.next !== null);
    if (!open.length) break;
    const s = open.reduce((a, b) => ((a.last ?? '') >= (b.last ?? '') ? a : b));
    const f = await fetchPage(s.status, s.last, s.next!);
    fetched.push(f);
    streams = applyPage(streams, f);
  }
  return fetched;
}

const RESOLUTION_LABEL: Record<string, string> = {
  allow_once: 'Allowed once',
  allow_always: 'Allowed always',
  deny: 'Denied',
  expired: 'Expired',
};

/**
 * What happened, in words that never overstate: an allow the kill-switch blocked at release, or
 * one the operator undid, says so next to "Allowed".
 */
export function outcomeOf(a: Approval): { label: string; note: string | null; tone: 'ok' | 'bad' | 'muted' | 'warn' } {
  const allowed = a.decisions.find((d) => d.decision !== 'deny');
  if (a.undone_at && a.status === 'denied') {
    return { label: 'Undone', note: `${RESOLUTION_LABEL[allowed?.decision ?? ''] ?? 'Allowed'}, then withdrawn before the agent picked it up`, tone: 'muted' };
  }
  const label = RESOLUTION_LABEL[a.resolution ?? ''] ?? a.status;
  if (a.blocked_at_release) return { label, note: `but the agent was told it is blocked — ${a.blocked_at_release.reason}`, tone: 'warn' };
  if (a.undone_at) return { label, note: 'grant revoked by undo', tone: 'ok' };
  return { label, note: null, tone: a.status === 'approved' ? 'ok' : a.status === 'denied' ? 'bad' : 'muted' };
}

export function HistoryTab() {
  const [status, setStatus] = useState<Filter>('resolved');
  const history = useResource(() => loadHistory(status), [status]);
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  useLiveEvents((e) => {
    if (e.type !== 'approval.resolved') return;
    const a = approvalFromEvent(e.data);
    // Insert rather than reload, so the pages loaded with "Load more" stay.
    if (!a) history.reload();
    else if (a.status !== 'pending')
      // An undo moves a request from approved to denied: it leaves every other list.
      history.setData(
        (h) => h && { ...h, streams: h.streams.map((s) => ({ ...s, items: s.status === a.status ? [a, ...s.items.filter((x) => x.id !== a.id)] : s.items.filter((x) => x.id !== a.id) })) },
      );
  });
  async function loadMore(h: History) {
    setMore({ busy: true, error: null });
    try {
      const fetched = await fetchMore(h);
      history.setData((prev) => (prev && prev.load === h.load ? { ...prev, streams: fetched.reduce(applyPage, prev.streams) } : prev));
      setMore({ busy: false, error: null });
    } catch (err) {
      setMore({ busy: false, error: errorMessage(err) });
    }
  }
  return (
    <div className="history">
      <div className="filters">
        <label>
          Show
          <select value={status} onChange={(e) => setStatus(e.target.value as Filter)}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Async {...history} what="the history">
        {(h) => {
          const list = shownRows(h.streams);
          const hasMore = h.streams.some((s) => s.next !== null);
          return list.length === 0 ? (
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
                  {list.map((a) => {
                    const outcome = outcomeOf(a);
                    return (
                    <tr key={a.id}>
                      <td title={dateTime(a.resolved_at)}>{ago(a.resolved_at)}</td>
                      <td>{a.agent_name ?? a.agent_id}</td>
                      <td className="mono">
                        {a.action_id ? (
                          <a href={receiptHref(a.action_id)} title="Why was this decided? Open the receipt">
                            {a.action.tool}
                          </a>
                        ) : (
                          a.action.tool
                        )}
                      </td>
                      <td>
                        <span className={`pill pill-${outcome.tone}`}>{outcome.label}</span>
                        {outcome.note ? <span className="release-note small muted">{outcome.note}</span> : null}
                      </td>
                      <td>{a.decisions.map((d) => d.operator_name ?? d.operator).join(', ') || '—'}</td>
                      <td className="small">{a.decisions.map((d) => d.comment).filter(Boolean).join(' · ') || <span className="muted">—</span>}</td>
                    </tr>
                    );
                  })}
                </tbody>
              </table>
              <div className="history-more">
                <span className="muted small">
                  {hasMore ? `${list.length} shown` : `All ${list.length} shown`}
                </span>
                {hasMore ? (
                  <button type="button" disabled={more.busy} onClick={() => void loadMore(h)}>
                    {more.busy ? 'Loading…' : 'Load more'}
                  </button>
                ) : null}
                {more.error ? (
                  <span className="error small" role="alert">
                    Could not load more: {more.error}
                  </span>
                ) : null}
              </div>
            </div>
          );
        }}
      </Async>
    </div>
  );
}
