/**
 * The Inbox: pending approvals in a virtualized list (1,000 requests keep ~20 cards in the
 * DOM) beside the selected request's full detail and the three decisions. Keyboard first:
 * j/k move, a allow once, Shift+A allow always (opens the scope chooser), d deny, r focus the
 * deny reason, z undo the last allow for 10 s.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Approval, ApprovalDecisionKind } from '../../../shared/api/approvals.js';
import type { GrantScope } from '../../../shared/api/grants.js';
import { api, errorMessage, idemKey, isApiError } from '../lib/api';
import { ago, countdown, dateTime, micro } from '../lib/format';
import { useResource } from '../lib/useResource';
import { allowCount, decisionBy, undoWithToast, useApprovals } from '../stores/approvals';
import { useBudgets } from '../stores/budgets';
import { useNow } from '../stores/clock';
import { useSession } from '../stores/session';
import { toast, useToasts } from '../stores/toasts';
import { GrantScopeDialog } from '../components/GrantScopeDialog';
import { ArgsView } from '../components/JsonView';
import { VisibleText } from '../components/VisibleText';
import { LayerTable } from '../components/LayerTable';
import { Async, Empty, ErrorState, Loading } from '../components/states';
import { InboxStarterOffer } from './policies/StarterPolicy';
import { HistoryTab } from './InboxHistory';
import { McpCallContext } from './McpCallContext';

const CARD_HEIGHT = 96;

export async function decide(a: Approval, decision: ApprovalDecisionKind, extra: { comment?: string; grant?: GrantScope } = {}): Promise<boolean> {
  const store = useApprovals.getState();
  if (store.busy[a.id] || decisionBy(a, useSession.getState().operator?.id)) return false;
  store.setBusy(a.id, true);
  let body: { decision: ApprovalDecisionKind; comment?: string; grant?: GrantScope } = { decision };
  if (extra.comment?.trim()) body = { ...body, comment: extra.comment.trim() };
  if (decision === 'allow_always' && extra.grant) body = { ...body, grant: extra.grant };
  try {
    const res = await api().call('decideApproval', { params: { id: a.id }, body }, { idempotencyKey: idemKey() });
    const what = `${a.action.tool} · ${a.agent_name ?? a.agent_id}`;
    if (res.status === 'pending') {
      useApprovals.getState().upsert(res);
      useApprovals.getState().setBusy(a.id, false);
      toast.info(`Recorded — ${allowCount(res)} of ${res.required_approvals} approvals`, what);
    } else {
      useApprovals.getState().remove(a.id);
      if (res.status === 'approved') useApprovals.getState().setLastAllow({ approvalId: a.id, what, always: decision === 'allow_always', at: Date.now() });
      if (res.blocked_at_release) {
        toast.warning('Allowed, but the agent is blocked', `${what} — ${res.blocked_at_release.reason}`);
      } else if (decision === 'deny') {
        toast.info('Denied', what);
      } else {
        const label = decision === 'allow_once' ? 'Allowed once' : 'Allowed always';
        toastWithUndo(label, decision === 'allow_always' ? `${what} — a grant now answers this automatically.` : what);
      }
    }
    return true;
  } catch (err) {
    if (isApiError(err, 'already_resolved') || isApiError(err, 'approval_expired')) {
      useApprovals.getState().remove(a.id);
      toast.warning(isApiError(err, 'approval_expired') ? 'That request had expired' : 'Already resolved', a.action.tool);
    } else if (isApiError(err, 'state_conflict')) {
      // This operator decided elsewhere (a desktop notification, another tab), and a decision that
      // leaves the request pending sends no event: fetch it so the buttons lock.
      await refresh(a.id);
      toast.warning('You already decided on this request', 'It is waiting for another operator.');
    } else {
      useApprovals.getState().setBusy(a.id, false);
      toast.error('Decision failed', errorMessage(err));
    }
    return false;
  }
}

async function refresh(id: string): Promise<void> {
  try {
    useApprovals.getState().upsert(await api().call('getApproval', { params: { id } }));
  } catch {
    /* the next event or load brings it */
  }
  useApprovals.getState().setBusy(id, false);
}

