/**
 * The Inbox: pending approvals in a virtualized list (1,000 requests keep ~20 cards in the DOM)
 * beside the selected request's full detail and the three decisions. Keyboard first: j/k move,
 * a allow once, Shift+A allow always (opens the scope chooser), d deny, r focus the deny reason,
 * z undo the last allow for 10 s, x mark for a bulk decision, / filter.
 *
 * Requests an agent is blocked on right now are pinned on top with the agent's own remaining
 * wait; those whose agent stopped waiting move to a "no longer waiting" group below, where they
 * cannot be allowed.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Approval } from '../../../shared/api/approvals.js';
import { groupIdentical, matchesFilter, sortApprovals, SORT_LABELS, type SortOrder } from '../lib/triage';
import { useAgentList } from '../stores/agents';
import { useApprovals } from '../stores/approvals';
import { useRoute } from '../stores/route';
import { useNow } from '../stores/clock';
import { Empty, ErrorState, Loading } from '../components/states';
import { InboxStarterOffer } from './policies/StarterPolicy';
import { HistoryTab } from './InboxHistory';
import { ApprovalCard } from './inbox/ApprovalCard';
import { ApprovalDetail } from './inbox/ApprovalDetail';
import { decideMany } from './inbox/decide';
import { Gate } from '../lib/can';
import { ReviewsTab, ReviewsTabButton } from './inbox/ReviewsTab';

export { decide } from './inbox/decide';

const CARD_HEIGHT = 96;

export function InboxPage() {
  // `#/inbox/reviews` opens the Reviews tab (a review toast links there).
  const [tab, setTab] = useState<'pending' | 'history' | 'reviews'>(() => (useRoute.getState().param === 'reviews' ? 'reviews' : 'pending'));
  const count = useApprovals((s) => s.pending.length);
  return (
    <div className="page page-fill">
      <header className="page-header">
        <h2>Inbox</h2>
        <div role="tablist" aria-label="Inbox views" className="tabs">
          <button type="button" role="tab" aria-selected={tab === 'pending'} aria-controls="inbox-pending" id="tab-pending" onClick={() => setTab('pending')}>
            Pending <span className="count">{count}</span>
          </button>
          <button type="button" role="tab" aria-selected={tab === 'history'} aria-controls="inbox-history" id="tab-history" onClick={() => setTab('history')}>
            History
          </button>
          <ReviewsTabButton selected={tab === 'reviews'} onSelect={() => setTab('reviews')} />
        </div>
        <p className="muted small hint">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> allow · <kbd>Shift</kbd>+<kbd>A</kbd> always · <kbd>d</kbd> deny · <kbd>x</kbd> mark · <kbd>/</kbd> filter · <kbd>z</kbd> undo ·{' '}
          <kbd>?</kbd> all
        </p>
      </header>
      {tab === 'pending' ? (
        <div role="tabpanel" id="inbox-pending" aria-labelledby="tab-pending" className="tabpanel-fill">
          <PendingTab />
        </div>
      ) : tab === 'reviews' ? (
        <div role="tabpanel" id="inbox-reviews" aria-labelledby="tab-reviews" className="tabpanel-fill">
          <ReviewsTab />
        </div>
      ) : (
        <div role="tabpanel" id="inbox-history" aria-labelledby="tab-history" className="tabpanel-fill">
          <HistoryTab />
        </div>
      )}
    </div>
  );
}

/** A fresh Warden: how to connect the first agent. */
function FirstAgentHint() {
  const { agents, loaded } = useAgentList();
  if (!loaded || agents.length) return null;
  return (
    <p className="first-run" role="note">
      No agent is connected yet. For Claude Code, run <code>warden connect claude-code</code> in your project; for anything else, register an agent on{' '}
      <a href="#/agents">Agents</a> (<kbd>g</kbd> <kbd>a</kbd>) → <strong>New agent</strong> and have it ask before it acts.
    </p>
  );
}

interface Row {
  approval: Approval;
  /** Identical requests this row stands for (grouping on), itself first. */
  members: Approval[];
  /** Its agent is blocked on it right now (pinned on top). */
  waitingNow: boolean;
}

/** Those an agent waits on now first (least wait left first), the rest in their order. */
function pinWaiting(list: Approval[], waiting: ReadonlySet<string>): Approval[] {
  if (!waiting.size) return list;
  const pinned = list.filter((a) => waiting.has(a.id)).sort((a, b) => a.agent_waiting_until!.localeCompare(b.agent_waiting_until!) || a.id.localeCompare(b.id));
  return [...pinned, ...list.filter((a) => !waiting.has(a.id))];
}

