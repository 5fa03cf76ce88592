/** Budgets and the global kill-switch: loaded once, then kept fresh by budget/kill-switch events. */
import { create } from 'zustand';
import type { Budget, KillSwitch } from '../../../shared/api/budgets.js';
import { api, errorMessage } from '../lib/api';

interface BudgetState {
  budgets: Budget[];
  loading: boolean;
  error: string | null;
  loaded: boolean;
  killSwitch: KillSwitch | null;
  killSwitchError: string | null;
  load(): Promise<void>;
  loadKillSwitch(): Promise<void>;
  upsert(budget: Budget): void;
  remove(id: string): void;
  setKillSwitch(ks: KillSwitch): void;
}

export const useBudgets = create<BudgetState>((set, get) => ({
  budgets: [],
  loading: false,
  error: null,
  loaded: false,
  killSwitch: null,
  killSwitchError: null,

  async load() {
    set({ loading: true });
    try {
      const page = await api().call('listBudgets', { query: { limit: 500 } });
      // An event may have delivered a newer version of a row while this load was in flight.
      const current = new Map(get().budgets.map((b) => [b.id, b]));
      const budgets = page.data.map((b) => {
        const mine = current.get(b.id);
        return mine && mine.updated_at > b.updated_at ? mine : b;
      });
      set({ budgets, loading: false, error: null, loaded: true });
    } catch (err) {
      set({ loading: false, error: errorMessage(err), loaded: true });
    }
  },

  async loadKillSwitch() {
    try {
      set({ killSwitch: await api().call('getKillSwitch'), killSwitchError: null });
    } catch (err) {
      set({ killSwitchError: errorMessage(err) });
    }
  },

  upsert(budget) {
    const rest = get().budgets.filter((b) => b.id !== budget.id);
    set({ budgets: [budget, ...rest] });
  },

  remove(id) {
    set({ budgets: get().budgets.filter((b) => b.id !== id) });
  },

  setKillSwitch(killSwitch) {
    set({ killSwitch, killSwitchError: null });
  },
}));

/** A budget-ish object from an event payload, whatever envelope the server chose. */
export function budgetFromEvent(data: Record<string, unknown>): Budget | null {
  const candidate = (data.object === 'budget' ? data : data.budget) as Budget | undefined;
  return candidate && candidate.object === 'budget' && typeof candidate.id === 'string' ? candidate : null;
}

export function killSwitchFromEvent(data: Record<string, unknown>): KillSwitch | null {
  const candidate = (data.object === 'kill_switch' ? data : data.kill_switch) as KillSwitch | undefined;
  if (candidate && typeof candidate.engaged === 'boolean') return candidate;
  return null;
}