/** A success toast whose action undoes the allow (as `z` does) while the server still can. */
function toastWithUndo(title: string, body: string): void {
  useToasts.getState().push({ kind: 'success', title, body: `${body} Press z to undo.`, action: { label: 'Undo', run: () => void undoWithToast() } });
}

/** "You approved · waiting for 1 more operator". */
function waitingLine(a: Approval): string {
  const more = Math.max(0, a.required_approvals - allowCount(a));
  return `You approved · waiting for ${more} more operator${more === 1 ? '' : 's'}`;
}

export function InboxPage() {
  const [tab, setTab] = useState<'pending' | 'history'>('pending');
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
        </div>
        <p className="muted small hint">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> allow once · <kbd>Shift</kbd>+<kbd>A</kbd> allow always · <kbd>d</kbd> deny · <kbd>z</kbd> undo ·{' '}
          <kbd>?</kbd> all shortcuts
        </p>
      </header>
      {tab === 'pending' ? (
        <div role="tabpanel" id="inbox-pending" aria-labelledby="tab-pending" className="tabpanel-fill">
          <PendingTab />
        </div>
      ) : (
        <div role="tabpanel" id="inbox-history" aria-labelledby="tab-history" className="tabpanel-fill">
          <HistoryTab />
        </div>
      )}
    </div>
  );
}

function PendingTab() {
  const { pending, loading, loaded, error, selectedId } = useApprovals();
  const load = useApprovals((s) => s.load);
  const select = useApprovals((s) => s.select);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: pending.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_HEIGHT,
    overscan: 6,
    // Scroll updates render in the next frame instead of synchronously inside the scroll event.
    useFlushSync: false,
    getItemKey: (i) => pending[i]?.id ?? i,
  });
  const selectedIndex = pending.findIndex((a) => a.id === selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  if (!loaded && loading) return <Loading label="Loading pending approvals…" />;
  if (error && !pending.length) return <ErrorState title="Could not load the inbox" message={error} onRetry={() => void load()} />;
  if (!pending.length)
    return (
      <Empty title="Inbox zero">
        Nothing is waiting for you. When an agent asks for something a policy marks ALERT, it shows up here at once — and as a notification.
        <InboxStarterOffer />
      </Empty>
    );
  const selected = selectedIndex >= 0 ? pending[selectedIndex]! : null;
  return (
    <div className="inbox-split">
      <div ref={scrollRef} className="inbox-list" role="list" aria-label="Pending approvals" tabIndex={-1}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const a = pending[item.index]!;
            return (
              <div key={a.id} role="listitem" className="vitem" style={{ transform: `translateY(${item.start}px)`, height: CARD_HEIGHT }}>
                <ApprovalCard approval={a} selected={a.id === selectedId} onSelect={select} />
              </div>
            );
          })}
        </div>
      </div>
      {selected ? <ApprovalDetail key={selected.id} approval={selected} /> : null}
    </div>
  );
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow((s) => s.now);
  const left = (Date.parse(expiresAt) - now) / 1000;
  const cls = left <= 0 ? 'countdown expired' : left < 60 ? 'countdown urgent' : 'countdown';
  return (
    <span className={cls} role="timer" aria-label={left <= 0 ? 'expired' : `expires in ${countdown(left)}`}>
      {left <= 0 ? 'expired' : countdown(left)}
    </span>
  );
}

