/**
 * In-app toasts: short confirmations and errors, announced politely to screen readers.
 *
 * A toast with a `key` replaces the visible toast of the same key instead of stacking ("12 new
 * requests", one budget's 80 % then 100 %). Toasts dismiss themselves unless `sticky` (they ask
 * for an action the operator must not miss); hovering or focusing one pauses nothing: it is
 * short text, and every toast also leaves its trace on the page it concerns.
 */
import { create } from 'zustand';

/** `denied`: a decision that said no, neither a success nor an error. */
export type ToastKind = 'info' | 'success' | 'warning' | 'error' | 'denied';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
  /** Optional action, e.g. "Open" on a new approval. */
  action?: { label: string; run(): void };
  /** Same key, same toast: a newer push replaces it in place. */
  key?: string;
  /** How many pushes this toast stands for (with a key). */
  count?: number;
  /** Stays until dismissed. */
  sticky?: boolean;
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): number;
  dismiss(id: number): void;
  /** The visible toast with this key, if any. */
  byKey(key: string): Toast | undefined;
}

let nextId = 1;
const MAX_VISIBLE = 4;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export function toastTtlMs(t: Pick<Toast, 'kind' | 'action'>): number {
  return t.kind === 'error' ? 9000 : t.action ? 7000 : 4500;
}

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    const previous = toast.key ? get().toasts.find((t) => t.key === toast.key) : undefined;
    const next: Toast = { ...toast, id };
    let toasts: Toast[];
    if (previous) {
      clearTimeout(timers.get(previous.id));
      timers.delete(previous.id);
      toasts = get().toasts.map((t) => (t.id === previous.id ? next : t));
    } else {
      // Over the limit, the oldest toast that does not need an action goes first.
      toasts = [...get().toasts, next];
      while (toasts.length > MAX_VISIBLE) {
        const drop = toasts.findIndex((t) => !t.sticky);
        toasts.splice(drop < 0 ? 0 : drop, 1);
      }
    }
    set({ toasts });
    if (!toast.sticky) timers.set(id, setTimeout(() => get().dismiss(id), toastTtlMs(toast)));
    return id;
  },
  dismiss(id) {
    clearTimeout(timers.get(id));
    timers.delete(id);
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  byKey(key) {
    return get().toasts.find((t) => t.key === key);
  },
}));

export const toast = {
  info: (title: string, body?: string) => useToasts.getState().push({ kind: 'info', title, body }),
  success: (title: string, body?: string) => useToasts.getState().push({ kind: 'success', title, body }),
  warning: (title: string, body?: string) => useToasts.getState().push({ kind: 'warning', title, body }),
  error: (title: string, body?: string) => useToasts.getState().push({ kind: 'error', title, body }),
  denied: (title: string, body?: string) => useToasts.getState().push({ kind: 'denied', title, body }),
};
