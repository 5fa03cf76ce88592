/**
 * Resume a paused budget, with or without grace. Grace raises the cap to spend + grace, either for
 * this period only (the original cap returns at the next boundary) or for good; a warning first
 * when the budget would pause again at once.
 */
import { useState, type FormEvent } from 'react';
import type { Budget } from '../../../../shared/api/budgets.js';
import { MICRO_PER_CENT } from '../../../../shared/vocabulary.js';
import { api, idemKey } from '../../lib/api';
import { cents, dateTime, micro } from '../../lib/format';
import { parseDollarsToCents } from '../../lib/money';
import { useBudgets } from '../../stores/budgets';
import { toast } from '../../stores/toasts';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { useAttempt } from '../../lib/useAttempt';

export function ResumeDialog({ budget: b, label, onClose }: { budget: Budget; label: string; onClose(): void }) {
  const [grace, setGrace] = useState('');
  const periodic = b.period_ends_at !== null;
  const [graceFor, setGraceFor] = useState<'period' | 'cap'>(periodic ? 'period' : 'cap');
  const { busy, error, attempt } = useAttempt();
  const graceCents = grace.trim() ? parseDollarsToCents(grace) : null;
  const invalid = grace.trim() !== '' && graceCents === null;
  // Mirrors the server: grace raises the cap to spend + grace; without it the cap stays.
  const newLimitMicro = graceCents ? Math.max(b.limit_micro_usd, b.spent_micro_usd + graceCents * MICRO_PER_CENT) : b.limit_micro_usd;
  const willRepause = b.mode === 'cap' && b.spent_micro_usd >= newLimitMicro;
  // The cap this period's grace returns to (an earlier grace of this period keeps the original).
  const original = b.cap_after_period_usd_cents ?? b.limit_usd_cents;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (invalid) return;
    await attempt(async () => {
      const res = await api().call(
        'resumeBudget',
        { params: { scope: b.scope, scope_id: b.scope_id }, body: graceCents ? { grace_usd_cents: graceCents, grace_for: periodic ? graceFor : 'cap' } : {} },
        { idempotencyKey: idemKey() },
      );
      useBudgets.getState().upsert(res.budget);
      const back = res.budget.cap_after_period_usd_cents;
      if (res.will_repause) toast.warning(`${label} resumed — it will pause again`, 'Spend is still at or above the cap; the next spend pauses it.');
      else toast.success(`${label} resumed`, `Cap now ${cents(res.budget.limit_usd_cents)}${back !== null ? `, back to ${cents(back)} next period` : ''}.`);
      onClose();
    });
  }

  return (
    <Dialog title={`Resume ${label}`} open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p>
          Spent <strong>{micro(b.spent_micro_usd)}</strong> of a {cents(b.limit_usd_cents)} cap{b.paused_reason === 'manual' ? ' (paused by hand)' : ''}.
          {b.cap_after_period_usd_cents !== null ? <> Its cap returns to {cents(b.cap_after_period_usd_cents)} next period.</> : null}
        </p>
        <label>
          Grace (USD)
          <input inputMode="decimal" value={grace} onChange={(e) => setGrace(e.target.value)} placeholder="e.g. 5.00" aria-invalid={invalid} autoFocus />
          <span className="muted small">Raises the cap to spend + grace{graceCents ? ` = ${micro(newLimitMicro)}` : ''}.</span>
        </label>
        {periodic ? (
          <fieldset disabled={!graceCents}>
            <legend>Grace lasts</legend>
            <label className="check">
              <input type="radio" name="grace-for" checked={graceFor === 'period'} onChange={() => setGraceFor('period')} /> For this period — back to {cents(original)} on{' '}
              {dateTime(b.period_ends_at)}
            </label>
            <label className="check">
              <input type="radio" name="grace-for" checked={graceFor === 'cap'} onChange={() => setGraceFor('cap')} /> For good — raise the cap
            </label>
          </fieldset>
        ) : null}
        {invalid ? <p className="form-error">Enter a positive amount such as 5 or 2.50.</p> : null}
        {willRepause ? (
          <p className="warning" role="alert">
            Without grace this budget is still at its cap: it will pause again on the next spend.
          </p>
        ) : null}
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit={willRepause ? 'Resume anyway' : 'Resume budget'} busyLabel="Resuming…" disabled={invalid} tone={willRepause ? 'warn' : 'primary'} />
      </form>
    </Dialog>
  );
}
