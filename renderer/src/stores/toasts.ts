/** In-app toasts: short confirmations and errors, announced politely to screen readers. */
import { create } from 'zustand';

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
  /** Optional action, e.g. "Open" on a new approval. */
  action?: { label: string; run(): void };
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): number;
  dismiss(id: number): void;
}

let nextId = 1;
const MAX_VISIBLE = 4;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    set({ toasts: [...get().toasts, { ...toast, id }].slice(-MAX_VISIBLE) });
    const ttl = toast.kind === 'error' ? 9000 : toast.action ? 7000 : 4500;
    setTimeout(() => get().dismiss(id), ttl);
    return id;
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export const toast = {
  info: (title: string, body?: string) => useToasts.getState().push({ kind: 'info', title, body }),
  success: (title: string, body?: string) => useToasts.getState().push({ kind: 'success', title, body }),
  warning: (title: string, body?: string) => useToasts.getState().push({ kind: 'warning', title, body }),
  error: (title: string, body?: string) => useToasts.getState().push({ kind: 'error', title, body }),
};
