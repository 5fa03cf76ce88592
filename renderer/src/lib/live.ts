/**
 * Wires the event stream to the stores, the desktop bridge, toasts and Web Notifications.
 * Started once after sign-in; on every (re)connection it refetches the live state so nothing
 * missed while disconnected stays stale.
 */
import type { WardenEvent } from '../../../shared/events.js';
import { api } from './api';
import { emitLive } from './hub';
import { openEventStream } from './sse';
import { approvalFromEvent, approvalIdFromEvent, useApprovals } from '../stores/approvals';
import { budgetFromEvent, killSwitchFromEvent, useBudgets } from '../stores/budgets';
import { useRoute } from '../stores/route';
import { useSession } from '../stores/session';
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

function scopeText(data: Record<string, unknown>): string {
  const b = budgetFromEvent(data);
  const scope = b?.scope ?? data.scope;
  const id = b?.scope_id ?? data.scope_id;
  return scope === 'global' ? 'Global budget' : `${String(scope ?? 'budget')} ${String(id ?? '')}`.trim();
}

async function refetchApproval(id: string): Promise<void> {
  try {
    useApprovals.getState().upsert(await api().call('getApproval', { params: { id } }));
  } catch {
    void useApprovals.getState().load();
  }
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
      const tool = a?.action.tool ?? String((data.action as { tool?: string } | undefined)?.tool ?? 'an action');
      const who = a?.agent_name ?? a?.agent_id ?? 'An agent';
      const id = a?.id ?? approvalIdFromEvent(data);
      const open = id ? () => focusApproval(id) : undefined;
      if (useRoute.getState().page !== 'inbox') {
        useToasts.getState().push({ kind: 'info', title: 'Approval needed', body: `${who} wants to run ${tool}`, action: open ? { label: 'Open', run: open } : undefined });
      }
      notify('Approval needed', `${who} wants to run ${tool}${a ? ` — ${a.explanation}` : ''}`, id ?? 'approval', open);
      break;
    }
    case 'approval.resolved': {
      const a = approvalFromEvent(data);
      const id = a?.id ?? approvalIdFromEvent(data);
      if (a && a.status === 'pending') useApprovals.getState().upsert(a);
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
      const what = scopeText(data);
      if (event.type === 'budget.paused') {
        useToasts.getState().push({ kind: 'error', title: `${what} paused`, body: 'Its agents are blocked until you resume it.', action: { label: 'Budgets', run: () => useRoute.getState().go('budgets') } });
        notify('Budget paused', `${what} hit its cap; its agents are blocked.`, `budget:${what}`, () => useRoute.getState().go('budgets'));
      } else if (event.type === 'budget.warning') {
        useToasts.getState().push({ kind: 'warning', title: `${what} at 80%`, body: 'Spend crossed 80% of its cap.' });
      }
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
