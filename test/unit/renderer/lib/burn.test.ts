import { describe, expect, it } from 'vitest';
import { burnRate, forecast, warningLevel } from '../../../../renderer/src/lib/burn';

const now = Date.parse('2026-12-05T12:00:00.000Z');
const spend = (minutesAgo: number, amount: number, agent: string | null = 'agt_a', mission: string | null = null) => ({
  agent_id: agent,
  mission_id: mission,
  amount_micro_usd: amount,
  created_at: new Date(now - minutesAgo * 60_000).toISOString(),
});
const teamOf = (id: string) => (id === 'agt_a' ? 'growth' : null);

describe('burn rate', () => {
  const spends = [spend(10, 1_000_000), spend(30, 1_000_000), spend(90, 5_000_000), spend(5, 2_000_000, 'agt_b', 'm1')];
  const period = { period_starts_at: '2026-12-01T00:00:00.000Z' };
  it('is the last hour of the scope’s spend, per hour', () => {
    expect(burnRate({ scope: 'agent', scope_id: 'agt_a', ...period }, spends, teamOf, now)).toBe(2_000_000);
    expect(burnRate({ scope: 'global', scope_id: 'global', ...period }, spends, teamOf, now)).toBe(4_000_000);
    expect(burnRate({ scope: 'team', scope_id: 'growth', ...period }, spends, teamOf, now)).toBe(2_000_000);
    expect(burnRate({ scope: 'mission', scope_id: 'm1', ...period }, spends, teamOf, now)).toBe(2_000_000);
    expect(burnRate({ scope: 'agent', scope_id: 'agt_z', ...period }, spends, teamOf, now)).toBeNull();
  });
  it('counts a period that began less than an hour ago over its own length', () => {
    const started = { period_starts_at: new Date(now - 15 * 60_000).toISOString() };
    expect(burnRate({ scope: 'agent', scope_id: 'agt_a', ...started }, spends, teamOf, now)).toBe(4_000_000);
  });
});

describe('forecast', () => {
  const b = { limit_micro_usd: 10_000_000, spent_micro_usd: 6_000_000, period_ends_at: '2026-12-06T00:00:00.000Z' };
  it('says when the cap is hit at this rate, within the period', () => {
    expect(forecast(b, 2_000_000, now)).toEqual({ kind: 'hits_cap', at: now + 2 * 3_600_000 });
    expect(forecast(b, 100_000, now)).toEqual({ kind: 'not_this_period' });
    expect(forecast(b, null, now)).toEqual({ kind: 'idle' });
    expect(forecast({ ...b, spent_micro_usd: 10_000_000 }, 1, now)).toEqual({ kind: 'over' });
  });
  it('warns at 50, 80 and 100 %', () => {
    expect([4, 5, 8, 10, 12].map((m) => warningLevel({ limit_micro_usd: 10, spent_micro_usd: m }))).toEqual([0, 50, 80, 100, 100]);
  });
});
