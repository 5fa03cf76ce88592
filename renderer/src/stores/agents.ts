/**
 * Every registered agent, loaded once (all pages) and shared by the pages that name agents or
 * offer them in a list. Pages call `ensure()` on mount; the Agents page refreshes it.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { Agent } from '../../../shared/api/agents.js';
import { api, errorMessage } from '../lib/api';

interface AgentsState {
  /** The agents that exist (deleted ones left out). */
  agents: Agent[];
  /** Every agent by id, deleted ones too, so history still names them. */
  byId: ReadonlyMap<string, Agent>;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Loads once; later calls reuse the list (and the load in flight). */
  ensure(): Promise<void>;
  /** Loads again, e.g. after an id the list does not know showed up. */
  reload(): Promise<void>;
  upsert(agent: Agent): void;
  /** The agent was deleted: it leaves the list, its name stays known. */
  remove(agentId: string): void;
  /** The agent made a request at `at`: its last contact moves without a refetch. */
  touch(agentId: string, at: string): void;
}

let inFlight: Promise<void> | null = null;
const missed = new Set<string>();

const index = (agents: Agent[]) => new Map(agents.map((a) => [a.id, a]));

export const useAgents = create<AgentsState>((set, get) => ({
  agents: [],
  byId: new Map(),
  loaded: false,
  loading: false,
  error: null,

  ensure() {
    if (get().loaded) return Promise.resolve();
    return get().reload();
  },

  reload() {
    if (inFlight) return inFlight;
    set({ loading: true });
    inFlight = (async () => {
      try {
        const all: Agent[] = [];
        for await (const a of api().paginate('listAgents', { query: { limit: 500, include_deleted: 'true' } })) all.push(a);
        set({ agents: all.filter((a) => !a.deleted_at), byId: index(all), loaded: true, loading: false, error: null });
      } catch (err) {
        set({ loading: false, loaded: get().loaded, error: errorMessage(err) });
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  },

  upsert(agent) {
    const agents = get().agents.some((a) => a.id === agent.id) ? get().agents.map((a) => (a.id === agent.id ? agent : a)) : [...get().agents, agent];
    set({ agents, byId: new Map(get().byId).set(agent.id, agent) });
  },

  remove(agentId) {
    const gone = get().byId.get(agentId);
    set({ agents: get().agents.filter((a) => a.id !== agentId), ...(gone ? { byId: new Map(get().byId).set(agentId, { ...gone, deleted_at: gone.deleted_at ?? new Date().toISOString() }) } : {}) });
  },

  touch(agentId, at) {
    const a = get().byId.get(agentId);
    if (!a || (a.last_seen_at && a.last_seen_at >= at)) return;
    get().upsert({ ...a, last_seen_at: at });
  },
}));

/** The agent's name, or its id while the list does not know it (and a reload is started). */
export function agentName(id: string | null | undefined): string {
  if (!id) return '';
  const state = useAgents.getState();
  const a = state.byId.get(id);
  if (a) return a.name;
  // A new agent: reload once for it (a deleted agent's id must not reload on every render).
  if (state.loaded && !missed.has(id)) {
    missed.add(id);
    void state.reload();
  }
  return id;
}

/** Subscribes a component to the agent list (loading it on first use). */
export function useAgentList(): { agents: Agent[]; loaded: boolean; error: string | null } {
  const agents = useAgents((s) => s.agents);
  const loaded = useAgents((s) => s.loaded);
  const error = useAgents((s) => s.error);
  useEffect(() => {
    void useAgents.getState().ensure();
  }, []);
  return { agents, loaded, error };
}
