/**
 * Gate submissions the signed-in operator can still decide (`pending-reviews`), for the Inbox's
 * Reviews tab. The list is per operator (never one's own submission, never one already decided),
 * so a live `gate_review.*` event reloads it rather than patching it.
 */
import { create } from 'zustand';
import type { GateSubmission } from '../../../shared/api/gates.js';
import { api, errorMessage } from '../lib/api';

interface ReviewsState {
  pending: GateSubmission[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  selectedId: string | null;
  load(): Promise<void>;
  remove(id: string): void;
  select(id: string | null): void;
  move(delta: 1 | -1): void;
}

let generation = 0;

export const useReviews = create<ReviewsState>((set, get) => ({
  pending: [],
  loaded: false,
  loading: false,
  error: null,
  selectedId: null,
  async load() {
    const mine = ++generation;
    set({ loading: true });
    try {
      const pending: GateSubmission[] = [];
      for await (const s of api().paginate('pendingReviews')) pending.push(s);
      // A slower, older load never overwrites a newer one.
      if (mine !== generation) return;
      const selectedId = get().selectedId;
      set({ pending, loaded: true, loading: false, error: null, selectedId: pending.some((s) => s.id === selectedId) ? selectedId : (pending[0]?.id ?? null) });
    } catch (err) {
      if (mine !== generation) return;
      set({ loading: false, error: errorMessage(err) });
    }
  },
  remove(id) {
    const { pending, selectedId } = get();
    const i = pending.findIndex((s) => s.id === id);
    if (i < 0) return;
    const next = pending.filter((s) => s.id !== id);
    set({ pending: next, selectedId: selectedId === id ? (next[Math.min(i, next.length - 1)]?.id ?? null) : selectedId });
  },
  select(id) {
    set({ selectedId: id });
  },
  move(delta) {
    const { pending, selectedId } = get();
    if (!pending.length) return;
    const i = pending.findIndex((s) => s.id === selectedId);
    const next = i < 0 ? 0 : Math.max(0, Math.min(pending.length - 1, i + delta));
    set({ selectedId: pending[next]!.id });
  },
}));
