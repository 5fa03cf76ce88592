/** A budget's spend: the bar with its 80 % and cap marks, the burn rate and the forecast. */
import { useEffect, useRef, useState } from 'react';
import type { Budget, SpendEvent } from '../../../../shared/api/budgets.js';
import { MICRO_PER_CENT } from '../../../../shared/vocabulary.js';
import { api } from '../../lib/api';
import { BURN_WINDOW_MS, forecast, warningLevel } from '../../lib/burn';
import { ago, cents, dateTime, micro, pct } from '../../lib/format';

/**
 * Spend events of the last hour, for burn rates: fetched again whenever the budgets change
 * (spend moved), at most every 5 s. Undefined until the first answer.
 */
export function useRecentSpend(budgets: Budget[]): SpendEvent[] | undefined {
  const [spends, setSpends] = useState<SpendEvent[] | undefined>(undefined);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const fetchNow = async () => {
      last.current = Date.now();
      try {
        const since = new Date(Date.now() - BURN_WINDOW_MS).toISOString();
        const out: SpendEvent[] = [];
        for await (const e of api().paginate('listSpend', { query: { since, limit: 500 } })) {
          out.push(e);
          if (out.length >= 5000) break;
        }
        setSpends(out);
      } catch {
        /* the rate is a hint: keep the last one */
      }
    };
    if (timer.current) return;
    const wait = Math.max(0, last.current + 5_000 - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      void fetchNow();
    }, wait);
  }, [budgets]);
  useEffect(() => () => clearTimeout(timer.current ?? undefined), []);
  return spends;
}

const clockFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

function BurnLine({ budget: b, rate }: { budget: Budget; rate: number | null }) {
  const f = forecast(b, rate, Date.now());
  const level = warningLevel(b);
  return (
    <div className="burn small">
      {level ? <span className={`pill ${level === 100 ? 'pill-bad' : level === 80 ? 'pill-warn' : 'pill-muted'}`}>{level}%</span> : null}
      <span className="muted">{rate ? `${micro(Math.round(rate))}/h` : 'no spend in the last hour'}</span>
      {f.kind === 'hits_cap' ? (
        <span className={b.mode === 'cap' ? 'warn-text' : 'muted'}>
          at this rate, {b.mode === 'cap' ? 'hits its cap' : 'reaches its limit'} at {clockFmt.format(new Date(f.at))}
        </span>
      ) : f.kind === 'not_this_period' ? (
        <span className="muted">at this rate, stays under its limit this period</span>
      ) : null}
    </div>
  );
}

export function SpendBar({ budget: b, label, rate }: { budget: Budget; label: string; rate?: number | null }) {
  const limit = b.limit_micro_usd || b.limit_usd_cents * MICRO_PER_CENT;
  const used = b.spent_micro_usd;
  const full = Math.max(limit, used + b.reserved_micro_usd, 1);
  const ratio = limit ? used / limit : 0;
  const level = ratio >= 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
  const at = (v: number) => `${Math.min(100, (v / full) * 100)}%`;
  return (
    <div className="spend">
      <div
        className={`spendbar spendbar-${level}`}
        role="meter"
        aria-label={`Spend of ${label}`}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={`${micro(used)} of ${cents(b.limit_usd_cents)} (${pct(ratio)})`}
      >
        <span className="spendbar-fill" style={{ width: at(used) }} />
        {b.reserved_micro_usd > 0 ? <span className="spendbar-reserved" style={{ left: at(used), width: at(b.reserved_micro_usd) }} /> : null}
        <span className="spendbar-mark" style={{ left: at(limit * 0.8) }} title="80%" />
        <span className="spendbar-mark spendbar-mark-cap" style={{ left: at(limit) }} title="100%" />
      </div>
      <div className="spend-text small">
        <strong>{micro(used)}</strong> of {cents(b.limit_usd_cents)} · {pct(ratio)}
        {b.cap_after_period_usd_cents !== null ? (
          <span className="muted" title={`Grace for this period: the cap returns to ${cents(b.cap_after_period_usd_cents)} when the period ends${b.period_ends_at ? ` (${dateTime(b.period_ends_at)})` : ''}`}>
            {' '}
            · grace, cap {cents(b.cap_after_period_usd_cents)} from next period
          </span>
        ) : null}
        {b.reserved_micro_usd > 0 ? <span className="muted"> · {micro(b.reserved_micro_usd)} reserved</span> : null}
        <span className="muted"> · updated {ago(b.updated_at)}</span>
      </div>
      {rate !== undefined ? <BurnLine budget={b} rate={rate} /> : null}
    </div>
  );
}