const ApprovalCard = memo(function ApprovalCard({ approval: a, selected, onSelect }: { approval: Approval; selected: boolean; onSelect(id: string): void }) {
  const agent = a.agent_name ?? a.agent_id;
  const ref = useRef<HTMLElement>(null);
  // Roving focus: when the list has keyboard focus, it follows the selection (j/k, arrows).
  useEffect(() => {
    const el = ref.current;
    if (selected && el && el.closest('.inbox-list')?.contains(document.activeElement) && document.activeElement !== el) el.focus({ preventScroll: true });
  }, [selected]);
  return (
    <article
      ref={ref}
      className={`approval-card${selected ? ' selected' : ''}`}
      aria-label={`${a.action.tool} by ${agent}`}
      aria-current={selected ? 'true' : undefined}
      tabIndex={selected ? 0 : -1}
      onClick={() => onSelect(a.id)}
      onFocus={() => onSelect(a.id)}
    >
      <div className="approval-card-top">
        <span className="tool mono">{a.action.tool}</span>
        {a.action.connector ? <span className="muted small">via {a.action.connector}</span> : null}
        <Countdown expiresAt={a.expires_at} />
      </div>
      <div className="approval-card-meta">
        <span className="agent">{agent}</span>
        {a.action.value !== undefined ? <span className="value">value {a.action.value}</span> : null}
        {a.required_approvals > 1 ? (
          <span className="pill pill-warn">
            {allowCount(a)} of {a.required_approvals} approvals
          </span>
        ) : null}
        {a.categories.map((c) => (
          <span key={c} className="chip">
            {c}
          </span>
        ))}
        <McpCallContext approval={a} />
      </div>
      <p className="approval-card-why">
        <VisibleText text={a.explanation} />
      </p>
    </article>
  );
});

