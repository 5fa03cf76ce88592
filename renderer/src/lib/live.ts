/**
 * Wires the event stream to the stores, the desktop bridge, toasts and Web Notifications: the one
 * renderer module that reads server event payloads (a typed event map plugs in here).
 * Started once after sign-in; on every (re)connection it refetches the live state so nothing
 * missed while disconnected stays stale.
 */
import type { WardenEvent } from '../../../shared/events.js';
import { api } from './api';
import { useAgents } from '../stores/agents';
import { emitLive } from './hub';
import { openEventStream } from './sse';
import { approvalFromEvent, approvalIdFromEvent, useApprovals } from '../stores/approvals';
import { budgetFromEvent, killSwitchFromEvent, useBudgets } from '../stores/budgets';
import { useRoute } from '../stores/route';
import { useSession } from '../stores/session';
import { runChanged, useWorkflows } from '../stores/workflows';
import { useToasts } from '../stores/toasts';

export function focusApproval(id: string): void {
  window.focus();
  useRoute.getState().go('inbox');
  useApprovals.getState().select(id);
}

/** Web Notifications, only when the operator granted them and the window is not in front. */
function notify(title: string, body: string, tag: string, onClick?: () => void): void {
  if (useSession.getState().desktop) return; // Electron's main process shows native ones.
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      onClick?.();
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

/** An agent's name for toasts and notifications (the shared list, reloaded for a new agent). */
async function agentName(id: string): Promise<string> {
  const agents = useAgents.getState();
  await (agents.byId.has(id) ? Promise.resolve() : agents.loaded ? agents.reload() : agents.ensure());
  return useAgents.getState().byId.get(id)?.name ?? id;
}

async function scopeText(data: Record<string, unknown>): Promise<string> {
  const b = budgetFromEvent(data);
  const scope = String(b?.scope ?? data.scope ?? 'budget');
  const id = String(b?.scope_id ?? data.scope_id ?? '');
  if (scope === 'global') return 'Global budget';
  if (scope === 'agent') return `Budget of ${await agentName(id)}`;
  return `${scope === 'team' ? 'Team' : scope === 'mission' ? 'Mission' : scope} ${id} budget`.trim();
}

async function refetchApproval(id: string): Promise<void> {
  try {
    useApprovals.getState().upsert(await api().call('getApproval', { params: { id } }));
  } catch {
    void useApprovals.getState().load();
  }
}

/** Severity of a budget toast: a later, milder one never replaces a harsher one still showing. */
const BUDGET_SEVERITY = { 'budget.warning': 1, 'budget.cap_hit': 2, 'budget.paused': 3 } as const;

/**
 * One toast per budget: a spend that crosses 80 % and 100 % at once (warning, cap hit, paused)
 * shows only the last word, not three toasts.
 */
async function budgetToast(type: keyof typeof BUDGET_SEVERITY, data: Record<string, unknown>): Promise<void> {
  const what = await scopeText(data);
  const b = budgetFromEvent(data);
  const key = `budget:${b?.id ?? what}`;
  const shown = useToasts.getState().byKey(key);
  const severity = BUDGET_SEVERITY[type];
  if (shown && (shown.count ?? 0) > severity) return;
  const toBudgets = () => useRoute.getState().go('budgets');
  const action = { label: 'Budgets', run: toBudgets };
  if (type === 'budget.paused') {
    useToasts.getState().push({ key, count: severity, kind: 'error', sticky: true, title: `${what} paused`, body: 'It hit its cap; its agents are blocked until you resume it.', action });
    notify('Budget paused', `${what} hit its cap; its agents are blocked.`, key, toBudgets);
  } else if (type === 'budget.cap_hit') {
    useToasts.getState().push({ key, count: severity, kind: 'warning', title: `${what} at 100%`, body: 'Spend reached its limit (warn mode: agents keep running).', action });
  } else {
    useToasts.getState().push({ key, count: severity, kind: 'warning', title: `${what} at 80%`, body: 'Spend crossed 80% of its limit.', action });
  }
}

/** Arrivals while the operator is on another page: one toast that counts ("12 new requests"). */
function arrivalToast(who: string, tool: string, open: (() => void) | undefined): void {
  const key = 'approvals:new';
  const n = (useToasts.getState().byKey(key)?.count ?? 0) + 1;
  const toInbox = () => useRoute.getState().go('inbox');
  useToasts.getState().push(
    n === 1
      ? { key, count: 1, kind: 'info', title: 'Approval needed', body: `${who} wants to run ${tool}`, action: open ? { label: 'Open', run: open } : undefined }
      : { key, count: n, kind: 'info', title: `${n} new requests`, body: `The latest: ${who} wants to run ${tool}`, action: { label: 'Inbox', run: toInbox } },
  );
}

function handle(event: WardenEvent): void {
  const { data } = event;
  switch (event.type) {
    case 'approval.requested': {
      const a = approvalFromEvent(data);
      if (a) useApprovals.getState().upsert(a);
      else {
        const id = approvalIdFromEvent(data);
        if (id) void refetchApproval(id);
        else void useApprovals.getState().load();
      }
      const tool = a?.action.tool ?? String((event.data.action as { tool?: string } | undefined)?.tool ?? 'an action');
      const who = a?.agent_name ?? a?.agent_id ?? 'An agent';
      const id = a?.id ?? approvalIdFromEvent(data);
      const open = id ? () => focusApproval(id) : undefined;
      // On the Inbox the list itself shows the arrival (the "new" pill); elsewhere, one counting toast.
      if (useRoute.getState().page !== 'inbox') arrivalToast(who, tool, open);
      notify('Approval needed', `${who} wants to run ${tool}${a ? ` — ${a.explanation}` : ''}`, id ?? 'approval', open);
      break;
    }
    case 'approval.waiting':
    case 'approval.decided':
    case 'approval.resolved': {
      const a = approvalFromEvent(data);
      const id = a?.id ?? approvalIdFromEvent(data);
      // A withdrawn request moves to the Inbox's "no longer waiting" group, where it says why.
      if (a?.withdrawn_at) useApprovals.getState().markStale(a);
      else if (a && a.status === 'pending') useApprovals.getState().upsert(a);
      else if (id) useApprovals.getState().remove(id);
      else void useApprovals.getState().load();
      break;
    }
    case 'budget.warning':
    case 'budget.cap_hit':
    case 'budget.paused':
    case 'budget.resumed': {
      const b = budgetFromEvent(data);
      if (b) useBudgets.getState().upsert(b);
      else void useBudgets.getState().load();
      if (event.type !== 'budget.resumed') void budgetToast(event.type, data);
      break;
    }
    case 'kill_switch.changed': {
      const ks = killSwitchFromEvent(data);
      if (ks) useBudgets.getState().setKillSwitch(ks);
      else void useBudgets.getState().loadKillSwitch();
      break;
    }
    case 'action.evaluated':
      break;
    // A role change reaches the operator's open UI at once: controls it may no longer use disable.
    case 'operator.changed':
      useSession.getState().operatorChanged(event.data);
      break;
    // A workflow run moved or waits on a human step: the runs store follows it.
    case 'workflow_run.changed':
      runChanged(event.data);
      break;
    case 'workflow_run.waiting':
      runChanged(event.data.run);
      break;
  }
  emitLive(event);
}

export function startLive(): () => void {
  const stop = openEventStream({
    connect: (signal) => api().raw('events', undefined, { signal }),
    onEvent: handle,
    onOpen() {
      void useApprovals.getState().load();
      void useBudgets.getState().load();
      void useBudgets.getState().loadKillSwitch();
      useWorkflows.getState().resync();
    },
    onState(state) {
      useSession.getState().setStream(state);
      if (state === 'unauthorized') useSession.getState().signOut('The server no longer accepts this operator token. Sign in again.');
    },
  });

  // The tray badge (Electron) and the tab title follow the pending count.
  let last = -1;
  const unsub = useApprovals.subscribe((s) => {
    const n = s.pending.length;
    if (n === last) return;
    last = n;
    document.title = n ? `(${n}) Warden` : 'Warden';
    useSession.getState().desktop?.setPendingCount(n);
  });
  const offFocus = useSession.getState().desktop?.onFocusApproval((id) => focusApproval(id));
  return () => {
    stop();
    unsub();
    offFocus?.();
  };
}
