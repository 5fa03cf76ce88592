/**
 * The one assembler of the core's `Snapshot`. Every entry point that asks the core for a
 * decision builds its snapshot here, so they cannot drift apart:
 *
 * - the real decision (`ActionService.create`, `POST /v1/actions`) and its dry run
 *   (`POST /v1/evaluate`): live state — kill-switch, budgets, quota counters, grants, protected
 *   paths — and the stored policies;
 * - the policy dry run (`POST /v1/guardrails/evaluate`): the policy layers only, with any of the
 *   stored policies replaced by hypothetical ones, and the state layers neutral.
 *
 * Throws when a source fails; callers turn that into `failClosed` where a decision is recorded.
 */
import { evaluate, failClosed } from '../../shared/core/index.js';
import type {
  ActionInput,
  AgentContext,
  CompiledGuardrails,
  Decision,
  GateView,
  GovernanceSettings,
  ProtectedPaths,
  RoleOverride,
  Snapshot,
  ToolPolicy,
} from '../../shared/core/types.js';
import type { BudgetLedger, GrantStore, PolicyStore } from '../ports.js';
import type { QuotaCounters } from './quota-counters.js';

const HOUR_MS = 3_600_000;

/** The state layers of a real decision. */
export interface LiveState {
  budgets: Pick<BudgetLedger, 'killSwitch' | 'applicableBudgets' | 'reservationTimeoutMs'>;
  grants: GrantStore;
  counters: Pick<QuotaCounters, 'runsSince' | 'openSince'>;
  /** Warden's own files for the self-protection layer; null when the service was built alone. */
  protectedPaths: ProtectedPaths | null;
  /** The review gates (electron/gates); null when the service was built alone. */
  gates?: GateViewSource | null;
}

/** Where the gates layer's view comes from: the current one, kept in memory. */
export interface GateViewSource {
  view(): GateView;
}

export interface SnapshotDeps {
  policies: PolicyStore;
  /** Null: the policy layers only (kill-switch off, no budgets, quota or grants, the agent active). */
  state: LiveState | null;
}

/** Hypothetical policies that replace the stored ones (the policy dry run). */
export interface PolicyOverrides {
  guardrails?: CompiledGuardrails;
  tool_policies?: ToolPolicy[];
  role_overrides?: RoleOverride[];
  settings?: GovernanceSettings;
}

/** Everything the core may read about `input` by `agent`, at `now`. */
export function assembleSnapshot(
  deps: SnapshotDeps,
  agent: AgentContext | null,
  input: Pick<ActionInput, 'mission_id'>,
  now: number,
  overrides: PolicyOverrides = {},
): Snapshot {
  const missionId = input.mission_id ?? null;
  // The same facts for every entry point, or `$.context.*` guards would decide differently in a
  // dry run than in the real decision.
  const context = missionId ? { mission_id: missionId } : {};
  const { policies, state } = deps;
  if (!state) {
    return {
      now,
      // A policy dry run asks what the policies say, so the agent's own status is not a question here.
      agent: agent ? { ...agent, status: 'active' } : null,
      kill_switch: { engaged: false, reason: null },
      budgets: [],
      quota: null,
      tool_policies: overrides.tool_policies ?? policies.toolPolicies(),
      role_overrides: overrides.role_overrides ?? policies.roleOverrides(),
      guardrails: overrides.guardrails ?? policies.compiledGuardrails(),
      settings: overrides.settings ?? policies.governanceSettings(),
      grants: [],
      tool_categories: policies.toolCategories(),
      context,
    };
  }
  let quota: Snapshot['quota'] = null;
  if (agent) {
    const limits = policies.effectiveQuota(agent.id);
    quota = {
      ...limits,
      runs_last_hour: state.counters.runsSince(agent.id, now - HOUR_MS),
      // An allowed action never completed (its agent crashed) stops holding its slot when the
      // ledger releases its abandoned reservation; it can still be completed later.
      open_actions: state.counters.openSince(agent.id, now - state.budgets.reservationTimeoutMs),
    };
  }
  return {
    now,
    agent,
    kill_switch: state.budgets.killSwitch(),
    budgets: agent ? state.budgets.applicableBudgets(agent, missionId) : [],
    quota,
    tool_policies: overrides.tool_policies ?? policies.toolPolicies(),
    role_overrides: overrides.role_overrides ?? policies.roleOverrides(),
    guardrails: overrides.guardrails ?? policies.compiledGuardrails(),
    settings: overrides.settings ?? policies.governanceSettings(),
    grants: agent ? state.grants.liveGrants(agent.id, now) : [],
    context,
    protected: state.protectedPaths,
    tool_categories: policies.toolCategories(),
    gates: state.gates ? state.gates.view() : null,
  };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/**
 * The decision on `input` now, from a freshly assembled snapshot. INVARIANT: a snapshot that
 * cannot be assembled, or a core that throws, yields BLOCK (`failClosed`), never ALLOW.
 */
export function decideFailClosed(
  deps: SnapshotDeps,
  agent: AgentContext | null,
  input: ActionInput,
  now: number,
): { decision: Decision; snapshot: Snapshot | null } {
  let snapshot: Snapshot;
  try {
    snapshot = assembleSnapshot(deps, agent, input, now);
  } catch (err) {
    return { decision: failClosed(`the snapshot could not be assembled: ${messageOf(err)}`), snapshot: null };
  }
  try {
    return { decision: evaluate(input, snapshot), snapshot };
  } catch (err) {
    return { decision: failClosed(messageOf(err)), snapshot };
  }
}
