/** The shell: sign-in gate, header (kill-switch, live status), navigation, shortcuts, toasts. */
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage } from './lib/api';
import { startLive } from './lib/live';
import { undoWithToast, useApprovals } from './stores/approvals';
import { useBudgets } from './stores/budgets';
import { PAGE_TITLES, PAGES, useRoute, type Page } from './stores/route';
import { useSession } from './stores/session';
import { toast } from './stores/toasts';
import { Dialog } from './components/Dialog';
import { Loading } from './components/states';
import { Toasts } from './components/Toasts';
import { InboxPage } from './pages/Inbox';
import { Gate } from './lib/can';
import { ReviewArrivals } from './pages/inbox/ReviewArrivals';

// The Inbox ships in the main chunk (it is the first screen); the rest load on first visit.
const BudgetsPage = lazy(() => import('./pages/Budgets').then((m) => ({ default: m.BudgetsPage })));
const PoliciesPage = lazy(() => import('./pages/Policies').then((m) => ({ default: m.PoliciesPage })));
const ReviewsPage = lazy(() => import('./pages/Reviews').then((m) => ({ default: m.ReviewsPage })));
const AgentsPage = lazy(() => import('./pages/Agents').then((m) => ({ default: m.AgentsPage })));
const AuditPage = lazy(() => import('./pages/Audit').then((m) => ({ default: m.AuditPage })));
const ReportsPage = lazy(() => import('./pages/Reports').then((m) => ({ default: m.ReportsPage })));
const ReceiptPage = lazy(() => import('./pages/Receipt').then((m) => ({ default: m.ReceiptPage })));
const WorkflowsPage = lazy(() => import('./pages/workflows/Workflows').then((m) => ({ default: m.WorkflowsPage })));
const WorkflowPage = lazy(() => import('./pages/workflows/WorkflowDetail').then((m) => ({ default: m.WorkflowPage })));
const WorkflowRunPage = lazy(() => import('./pages/workflows/RunDetail').then((m) => ({ default: m.WorkflowRunPage })));

export function App() {
  const status = useSession((s) => s.status);
  if (status === 'checking') return <Loading label="Signing in…" />;
  if (status === 'signed_in') return <Shell />;
  return <SignedOut />;
}

function SignedOut() {
  const { status, reason, baseUrl } = useSession();
  const signIn = useSession((s) => s.signIn);
  const [token, setToken] = useState('');
  function submit(e: FormEvent) {
    e.preventDefault();
    if (token.trim()) void signIn(token.trim());
  }
  return (
    <main className="signin">
      <div className="signin-card">
        <h1>Warden</h1>
        {status === 'unreachable' ? (
          <p className="form-error" role="alert">
            Cannot reach the Warden server at {baseUrl}: {reason}
          </p>
        ) : reason ? (
          <p className="warning" role="alert">
            {reason}
          </p>
        ) : null}
        <h2>Sign in to the operator desk</h2>
        <p>Open the sign-in link Warden printed when it started. It looks like this:</p>
        <pre className="snippet">
          $ warden serve{'\n'}warden listening on {baseUrl || 'http://127.0.0.1:7419'}
          {'\n'}open {baseUrl || 'http://127.0.0.1:7419'}/#token=wk_op_…
        </pre>
        <p>
          Lost it? The operator token is in <code>DATA_DIR/operator.token</code>: <code>$WARDEN_DATA_DIR/operator.token</code> when that is set, else on Linux{' '}
          <code>~/.local/share/warden/operator.token</code>. Paste it here — it stays in this tab only:
        </p>
        <form className="inline-form" onSubmit={submit}>
          <label className="sr-only" htmlFor="token-input">
            Operator token
          </label>
          <input id="token-input" type="password" autoComplete="off" placeholder="wk_op_…" value={token} onChange={(e) => setToken(e.target.value)} />
          <button type="submit" className="primary" disabled={!token.trim()}>
            Sign in
          </button>
        </form>
        {status === 'unreachable' ? (
          <button type="button" onClick={() => window.location.reload()}>
            Retry
          </button>
        ) : null}
      </div>
    </main>
  );
}

