/**
 * The Inbox's Reviews tab: gate submissions the operator can still decide, beside approvals, and
 * answered here. Keys while it is shown: j/k move, a approve, c approve with conditions (focuses
 * the conditions when none are typed), d deny (focuses the reason when none is typed), w waive
 * (asks for the reason). Other Inbox keys are held back so they never act on a hidden approval.
 */
import { useEffect } from 'react';
import type { GateSubmission } from '../../../../shared/api/gates.js';
import { api, idemKey } from '../../lib/api';
import { useLiveEvents } from '../../lib/hub';
import { useResource } from '../../lib/useResource';
import { solutionHref } from '../../stores/route';
import { useReviews } from '../../stores/reviews';
import { toast } from '../../stores/toasts';
import { Empty, ErrorState, Loading } from '../../components/states';
import { ReviewDecision, type ReviewKey } from '../reviews/ReviewDecision';
import { SubmissionView } from '../reviews/SubmissionView';
import { ReviewCard, reviewTitle } from './ReviewCard';
import '../reviews/reviews.css';

/** Keeps the pending reviews loaded and live while the Inbox is open; the tab shows their count. */
export function ReviewsTabButton({ selected, onSelect }: { selected: boolean; onSelect(): void }) {
  const count = useReviews((s) => s.pending.length);
  const loaded = useReviews((s) => s.loaded);
  useEffect(() => {
    void useReviews.getState().load();
  }, []);
  useLiveEvents((e) => {
    if (e.type === 'gate_review.pending' || e.type === 'gate_review.decided') void useReviews.getState().load();
  });
  return (
    <button type="button" role="tab" aria-selected={selected} aria-controls="inbox-reviews" id="tab-reviews" onClick={onSelect}>
      Reviews {loaded ? <span className="count">{count}</span> : null}
    </button>
  );
}

const REVIEW_KEYS: Record<string, ReviewKey | 'next' | 'prev' | 'held'> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'prev',
  ArrowUp: 'prev',
  a: 'approve',
  A: 'held',
  c: 'conditional',
  d: 'deny',
  w: 'waive',
  r: 'held',
  x: 'held',
  '/': 'held',
};

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)));
}

/** The tab's keys, taken before the Inbox's own handler sees them; a `g` chord passes through untouched. */
function useReviewKeys(): void {
  useEffect(() => {
    let chord = false;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (chord) {
        if (!['Shift', 'CapsLock'].includes(e.key)) chord = false;
        return;
      }
      if (e.key === 'g') {
        chord = true;
        return;
      }
      const what = REVIEW_KEYS[e.key];
      if (!what) return;
      e.preventDefault();
      if (what === 'next') useReviews.getState().move(1);
      else if (what === 'prev') useReviews.getState().move(-1);
      else if (what !== 'held') {
        if (!useReviews.getState().selectedId) toast.warning('Nothing to review', 'Select a review first (j/k).');
        else window.dispatchEvent(new CustomEvent<ReviewKey>('warden:review', { detail: what }));
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);
}

export function ReviewsTab() {
  const { pending, loaded, loading, error, selectedId } = useReviews();
  const select = useReviews((s) => s.select);
  useReviewKeys();
  if (!loaded && loading) return <Loading label="Loading pending reviews…" />;
  if (error && !pending.length) return <ErrorState title="Could not load pending reviews" message={error} onRetry={() => void useReviews.getState().load()} />;
  if (!pending.length)
    return (
      <Empty title="No review waiting for you">
        When someone submits a gate of a solution (a new agent, an MCP server, a workflow) for sign-off, it shows up here. Policies and solutions are on <a href="#/reviews">Reviews</a>.
      </Empty>
    );
  const selected = pending.find((s) => s.id === selectedId) ?? null;
  return (
    <div className="review-split">
      <ul className="review-list" aria-label="Pending reviews">
        {pending.map((s) => (
          <li key={s.id}>
            <ReviewCard submission={s} selected={s.id === selectedId} onSelect={select} />
          </li>
        ))}
      </ul>
      {selected ? <ReviewDetail key={selected.id} submission={selected} /> : <p className="muted pad">Select a review (j/k).</p>}
    </div>
  );
}

function ReviewDetail({ submission: s }: { submission: GateSubmission }) {
  const policy = useResource(() => api().call('getGatePolicy', { params: { id: s.policy_id } }), [s.policy_id]);
  const stage = policy.data?.stages.find((st) => st.id === s.stage_id);
  const gate = stage?.gates.find((g) => g.id === s.gate_id) ?? null;
  const title = reviewTitle(s);

  async function after(result: GateSubmission, what: string) {
    useReviews.getState().remove(s.id);
    const still = result.status === 'submitted' ? ` It needs ${result.required_approvals} approvals in all; another operator decides next.` : '';
    toast.success(`${what}: ${s.gate_id}`, `${s.solution_name ?? s.solution_id} · ${s.policy_name ?? s.policy_id}.${still}`);
    void useReviews.getState().load();
  }

  return (
    <section className="review-detail card" aria-label={`Review of ${title}`}>
      <div className="card-head">
        <h3 className="card-title">
          {gate?.name ?? s.gate_id} <span className="muted small">({s.gate_type})</span>
        </h3>
        <a href={solutionHref(s.solution_id)}>Open solution</a>
      </div>
      <p>
        <strong>{s.solution_name ?? s.solution_id}</strong> · {s.policy_name ?? s.policy_id} · stage {stage ? `${policy.data!.stages.indexOf(stage) + 1} of ${policy.data!.stages.length}: ${stage.name}` : s.stage_id}
      </p>
      {gate?.description ? <p className="muted">{gate.description}</p> : null}
      <SubmissionView submission={s} gate={gate} />
      <ReviewDecision
        subject={title}
        keyboard
        onDecide={async (decision, body) => {
          const result = await api().call('decideGateSubmission', { params: { id: s.id }, body: { decision, ...body } }, { idempotencyKey: idemKey() });
          await after(result, decision === 'approved' ? 'Approved' : decision === 'denied' ? 'Denied' : 'Approved with conditions');
        }}
        onWaive={async (reason) => {
          const result = await api().call('waiveGateSubmission', { params: { id: s.id }, body: { reason } }, { idempotencyKey: idemKey() });
          await after(result, 'Waived');
        }}
      />
      {policy.error ? <p className="muted small">The policy could not be read: {policy.error}</p> : null}
    </section>
  );
}
