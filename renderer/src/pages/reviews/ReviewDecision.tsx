/**
 * Answering a gate submission: approve, approve with conditions (one per line, at least one),
 * deny with a reason, or waive behind a confirmation that asks why (at least 10 characters; the
 * reason is kept on the submission and in the audit). Used by the Inbox and the Reviews page.
 *
 * The Inbox's keys arrive as `warden:review` events (`approve`, `conditional`, `deny`, `waive`),
 * so the same checks run whether a button or a key decided.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../lib/api';
import { Dialog } from '../../components/Dialog';

export type ReviewDecisionKind = 'approved' | 'denied' | 'conditional';
export type ReviewKey = 'approve' | 'conditional' | 'deny' | 'waive';

export const MIN_WAIVER_REASON = 10;

export function parseConditions(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*[-*•]\s*/, '').trim())
    .filter(Boolean);
}

export interface ReviewDecisionProps {
  /** What is decided, for labels ("Security review · gate_1_1"). */
  subject: string;
  onDecide(decision: ReviewDecisionKind, body: { comments?: string; conditions?: string[] }): Promise<void>;
  onWaive(reason: string): Promise<void>;
  /** Listen for the Inbox's keys. */
  keyboard?: boolean;
}

export function ReviewDecision({ subject, onDecide, onWaive, keyboard = false }: ReviewDecisionProps) {
  const [comments, setComments] = useState('');
  const [conditions, setConditions] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [waiving, setWaiving] = useState(false);
  const commentsRef = useRef<HTMLTextAreaElement>(null);
  const conditionsRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();

  async function decide(decision: ReviewDecisionKind) {
    setError(null);
    const list = parseConditions(conditions);
    if (decision === 'conditional' && !list.length) {
      setError('Approving with conditions needs at least one condition (one per line).');
      conditionsRef.current?.focus();
      return;
    }
    if (decision === 'denied' && !comments.trim()) {
      setError('Say why it is denied: the submitter reads the reason.');
      commentsRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await onDecide(decision, { comments: comments.trim() || undefined, conditions: decision === 'conditional' ? list : undefined });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const decideRef = useRef(decide);
  decideRef.current = decide;
  useEffect(() => {
    if (!keyboard) return undefined;
    const onKey = (e: Event) => {
      const kind = (e as CustomEvent<ReviewKey>).detail;
      if (kind === 'approve') void decideRef.current('approved');
      else if (kind === 'conditional') {
        if (parseConditions(conditionsRef.current?.value ?? '').length) void decideRef.current('conditional');
        else conditionsRef.current?.focus();
      } else if (kind === 'deny') {
        if ((commentsRef.current?.value ?? '').trim()) void decideRef.current('denied');
        else commentsRef.current?.focus();
      } else if (kind === 'waive') setWaiving(true);
    };
    window.addEventListener('warden:review', onKey);
    return () => window.removeEventListener('warden:review', onKey);
  }, [keyboard]);

  return (
    <section className="review-actions" aria-label={`Decide ${subject}`}>
      <label htmlFor={`${ids}-c`}>Comment (the reason, when you deny)</label>
      <textarea id={`${ids}-c`} ref={commentsRef} value={comments} onChange={(e) => setComments(e.target.value)} placeholder="Reviewed the tool list and the paths it reads." />
      <label htmlFor={`${ids}-k`}>Conditions (one per line, for an approval with conditions)</label>
      <textarea id={`${ids}-k`} ref={conditionsRef} value={conditions} onChange={(e) => setConditions(e.target.value)} placeholder="Read-only mount of /srv/docs" />
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="decision-row">
        <button type="button" className="allow" disabled={busy} onClick={() => void decide('approved')}>
          Approve{keyboard ? <kbd>a</kbd> : null}
        </button>
        <button type="button" disabled={busy} onClick={() => void decide('conditional')}>
          Approve with conditions{keyboard ? <kbd>c</kbd> : null}
        </button>
        <button type="button" className="deny" disabled={busy} onClick={() => void decide('denied')}>
          Deny{keyboard ? <kbd>d</kbd> : null}
        </button>
        <span className="spacer" />
        <button type="button" className="link" disabled={busy} onClick={() => setWaiving(true)}>
          Waive…{keyboard ? <kbd>w</kbd> : null}
        </button>
      </div>
      {waiving ? (
        <WaiveDialog
          subject={subject}
          onClose={() => setWaiving(false)}
          onWaive={async (reason) => {
            await onWaive(reason);
            setWaiving(false);
          }}
        />
      ) : null}
    </section>
  );
}

function WaiveDialog({ subject, onClose, onWaive }: { subject: string; onClose(): void; onWaive(reason: string): Promise<void> }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const short = reason.trim().length < MIN_WAIVER_REASON;
  async function confirm() {
    if (short) {
      setError(`Give a reason of at least ${MIN_WAIVER_REASON} characters: it is kept in the audit log.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onWaive(reason.trim());
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }
  return (
    <Dialog title="Waive this gate?" open onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <p>
          Waiving passes <strong>{subject}</strong> without a review. The gate counts as passed; your name and the reason below are kept on the submission and in the audit log.
        </p>
        <label>
          Reason for the waiver
          <textarea data-autofocus value={reason} onChange={(e) => setReason(e.target.value)} minLength={MIN_WAIVER_REASON} required placeholder="Compensating control: runs in a sandbox with no network" />
          <span className="muted small">
            {reason.trim().length} / at least {MIN_WAIVER_REASON} characters
          </span>
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={busy || short}>
            {busy ? 'Waiving…' : 'Waive gate'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