const MODIFIER_KEYS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'Meta']);
const NAV_KEYS: Record<string, Page> = { i: 'inbox', b: 'budgets', p: 'policies', v: 'reviews', a: 'agents', w: 'workflows', u: 'audit', r: 'reports' };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function Shell() {
  const page = useRoute((s) => s.page);
  const go = useRoute((s) => s.go);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    const approvals = useApprovals.getState();
    if (!approvals.loaded && !approvals.loading) void approvals.load();
    void useBudgets.getState().loadKillSwitch();
    return startLive();
  }, []);

  // Global shortcuts. `g` then a letter navigates; the Inbox keys act on the selected request.
  useEffect(() => {
    // INVARIANT: the key after `g` is always taken by the chord, however long after it comes, so
    // a slow `g a` navigates (or does nothing) and never decides a request.
    let chord = false;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (chord) {
        if (MODIFIER_KEYS.has(e.key)) return;
        e.preventDefault();
        chord = false;
        const to = NAV_KEYS[e.key];
        if (to) {
          e.preventDefault();
          go(to);
        }
        return;
      }
      if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
        return;
      }
      if (e.key === 'g') {
        chord = true;
        return;
      }
      if (useRoute.getState().page !== 'inbox') return;
      const inbox = (detail: string) => window.dispatchEvent(new CustomEvent('warden:inbox', { detail }));
      // The physical A key: Shift+A allows always, A alone allows once. Caps Lock turns `a`
      // into `A` in e.key, never into a permanent grant.
      if (e.code === 'KeyA') {
        e.preventDefault();
        if (!useApprovals.getState().selectedId) toast.warning('Nothing to allow', 'Select a request first (j/k).');
        else inbox(e.shiftKey ? 'allow_always' : 'allow_once');
        return;
      }
      if (e.code === 'KeyZ' && !e.shiftKey) {
        e.preventDefault();
        void undoWithToast();
        return;
      }
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          e.preventDefault();
          useApprovals.getState().move(1);
          break;
        case 'k':
        case 'ArrowUp':
          e.preventDefault();
          useApprovals.getState().move(-1);
          break;
        case 'd':
          e.preventDefault();
          inbox('deny');
          break;
        case 'r':
          e.preventDefault();
          inbox('reason');
          break;
        case '/':
          e.preventDefault();
          inbox('filter');
          break;
        case 'x':
          e.preventDefault();
          inbox('mark');
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const Current = { inbox: InboxPage, budgets: BudgetsPage, policies: PoliciesPage, reviews: ReviewsPage, agents: AgentsPage, audit: AuditPage, reports: ReportsPage, receipt: ReceiptPage, workflows: WorkflowsPage, workflow: WorkflowPage, 'workflow-run': WorkflowRunPage }[page];

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <h1 className="brand">Warden</h1>
        <Nav page={page} go={go} />
        <div className="sidebar-foot">
          <NotificationToggle />
          <button type="button" className="link" onClick={() => setHelp(true)}>
            Keyboard shortcuts <kbd>?</kbd>
          </button>
          <Operator />
        </div>
      </aside>
      <div className="main-col">
        <TopBar />
        <main id="main" className="main" tabIndex={-1}>
          <Suspense fallback={<Loading label={`Loading ${PAGE_TITLES[page]}…`} />}>
            <Current />
          </Suspense>
        </main>
      </div>
      <Toasts />
      <ReviewArrivals />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}

