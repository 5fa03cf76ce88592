/**
 * A review submitted while the operator is on another page: one counting toast that opens the
 * Inbox. Submissions of the operator's own are not announced to them (they cannot review those).
 */
import { useLiveEvents } from '../../lib/hub';
import { useRoute } from '../../stores/route';
import { useSession } from '../../stores/session';
import { useToasts } from '../../stores/toasts';

export function ReviewArrivals() {
  useLiveEvents((e) => {
    if (e.type !== 'gate_review.pending' || e.data.status !== 'submitted') return;
    const me = useSession.getState().operator;
    if (me && e.data.submitted_by === `operator:${me.id}`) return;
    if (useRoute.getState().page === 'inbox') return;
    const key = 'reviews:new';
    const count = (useToasts.getState().byKey(key)?.count ?? 0) + 1;
    const what = `${e.data.solution_name ?? e.data.solution_id}: ${e.data.policy_name ?? e.data.policy_id} · ${e.data.gate_id}`;
    useToasts.getState().push({
      key,
      count,
      kind: 'info',
      title: count === 1 ? 'Review requested' : `${count} reviews requested`,
      body: count === 1 ? what : `The latest: ${what}`,
      action: { label: 'Inbox', run: () => useRoute.getState().go('inbox', 'reviews') },
    });
  });
  return null;
}