function PendingTab() {
  const { pending, loading, loaded, error, selectedId, stale, marked, unseen } = useApprovals();
  const load = useApprovals((s) => s.load);
  const select = useApprovals((s) => s.select);
  const [filter, setFilter] = useState('');
  const [order, setOrder] = useState<SortOrder>('urgency');
  const [grouped, setGrouped] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);

  // Requests an agent is blocked on right now are pinned on top, least wait left first; the key
  // changes only when one starts or stops waiting, not with every tick of the clock.
  const now = useNow((s) => s.now);
  const waitingKey = pending
    .filter((a) => a.agent_waiting_until && Date.parse(a.agent_waiting_until) > now)
    .map((a) => a.id)
    .join(',');
  const rows = useMemo<Row[]>(() => {
    const waiting = new Set(waitingKey ? waitingKey.split(',') : []);
    const shown = pinWaiting(sortApprovals(filter.trim() ? pending.filter((a) => matchesFilter(a, filter)) : pending, order), waiting);
    if (!grouped) return shown.map((a) => ({ approval: a, members: [a], waitingNow: waiting.has(a.id) }));
    return groupIdentical(shown).map((g) => ({ approval: g.members[0]!, members: g.members, waitingNow: g.members.some((m) => waiting.has(m.id)) }));
  }, [pending, filter, order, grouped, waitingKey]);
  const waitingCount = rows.filter((r) => r.waitingNow).length;
  const staleShown = useMemo(() => (filter.trim() ? stale.filter((a) => matchesFilter(a, filter)) : stale), [stale, filter]);

  // j/k follow what is on screen: the waiting list, then the "no longer waiting" group.
  useEffect(() => {
    useApprovals.getState().setVisible([...rows.map((r) => r.approval.id), ...staleShown.map((a) => a.id)]);
    return () => useApprovals.getState().setVisible([]);
  }, [rows, staleShown]);

  // `/` focuses the filter; `x` marks the selected request (or its whole group).
  useEffect(() => {
    const onKey = (e: Event) => {
      const kind = (e as CustomEvent<string>).detail;
      if (kind === 'filter') filterRef.current?.focus();
      else if (kind === 'mark') {
        const id = useApprovals.getState().selectedId;
        const row = rows.find((r) => r.approval.id === id);
        if (row) useApprovals.getState().toggleMark(row.members.map((m) => m.id));
      }
    };
    window.addEventListener('warden:inbox', onKey);
    return () => window.removeEventListener('warden:inbox', onKey);
  }, [rows]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_HEIGHT,
    overscan: 6,
    // Scroll updates render in the next frame instead of synchronously inside the scroll event.
    useFlushSync: false,
    getItemKey: (i) => rows[i]?.approval.id ?? i,
  });
  const selectedIndex = rows.findIndex((r) => r.members.some((m) => m.id === selectedId));
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  // New arrivals never land silently: the ones not yet on screen are counted in a pill on top.
  const freshIds = Object.keys(unseen);
  const range = virtualizer.getVirtualItems();
  const onScreen = new Set(range.map((i) => rows[i.index]?.approval.id));
  const freshOffScreen = freshIds.filter((id) => !onScreen.has(id) && rows.some((r) => r.approval.id === id)).length;
  useEffect(() => {
    // Seen once the list is scrolled to the top and the window has focus.
    if (freshIds.length && (scrollRef.current?.scrollTop ?? 0) < CARD_HEIGHT && document.hasFocus()) {
      const t = setTimeout(() => useApprovals.getState().clearUnseen(), 4000);
      return () => clearTimeout(t);
    }
    return undefined;
  });

  if (!loaded && loading) return <Loading label="Loading pending approvals…" />;
  if (error && !pending.length && !stale.length) return <ErrorState title="Could not load the inbox" message={error} onRetry={() => void load()} />;
  if (!pending.length && !stale.length)
    return (
      <Empty title="Inbox zero">
        Nothing is waiting for you. When an agent asks for something a policy marks ALERT, it shows up here at once — and as a notification.
        <FirstAgentHint />
        <InboxStarterOffer />
      </Empty>
    );
  const selectedRow = selectedIndex >= 0 ? rows[selectedIndex]! : null;
  const selectedStale = selectedRow ? null : (stale.find((a) => a.id === selectedId) ?? null);
  const selected = selectedRow ? (selectedRow.members.find((m) => m.id === selectedId) ?? selectedRow.approval) : selectedStale;
  const markedList = pending.filter((a) => marked[a.id]);
  const bulk = markedList.length ? markedList : selectedRow && selectedRow.members.length > 1 ? selectedRow.members : [];
  return (
    <div className="inbox-split">
      <div className="inbox-left">
        <div className="inbox-toolbar" role="search" aria-label="Triage">
          <input
            ref={filterRef}
            type="search"
            aria-label="Filter requests"
            placeholder="Filter: text, agent:NAME, tool:NAME (/)"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setFilter('');
                (e.target as HTMLInputElement).blur();
              } else if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
          />
          <select aria-label="Sort requests" value={order} onChange={(e) => setOrder(e.target.value as SortOrder)}>
            {(Object.keys(SORT_LABELS) as SortOrder[]).map((o) => (
              <option key={o} value={o}>
                {SORT_LABELS[o]}
              </option>
            ))}
          </select>
          <label className="check no-wrap">
            <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} /> Group identical
          </label>
        </div>
        {bulk.length ? (
          <div className="bulk-bar" role="group" aria-label="Bulk decision">
            <span className="no-wrap">
              {markedList.length ? `${markedList.length} marked` : `${bulk.length} identical`}
            </span>
            <Gate route="decideApproval">
              <button type="button" className="allow" onClick={() => void decideMany(bulk, 'allow_once')}>
                Allow {bulk.length} once
              </button>
            </Gate>
            <Gate route="decideApproval">
              <button type="button" className="deny" onClick={() => void decideMany(bulk, 'deny')}>
                Deny {bulk.length}
              </button>
            </Gate>
            {markedList.length ? (
              <button type="button" className="link" onClick={() => useApprovals.getState().clearMarks()}>
                Clear
              </button>
            ) : null}
          </div>
        ) : null}
        {freshOffScreen > 0 ? (
          <button
            type="button"
            className="banner-button"
            onClick={() => {
              const first = rows.find((r) => unseen[r.approval.id]);
              if (first) select(first.approval.id);
              useApprovals.getState().clearUnseen();
            }}
          >
            {freshOffScreen} new request{freshOffScreen === 1 ? '' : 's'} — show
          </button>
        ) : null}
        <h3 className="inbox-group-title">
          Pending <span className="count">{rows.length === pending.length ? pending.length : `${rows.length} of ${pending.length}`}</span>
          {waitingCount ? (
            <span className="waiting-count no-wrap" aria-label={`${waitingCount} with the agent waiting now, pinned on top`}>
              · {waitingCount} waiting now
            </span>
          ) : null}
        </h3>
        <div ref={scrollRef} className="inbox-list" role="list" aria-label="Pending approvals" tabIndex={-1}>
          {rows.length === 0 ? (
            <p className="muted small pad">{pending.length ? 'No waiting request matches the filter.' : 'No agent is waiting on you.'}</p>
          ) : null}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {range.map((item) => {
              const row = rows[item.index]!;
              const a = row.approval;
              return (
                <div key={a.id} role="listitem" className="vitem" style={{ transform: `translateY(${item.start}px)`, height: CARD_HEIGHT }}>
                  <ApprovalCard
                    approval={a}
                    selected={row.members.some((m) => m.id === selectedId)}
                    marked={row.members.every((m) => marked[m.id])}
                    fresh={Boolean(unseen[a.id])}
                    groupSize={row.members.length}
                    waitingNow={row.waitingNow}
                    onSelect={select}
                  />
                </div>
              );
            })}
          </div>
        </div>
        {staleShown.length ? (
          <section className="inbox-stale" aria-labelledby="stale-title">
            <h3 id="stale-title" className="inbox-group-title">
              No longer waiting <span className="count">{staleShown.length}</span>
              <button type="button" className="link small" onClick={() => useApprovals.getState().dismissStale()}>
                Dismiss all
              </button>
            </h3>
            <ul className="inbox-stale-list" aria-label="No longer waiting">
              {staleShown.map((a) => (
                <li key={a.id}>
                  <p className="small stale-why">{a.agent_name ?? a.agent_id} stopped waiting</p>
                  <ApprovalCard approval={a} selected={a.id === selectedId} stale onSelect={select} />
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
      {selected ? <ApprovalDetail key={selected.id} approval={selected} stale={Boolean(selectedStale)} /> : null}
    </div>
  );
}