function Nav({ page, go }: { page: Page; go(p: Page): void }) {
  const pending = useApprovals((s) => s.pending.length);
  const paused = useBudgets((s) => s.budgets.filter((b) => b.status === 'paused').length);
  return (
    <nav aria-label="Main">
      <ul className="nav">
        {PAGES.map((p) => (
          <li key={p}>
            <a
              href={`#/${p}`}
              aria-current={p === page || (p === 'workflows' && page.startsWith('workflow')) ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go(p);
              }}
            >
              {PAGE_TITLES[p]}
              {p === 'inbox' && pending > 0 ? (
                <span className="badge" aria-label={`${pending} pending`}>
                  {pending > 999 ? '999+' : pending}
                </span>
              ) : null}
              {p === 'budgets' && paused > 0 ? (
                <span className="badge badge-bad" aria-label={`${paused} paused`}>
                  {paused}
                </span>
              ) : null}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function TopBar() {
  const ks = useBudgets((s) => s.killSwitch);
  const stream = useSession((s) => s.stream);
  const [busy, setBusy] = useState(false);

  async function setEngaged(engaged: boolean) {
    setBusy(true);
    try {
      const next = engaged
        ? await api().call('engageKillSwitch', { body: { reason: 'Stopped from the operator desk' } })
        : await api().call('releaseKillSwitch');
      useBudgets.getState().setKillSwitch(next);
      if (engaged) toast.warning('All agents stopped', 'Every action is blocked until you release the kill-switch.');
      else toast.success('Kill-switch released', 'Agents run under their policies and budgets again.');
    } catch (err) {
      toast.error('Could not change the kill-switch', errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const engaged = ks?.engaged === true;
  const live = stream === 'open';
  return (
    <header className={`topbar${engaged ? ' topbar-stopped' : ''}`}>
      <div className="killswitch-state" role="status" aria-label="Kill-switch state">
        {engaged ? (
          <>
            <span className="dot dot-bad" aria-hidden="true" /> <strong>All agents stopped</strong>
            <span className="muted small">{ks?.reason ? ` — ${ks.reason}` : ''}</span>
          </>
        ) : ks ? (
          <>
            <span className="dot dot-ok" aria-hidden="true" /> Agents running
          </>
        ) : (
          <span className="muted">Kill-switch state unknown</span>
        )}
      </div>
      <span className={`live ${live ? 'live-on' : 'live-off'}`} role="status" aria-label="Live updates" title={live ? 'Receiving live events' : 'Reconnecting to the event stream…'}>
        <span className="dot" aria-hidden="true" /> {live ? 'Live' : stream === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
      </span>
      {engaged ? (
        <Gate route="releaseKillSwitch">
          <button type="button" className="release" disabled={busy} onClick={() => void setEngaged(false)}>
            Release all agents
          </button>
        </Gate>
      ) : (
        <Gate route="engageKillSwitch">
          <button type="button" className="stop" disabled={busy || !ks} onClick={() => void setEngaged(true)}>
            Stop all agents
          </button>
        </Gate>
      )}
    </header>
  );
}

function NotificationToggle() {
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  const desktop = useSession((s) => s.desktop);
  if (desktop || perm === 'unsupported' || perm === 'granted') return null;
  if (perm === 'denied') return <p className="muted small">Desktop notifications are blocked for this site.</p>;
  return (
    <button type="button" className="link" onClick={() => void Notification.requestPermission().then(setPerm)}>
      Enable desktop notifications
    </button>
  );
}

function Operator() {
  const op = useSession((s) => s.operator);
  const desktop = useSession((s) => s.desktop);
  const signOut = useSession((s) => s.signOut);
  return (
    <div className="operator small">
      <span className="muted">Signed in as</span> <strong>{op?.name}</strong>
      {desktop ? null : (
        <button type="button" className="link" onClick={() => signOut()}>
          Sign out
        </button>
      )}
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ['j / ↓', 'Next request (Inbox)'],
  ['k / ↑', 'Previous request (Inbox)'],
  ['a', 'Allow once'],
  ['Shift A', 'Allow always: choose the scope (Caps Lock a is allow once)'],
  ['z', 'Undo the last allow (for 10 s)'],
  ['d', 'Deny (with the reason typed, if any)'],
  ['r', 'Type a reason for denial'],
  ['x', 'Mark the request (or its group) for a bulk allow or deny; on Budgets, tick the focused paused budget for Resume selected'],
  ['/', 'Filter requests: text, agent:NAME, tool:NAME (Esc clears)'],
  ['c', 'Inbox → Reviews: approve with the conditions typed (a approves, d denies with the reason typed)'],
  ['w', 'Inbox → Reviews: waive the gate (asks for the reason)'],
  ['g i', 'Go to Inbox'],
  ['g b', 'Go to Budgets'],
  ['g p', 'Go to Policies'],
  ['g v', 'Go to Reviews'],
  ['g a', 'Go to Agents'],
  ['g w', 'Go to Workflows'],
  ['g u', 'Go to Audit'],
  ['g r', 'Go to Reports'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog'],
];

function ShortcutsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog title="Keyboard shortcuts" open={open} onClose={onClose}>
      <table className="table shortcuts" aria-label="Keyboard shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                {k.split(' ').map((part, i) => (part === '/' ? <span key={i}> or </span> : <kbd key={i}>{part}</kbd>))}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