function ApprovalDetail({ approval: a }: { approval: Approval }) {
  const inFlight = useApprovals((s) => Boolean(s.busy[a.id]));
  // Past expires_at the server answers 409; the reaper's event removes the card shortly.
  const expired = useNow((s) => s.now >= Date.parse(a.expires_at));
  const mine = decisionBy(a, useSession((s) => s.operator?.id));
  const busy = inFlight || expired || Boolean(mine);
  const [reason, setReason] = useState('');
  const [choosing, setChoosing] = useState(false);
  const stopped = useBudgets((s) => s.killSwitch?.engaged === true);
  const receipt = useResource(async () => (a.receipt_id ? api().call('getReceipt', { params: { id: a.receipt_id } }) : null), [a.receipt_id]);
  // Why Allow always is not offered, in the server's words.
  const notOffered = useResource(async () => (a.grantable ? null : (await api().call('grantOptions', { params: { id: a.id } })).not_grantable_reason), [a.id, a.grantable]);
  const whyNot = notOffered.data ?? 'this request asks every time';

  // The keyboard shortcuts live in the shell; they reach this pane through these events.
  useEffect(() => {
    const onKey = (e: Event) => {
      const kind = (e as CustomEvent<string>).detail;
      if (expired || mine) return;
      if (kind === 'allow_once') void decide(a, 'allow_once');
      else if (kind === 'allow_always') {
        if (a.grantable) setChoosing(true);
        else toast.warning('Allow always is not offered', whyNot);
      } else if (kind === 'deny') void decide(a, 'deny', { comment: reason });
      else if (kind === 'reason') document.getElementById('deny-reason')?.focus();
    };
    window.addEventListener('warden:inbox', onKey);
    return () => window.removeEventListener('warden:inbox', onKey);
  }, [a, reason, expired, mine, whyNot]);

  return (
    <section className="inbox-detail" aria-label="Approval details">
      <header className="detail-header">
        <div>
          <h3 className="mono">{a.action.tool}</h3>
          <p className="muted">
            {a.agent_name ?? a.agent_id}
            {a.kind === 'delegation' ? ' · delegation request' : ''} · asked {ago(a.created_at)}
          </p>
        </div>
        <div className="detail-timer">
          Expires in <Countdown expiresAt={a.expires_at} />
        </div>
      </header>

      {a.required_approvals > 1 ? (
        <p className="threshold" role="status">
          <strong>
            {allowCount(a)} of {a.required_approvals} approvals
          </strong>{' '}
          — needs {a.required_approvals} distinct operators; one deny denies.
          {a.decisions.length ? ` So far: ${a.decisions.map((d) => d.operator_name ?? d.operator).join(', ')}.` : ''}
          {a.eligible_operators?.length ? ` May still decide: ${a.eligible_operators.map((o) => o.name).join(', ')}.` : ''}
        </p>
      ) : null}

      <p className="explanation">
        <VisibleText text={a.explanation} />
      </p>
      <McpCallContext approval={a} variant="detail" />
      {stopped ? (
        <p className="warn" role="status">
          All agents are stopped: an allow is recorded, but the agent is told it is blocked by the kill-switch.
        </p>
      ) : null}

      {mine ? (
        <p className="decided">{waitingLine(a)}</p>
      ) : null}
      <div className="decision-bar">
        <button type="button" className="allow" disabled={busy} onClick={() => void decide(a, 'allow_once')} aria-keyshortcuts="a">
          Allow once
        </button>
        <button
          type="button"
          className="allow-always"
          disabled={busy || !a.grantable}
          onClick={() => setChoosing(true)}
          aria-keyshortcuts="Shift+A"
          aria-haspopup="dialog"
          title={a.grantable ? 'Choose what to allow always' : `Not offered: ${whyNot}`}
        >
          Allow always
        </button>
        <button type="button" className="deny" disabled={busy} onClick={() => void decide(a, 'deny', { comment: reason })} aria-keyshortcuts="d">
          Deny
        </button>
        <input
          id="deny-reason"
          className="reason"
          aria-label="Reason for denial"
          placeholder="Deny reason, sent to the agent (r)"
          value={reason}
          disabled={Boolean(mine)}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void decide(a, 'deny', { comment: reason });
          }}
        />
      </div>
      {a.grantable ? null : (
        <p className="muted small" role="note">
          Allow always is not offered: {whyNot}.
        </p>
      )}
      {a.grantable ? (
        <GrantScopeDialog
          approval={a}
          open={choosing}
          onClose={() => setChoosing(false)}
          onAllow={(grant) => {
            setChoosing(false);
            void decide(a, 'allow_always', { grant });
          }}
        />
      ) : null}

      <h4>Arguments</h4>
      <ArgsView args={a.action.args} />

      <dl className="kv compact">
        {a.action.value !== undefined ? (
          <>
            <dt>Value</dt>
            <dd>{a.action.value}</dd>
          </>
        ) : null}
        {a.categories.length ? (
          <>
            <dt>Categories</dt>
            <dd>{a.categories.join(', ')}</dd>
          </>
        ) : null}
        {a.action.connector ? (
          <>
            <dt>Connector</dt>
            <dd>{a.action.connector}</dd>
          </>
        ) : null}
        {a.action.cost_estimate_micro_usd !== undefined ? (
          <>
            <dt>Cost estimate</dt>
            <dd>{micro(a.action.cost_estimate_micro_usd)}</dd>
          </>
        ) : null}
        {a.action.mission_id ? (
          <>
            <dt>Mission</dt>
            <dd>{a.action.mission_id}</dd>
          </>
        ) : null}
        {a.action.resource ? (
          <>
            <dt>Resource</dt>
            <dd>
              {a.action.resource.type}/{a.action.resource.id}
            </dd>
          </>
        ) : null}
        <dt>Expires</dt>
        <dd>{dateTime(a.expires_at)}</dd>
        <dt>Request</dt>
        <dd className="mono small">{a.id}</dd>
      </dl>

      <h4>Why it asks</h4>
      <Async {...receipt} what="the receipt">
        {(r) =>
          r ? (
            <>
              {r.matched.length ? (
                <ul className="matched" aria-label="Matched rules">
                  {r.matched.map((m) => (
                    <li key={`${m.policy_id}:${m.rule}`}>
                      <span className={`verdict verdict-${m.decision}`}>{m.decision}</span> {m.policy_name} v{m.policy_version} · rule {m.rule + 1}
                      {m.constraint_failed ? <span className="muted"> — {m.constraint_failed}</span> : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted small">No guardrail rule matched.</p>
              )}
              <LayerTable layers={r.layers} />
            </>
          ) : (
            <p className="muted small">No receipt (a delegation request).</p>
          )
        }
      </Async>
    </section>
  );
}
