/**
 * Burn rate and forecast of a budget from its recent spend: "at this rate, hits its cap at 16:40".
 * The rate is the spend of the last hour (or of the period so far, if it began less than an hour
 * ago) per hour, over the spend events of the budget's scope.
 */
import type { Agent } from '../../../shared/api/agents.js';
import type { Budget, SpendEvent } from '../../../shared/api/budgets.js';

export const BURN_WINDOW_MS = 3_600_000;

type SpendLike = Pick<SpendEvent, 'agent_id' | 'mission_id' | 'amount_micro_usd' | 'created_at'>;

/** Whether a spend event counts toward a budget's scope. */
export function inScope(b: Pick<Budget, 'scope' | 'scope_id'>, s: SpendLike, teamOf: (agentId: string) => string | null): boolean {
  switch (b.scope) {
    case 'global':
      return true;
    case 'agent':
      return s.agent_id === b.scope_id;
    case 'mission':
      return s.mission_id === b.scope_id;
    case 'team':
      return s.agent_id !== null && teamOf(s.agent_id) === b.scope_id;
  }
}

/** Micro-USD per hour over the window, or null when nothing was spent in it. */
export function burnRate(b: Pick<Budget, 'scope' | 'scope_id' | 'period_starts_at'>, spends: readonly SpendLike[], teamOf: (agentId: string) => string | null, now: number): number | null {
  const from = Math.max(now - BURN_WINDOW_MS, Date.parse(b.period_starts_at));
  const span = now - from;
  if (span < 60_000) return null; // a minute-old period says nothing yet
  let sum = 0;
  for (const s of spends) {
    const at = Date.parse(s.created_at);
    if (at >= from && at <= now && inScope(b, s, teamOf)) sum += s.amount_micro_usd;
  }
  return sum > 0 ? (sum / span) * 3_600_000 : null;
}

export type Forecast = { kind: 'hits_cap'; at: number } | { kind: 'not_this_period' } | { kind: 'over' } | { kind: 'idle' };

/** When spend reaches the limit at `ratePerHour`; before the period's end, or not this period. */
export function forecast(b: Pick<Budget, 'limit_micro_usd' | 'spent_micro_usd' | 'period_ends_at'>, ratePerHour: number | null, now: number): Forecast {
  if (b.spent_micro_usd >= b.limit_micro_usd) return { kind: 'over' };
  if (!ratePerHour) return { kind: 'idle' };
  const at = now + ((b.limit_micro_usd - b.spent_micro_usd) / ratePerHour) * 3_600_000;
  if (b.period_ends_at && at >= Date.parse(b.period_ends_at)) return { kind: 'not_this_period' };
  return { kind: 'hits_cap', at };
}

/** The spend level a budget has crossed: 50, 80 or 100 (% of its limit), or 0. */
export function warningLevel(b: Pick<Budget, 'limit_micro_usd' | 'spent_micro_usd'>): 0 | 50 | 80 | 100 {
  if (!b.limit_micro_usd) return 0;
  const r = b.spent_micro_usd / b.limit_micro_usd;
  return r >= 1 ? 100 : r >= 0.8 ? 80 : r >= 0.5 ? 50 : 0;
}

export function teamLookup(agents: readonly Agent[]): (agentId: string) => string | null {
  const teams = new Map(agents.map((a) => [a.id, a.team_id]));
  return (id) => teams.get(id) ?? null;
}
