/**
 * What the domains need from each other. Each interface is implemented by one domain's service
 * and consumed by another, so the actions pipeline can be built against the ledger and the
 * policy store without knowing their tables.
 */
import type {
  AgentContext,
  BudgetState,
  CompiledGuardrails,
  GovernanceSettings,
  GrantState,
  RoleOverride,
  ToolPolicy,
} from '../shared/core/types.js';

/** Implemented by electron/policies (guardrails, tools, settings, quotas). */
export interface PolicyStore {
  /** Active guardrail policies, compiled; cached until a policy changes. */
  compiledGuardrails(): CompiledGuardrails;
  toolPolicies(): ToolPolicy[];
  roleOverrides(): RoleOverride[];
  governanceSettings(): GovernanceSettings;
  /** Effective runs_per_hour / concurrent_executions for an agent (overrides over defaults). */
  effectiveQuota(agentId: string): { runs_per_hour: number; concurrent_executions: number };
  /** Adds a tool to the registry the first time an action names it. */
  recordToolSeen(name: string): void;
  /** Categories declared for tools in the registry, by tool name (`Snapshot.tool_categories`). */
  toolCategories(): Record<string, readonly string[]>;
}

export interface CostReport {
  cost_micro_usd?: number;
  usage?: {
    model: string;
    input_tokens: number;
    output_tokens: number;
    cache_read_tokens?: number;
    cache_write_tokens?: number;
  };
}

/**
 * Implemented by electron/budgets (the ledger). Every method that writes must be called inside
 * the caller's `immediate()` transaction so the decision and the ledger commit together, and
 * throws on any ledger error (the caller then answers BLOCK).
 */
export interface BudgetLedger {
  /** How long an allowed action's reservation is held before the reaper releases it as abandoned. */
  readonly reservationTimeoutMs: number;
  killSwitch(): { engaged: boolean; reason: string | null };
  /** Budgets applying to an action by `agent` (agent, its team, the mission, global), periods rolled. */
  applicableBudgets(agent: AgentContext, missionId: string | null): BudgetState[];
  /** Reserves the estimate in every applicable cap-mode budget. */
  reserve(actionId: string, agent: AgentContext, missionId: string | null, amountMicroUsd: number): void;
  /**
   * Completion: releases the action's reservation and records its actual cost (if any) as spend
   * on every applicable scope, with crossings and pauses. Returns the spend recorded.
   */
  settle(actionId: string, agent: AgentContext, missionId: string | null, cost: CostReport, actor: string): { spent_micro_usd: number };
  /** Releases the action's reservation without spend (failure, denial, expiry, abandonment). */
  release(actionId: string, reason: 'failed' | 'denied' | 'expired' | 'abandoned'): void;
}

/** Implemented by electron/approvals (grants are created by allow-always). */
export interface GrantStore {
  /** Live grants (not revoked, not expired at `now`) of an agent. */
  liveGrants(agentId: string, now: number): GrantState[];
}
