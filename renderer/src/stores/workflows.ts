/**
 * Workflows state shared by the Workflows pages: the definitions list, and the runs seen so far
 * by id, kept current by the event stream (`workflow_run.changed`, `workflow_run.waiting`) so the
 * runs list and a run's page move without a reload.
 */
import { create } from 'zustand';
import { errorMessage } from '../lib/api';
import { workflowsApi, type RunStatus, type WorkflowRun, type WorkflowSummary } from '../pages/workflows/data';

export interface RunFilters {
  workflow?: string;
  status?: RunStatus;
  agent_id?: string;
}

interface WorkflowsState {
  definitions: WorkflowSummary[];
  definitionsLoaded: boolean;
  definitionsError: string | null;
  loadDefinitions(): Promise<void>;

  /** Every run loaded or announced, by id. */
  runs: Record<string, WorkflowRun>;
  /** The ids the runs list shows for `filters`, newest first. */
  listed: string[];
  filters: RunFilters;
  runsLoading: boolean;
  runsError: string | null;
  setFilters(filters: RunFilters): void;
  loadRuns(): Promise<void>;
  upsertRun(run: WorkflowRun): void;
  /** Fetches one run again (an event named it, or an action changed it). */
  refreshRun(id: string): Promise<WorkflowRun | null>;
  /** Bumped on every run change: pages reload their history when it moves. */
  revision: Record<string, number>;
  /** After the event stream (re)connects: what it may have missed is fetched again. */
  resync(): void;
}

function matches(run: WorkflowRun, f: RunFilters): boolean {
  return (!f.workflow || run.workflow === f.workflow) && (!f.status || run.status === f.status) && (!f.agent_id || run.agent_id === f.agent_id);
}

let runsRequest = 0;

export const useWorkflows = create<WorkflowsState>((set, get) => ({
  definitions: [],
  definitionsLoaded: false,
  definitionsError: null,
  async loadDefinitions() {
    try {
      const definitions = await workflowsApi.list();
      set({ definitions, definitionsLoaded: true, definitionsError: null });
    } catch (err) {
      set({ definitionsLoaded: true, definitionsError: errorMessage(err) });
    }
  },

  runs: {},
  listed: [],
  filters: {},
  runsLoading: false,
  runsError: null,
  revision: {},
  setFilters(filters) {
    set({ filters });
    void get().loadRuns();
  },
  async loadRuns() {
    const request = ++runsRequest;
    const filters = get().filters;
    set({ runsLoading: true });
    try {
      const list = await workflowsApi.runs(filters);
      if (request !== runsRequest) return;
      const runs = { ...get().runs };
      for (const r of list) runs[r.id] = r;
      set({ runs, listed: list.map((r) => r.id), runsLoading: false, runsError: null });
    } catch (err) {
      if (request === runsRequest) set({ runsLoading: false, runsError: errorMessage(err) });
    }
  },
  upsertRun(run) {
    const { runs, listed, filters, revision } = get();
    const known = runs[run.id];
    // An older copy (a slow response after a newer event) never replaces a newer one.
    if (known && Date.parse(known.updated_at) > Date.parse(run.updated_at)) return;
    const inList = listed.includes(run.id);
    const fits = matches(run, filters);
    const nextListed = inList && !fits ? listed.filter((id) => id !== run.id) : !inList && fits ? [run.id, ...listed] : listed;
    set({ runs: { ...runs, [run.id]: run }, listed: nextListed, revision: { ...revision, [run.id]: (revision[run.id] ?? 0) + 1 } });
  },
  resync() {
    const { runs, listed } = get();
    if (listed.length || Object.keys(runs).length) void get().loadRuns();
    // Runs still moving may have stepped while nobody listened (bounded: the newest few).
    const moving = Object.values(runs).filter((r) => r.status === 'active' || r.status === 'waiting');
    for (const r of moving.slice(-50)) void get().refreshRun(r.id);
  },
  async refreshRun(id) {
    try {
      const run = await workflowsApi.run(id);
      get().upsertRun(run);
      return run;
    } catch {
      return null;
    }
  },
}));

/** A live event carried a run (`workflow_run.changed`, `.waiting`): the store takes it. */
export function runChanged(run: WorkflowRun | null | undefined): void {
  if (run && typeof run.id === 'string' && typeof run.state === 'string') useWorkflows.getState().upsertRun(run);
}
