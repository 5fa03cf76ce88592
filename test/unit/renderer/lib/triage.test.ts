import { describe, expect, it } from 'vitest';
import { groupIdentical, matchesFilter, riskScore, sortApprovals } from '../../../../renderer/src/lib/triage';
import { approval } from '../fixtures';

const npm = (id: string, agent = 'crew-03', created = '2026-12-05T10:00:00.000Z') =>
  approval({ id, agent_id: `agt_${agent}`, agent_name: agent, created_at: created, expires_at: created.replace('10:', '11:'), action: { tool: 'shell.exec', args: { command: 'npm install', cwd: '/w/a' } } });

describe('the / filter', () => {
  const a = npm('apr_a');
  it('matches every word against tool, agent, what is asked and folder', () => {
    expect(matchesFilter(a, '')).toBe(true);
    expect(matchesFilter(a, 'NPM crew')).toBe(true);
    expect(matchesFilter(a, 'npm deploy')).toBe(false);
    expect(matchesFilter(a, '/w/a')).toBe(true);
  });
  it('takes agent: and tool: prefixes', () => {
    expect(matchesFilter(a, 'agent:crew')).toBe(true);
    expect(matchesFilter(a, 'agent:other')).toBe(false);
    expect(matchesFilter(a, 'tool:shell')).toBe(true);
    expect(matchesFilter(a, 'tool:exec')).toBe(false);
  });
});

describe('grouping identical requests', () => {
  it('groups same agent, tool and command, in list order', () => {
    const list = [npm('apr_1'), npm('apr_2', 'crew-04'), npm('apr_3'), approval({ id: 'apr_4', action: { tool: 'shell.exec', args: { command: 'npm test' } } })];
    const groups = groupIdentical(list);
    expect(groups.map((g) => g.members.map((m) => m.id))).toEqual([['apr_1', 'apr_3'], ['apr_2'], ['apr_4']]);
  });
});

describe('sorting', () => {
  const old = npm('apr_old', 'crew-03', '2026-12-05T09:00:00.000Z');
  const young = npm('apr_young', 'crew-03', '2026-12-05T10:30:00.000Z');
  const risky = approval({ id: 'apr_risky', required_approvals: 2, action: { tool: 'payment.send', value: 5000 } });
  it('by age, either way, and by risk', () => {
    expect(sortApprovals([young, old], 'oldest').map((a) => a.id)).toEqual(['apr_old', 'apr_young']);
    expect(sortApprovals([old, young], 'newest').map((a) => a.id)).toEqual(['apr_young', 'apr_old']);
    expect(riskScore(risky)).toBeGreaterThan(riskScore(old));
    expect(sortApprovals([old, young, risky], 'risk')[0]!.id).toBe('apr_risky');
  });
});
