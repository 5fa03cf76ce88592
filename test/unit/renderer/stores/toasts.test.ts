import { afterEach, describe, expect, it, vi } from 'vitest';
import { useToasts } from '../../../../renderer/src/stores/toasts';

afterEach(() => {
  for (const t of useToasts.getState().toasts) useToasts.getState().dismiss(t.id);
  vi.useRealTimers();
});

describe('toasts', () => {
  it('a toast with the key of a visible one replaces it in place instead of stacking', () => {
    const { push } = useToasts.getState();
    push({ kind: 'info', title: 'other' });
    push({ key: 'approvals:new', count: 1, kind: 'info', title: 'Approval needed' });
    push({ key: 'approvals:new', count: 2, kind: 'info', title: '2 new requests' });
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['other', '2 new requests']);
    expect(useToasts.getState().byKey('approvals:new')?.count).toBe(2);
  });

  it('dismisses itself unless sticky, and the replaced toast no longer dismisses its successor early', () => {
    vi.useFakeTimers();
    const { push } = useToasts.getState();
    push({ key: 'budget:b1', kind: 'warning', title: 'at 80%' });
    vi.advanceTimersByTime(4000);
    push({ key: 'budget:b1', kind: 'error', title: 'paused', sticky: true });
    push({ kind: 'success', title: 'saved' });
    vi.advanceTimersByTime(60_000);
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['paused']);
  });

  it('over the limit, drops the oldest toast that needs no action first', () => {
    const { push } = useToasts.getState();
    push({ kind: 'error', title: 'sticky', sticky: true });
    for (let i = 0; i < 4; i++) push({ kind: 'info', title: `n${i}` });
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['sticky', 'n1', 'n2', 'n3']);
  });
});
