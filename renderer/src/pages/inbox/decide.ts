/** Deciding a request from the Inbox: one at a time (keys, buttons) or several at once (bulk). */
import type { Approval, ApprovalDecisionKind } from '../../../../shared/api/approvals.js';
import type { GrantScope } from '../../../../shared/api/grants.js';
import { api, errorMessage, idemKey, isApiError } from '../../lib/api';
import { allowCount, decisionBy, undoWithToast, useApprovals } from '../../stores/approvals';
import { useSession } from '../../stores/session';
import { toast, useToasts } from '../../stores/toasts';
import { canWith } from '../../lib/can';

export async function decide(
  a: Approval,
  decision: ApprovalDecisionKind,
  extra: { comment?: string; grant?: GrantScope } = {},
  { quiet = false }: { quiet?: boolean } = {},
): Promise<boolean> {
  const store = useApprovals.getState();
  if (store.busy[a.id] || decisionBy(a, useSession.getState().operator?.id)) return false;
  // A key press reaches here without a button: it says why instead of asking the server in vain.
  const can = canWith(useSession.getState().operator?.role, 'decideApproval');
  if (!can.allowed) {
    if (!quiet) toast.warning('Cannot decide this request', `Deciding ${can.reason}.`);
    return false;
  }
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
      if (!quiet) toast.info(`Recorded — ${allowCount(res)} of ${res.required_approvals} approvals`, what);
    } else {
      useApprovals.getState().remove(a.id);
      if (res.status === 'approved') useApprovals.getState().setLastAllow({ approvalId: a.id, what, always: decision === 'allow_always', at: Date.now() });
      if (quiet) {
        /* the bulk toast counts it */
      } else if (res.blocked_at_release) {
        toast.warning('Allowed, but the agent is blocked', `${what} — ${res.blocked_at_release.reason}`);
      } else if (decision === 'deny') {
        toast.denied('Denied', what);
      } else {
        const label = decision === 'allow_once' ? 'Allowed once' : 'Allowed always';
        toastWithUndo(label, decision === 'allow_always' ? `${what} — a grant now answers this automatically.` : what);
      }
    }
    return true;
  } catch (err) {
    if (isApiError(err, 'already_resolved') || isApiError(err, 'approval_expired')) {
      useApprovals.getState().remove(a.id);
      if (!quiet) toast.warning(isApiError(err, 'approval_expired') ? 'That request had expired' : 'Already resolved', a.action.tool);
    } else if (isApiError(err, 'state_conflict')) {
      // This operator decided elsewhere (a desktop notification, another tab), and a decision that
      // leaves the request pending sends no event: fetch it so the buttons lock.
      await refresh(a.id);
      if (!quiet) toast.warning('You already decided on this request', 'It is waiting for another operator.');
    } else {
      useApprovals.getState().setBusy(a.id, false);
      if (!quiet) toast.error('Decision failed', errorMessage(err));
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
export function waitingLine(a: Approval): string {
  const more = Math.max(0, a.required_approvals - allowCount(a));
  return `You approved · waiting for ${more} more operator${more === 1 ? '' : 's'}`;
}


/**
 * Allow once or deny several requests (the `x` marks, or a group of identical ones): one request
 * after another, then one toast that counts what happened.
 */
export async function decideMany(list: readonly Approval[], decision: 'allow_once' | 'deny'): Promise<void> {
  let done = 0;
  let failed = 0;
  for (const a of list) {
    const ok = await decide(a, decision, {}, { quiet: true });
    if (ok) done++;
    else failed++;
  }
  useApprovals.getState().clearMarks();
  const verb = decision === 'deny' ? 'Denied' : 'Allowed once';
  const title = `${verb}: ${done} request${done === 1 ? '' : 's'}`;
  const body = failed ? `${failed} could not be decided (already resolved, expired or withdrawn).` : undefined;
  if (decision === 'deny') toast.denied(title, body);
  else if (failed) toast.warning(title, body);
  else toast.success(title, body);
}
