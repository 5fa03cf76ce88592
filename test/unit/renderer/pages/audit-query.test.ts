import { describe, expect, it } from 'vitest';
import { actionIdOf, EMPTY_FILTERS, eventTone, rangeBounds, toQuery } from '../../../../renderer/src/pages/audit/query';

describe('audit quick ranges', () => {
  const now = new Date(2026, 11, 5, 14, 30).getTime(); // local 5 Dec 14:30
  const local = (iso: string | undefined) => (iso ? new Date(iso).toString() : undefined);
  it('today starts at local midnight; yesterday is the whole local day before', () => {
    expect(local(rangeBounds({ range: 'today', since: '', until: '' }, now).since)).toBe(new Date(2026, 11, 5).toString());
    const y = rangeBounds({ range: 'yesterday', since: '', until: '' }, now);
    expect(local(y.since)).toBe(new Date(2026, 11, 4).toString());
    expect(local(y.until)).toBe(new Date(2026, 11, 5).toString());
  });
  it('the last 7 days count back from now; any time has no bounds', () => {
    expect(rangeBounds({ range: '7d', since: '', until: '' }, now).since).toBe(new Date(now - 7 * 86_400_000).toISOString());
    expect(rangeBounds({ range: 'all', since: '', until: '' }, now)).toEqual({});
  });
  it('sends the free text as q, trimmed, and leaves empty filters out', () => {
    expect(toQuery({ ...EMPTY_FILTERS, text: '  rm -rf ' }, now)).toEqual({ event_type: undefined, agent_id: undefined, actor: undefined, q: 'rm -rf' });
  });
});

describe('how a row reads', () => {
  it('colours a denial or a block as a denial, whatever its family', () => {
    expect(eventTone({ event_type: 'approval.denied', data: {} })).toBe('deny');
    expect(eventTone({ event_type: 'action.evaluated', data: { decision: 'BLOCK' } })).toBe('deny');
    expect(eventTone({ event_type: 'action.evaluated', data: { decision: 'ALLOW' } })).toBe('plain');
    expect(eventTone({ event_type: 'approval.granted', data: {} })).toBe('ok');
    expect(eventTone({ event_type: 'approval.requested', data: {} })).toBe('warn');
  });
  it('finds the action a row concerns for its receipt link', () => {
    expect(actionIdOf({ subject_id: 'act_1', data: {} })).toBe('act_1');
    expect(actionIdOf({ subject_id: 'bud_1', data: { action_id: 'act_2' } })).toBe('act_2');
    expect(actionIdOf({ subject_id: 'pol_1', data: {} })).toBeNull();
  });
});
