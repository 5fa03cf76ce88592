/**
 * The policies domain as one service: guardrails, tools, settings and quotas, plus the
 * `PolicyStore` the actions pipeline reads. What the store hands out is cached until a policy
 * change moves the in-memory `PolicyEpoch` (see rows.ts), so a decision reads no policy row and
 * recompiles nothing while the policies stay as they are.
 */
import type { Agent } from '../../shared/api/agents.js';
import type { z } from 'zod';
import type { GuardrailEvaluationSchema, HypotheticalPolicySchema, SettingsPatch as SettingsPatchSchema } from '../../shared/api/policies.js';
import { evaluate } from '../../shared/core/evaluate.js';
import { compileGuardrails } from '../../shared/core/guardrails.js';
import type {
  ActionInput,
  AgentContext,
  CompiledGuardrails,
  GovernanceSettings,
  GuardrailPolicy,
  RoleOverride,
  ToolPolicy,
} from '../../shared/core/types.js';
import type { Clock } from '../common/clock.js';
import { assembleSnapshot } from '../actions/snapshot.js';
import type { PolicyStore } from '../ports.js';
import type { RecordingDeps } from '../common/service-deps.js';
import { GuardrailService } from './guardrails.js';
import { PolicyEpoch } from './rows.js';
import { SettingsService } from './settings.js';
import { ToolService } from './tools.js';

export type GuardrailEvaluation = z.output<typeof GuardrailEvaluationSchema>;

export interface DryRunInput {
  action: ActionInput;
  agent: AgentContext | null;
  policies?: z.output<typeof HypotheticalPolicySchema>[];
  settings?: z.output<typeof SettingsPatchSchema>;
  tool_policies?: { id?: string; tool_name: string; allowed: boolean; restrictions?: ToolPolicy['restrictions'] }[];
  role_overrides?: { id?: string; role: string; tool_name: string; allowed: boolean }[];
}

interface Cache {
  epoch: number;
  compiled?: CompiledGuardrails;
  toolPolicies?: ToolPolicy[];
  roleOverrides?: RoleOverride[];
  settings?: GovernanceSettings;
  categories?: Record<string, string[]>;
  quotas: Map<string, { runs_per_hour: number; concurrent_executions: number }>;
}

/** The agent as the core sees it. */
export function agentContext(agent: Agent): AgentContext {
  return {
    id: agent.id,
    name: agent.name,
    role: agent.role,
    team_id: agent.team_id,
    leader_agent_id: agent.leader_agent_id,
    status: agent.status,
  };
}

const POLICY_LAYERS = new Set(['tool_access', 'guardrails', 'settings']);

export class PolicyService implements PolicyStore {
  readonly guardrails: GuardrailService;
  readonly tools: ToolService;
  readonly settings: SettingsService;
  /** Moved by every policy change; the cache is refilled when it no longer matches. */
  readonly epoch: PolicyEpoch;
  private cache: Cache = { epoch: -1, quotas: new Map() };

  private readonly clock: Clock;

  constructor(deps: RecordingDeps) {
    this.clock = deps.clock;
    this.epoch = new PolicyEpoch(deps.db);
    this.guardrails = new GuardrailService(deps, this.epoch);
    this.tools = new ToolService(deps, this.epoch);
    this.settings = new SettingsService(deps, this.epoch);
    this.guardrails.upgradeStoredRules();
  }

  /** The cache, emptied first if any policy changed since it was filled. */
  private fresh(): Cache {
    const epoch = this.epoch.value;
    if (epoch !== this.cache.epoch) this.cache = { epoch, quotas: new Map() };
    return this.cache;
  }

  // -- PolicyStore -----------------------------------------------------------------------------

  compiledGuardrails(): CompiledGuardrails {
    const c = this.fresh();
    return (c.compiled ??= compileGuardrails(this.guardrails.active()));
  }

  toolPolicies(): ToolPolicy[] {
    const c = this.fresh();
    return (c.toolPolicies ??= this.tools.allToolPolicies());
  }

  roleOverrides(): RoleOverride[] {
    const c = this.fresh();
    return (c.roleOverrides ??= this.tools.allOverrides());
  }

  governanceSettings(): GovernanceSettings {
    const c = this.fresh();
    return (c.settings ??= this.settings.governance());
  }

  effectiveQuota(agentId: string): { runs_per_hour: number; concurrent_executions: number } {
    const c = this.fresh();
    let q = c.quotas.get(agentId);
    if (!q) {
      const e = this.settings.effective(agentId);
      q = { runs_per_hour: e.runs_per_hour, concurrent_executions: e.concurrent_executions };
      if (c.quotas.size > 10_000) c.quotas.clear();
      c.quotas.set(agentId, q);
    }
    return q;
  }

  recordToolSeen(name: string): void {
    this.tools.recordSeen(name);
  }

  /** Declared tool categories by tool name, for `Snapshot.tool_categories`. */
  toolCategories(): Record<string, string[]> {
    const c = this.fresh();
    return (c.categories ??= this.tools.categories());
  }

  // -- dry run ---------------------------------------------------------------------------------

  /**
   * `POST /v1/guardrails/evaluate`: the policy layers (tool access, guardrails, settings) for a
   * hypothetical action, with any of the stored policies replaced by hypothetical ones. State
   * layers (kill-switch, quota, budgets, grants) are left out: `POST /v1/evaluate` has them.
   */
  dryRun(input: DryRunInput): GuardrailEvaluation {
    const policies: GuardrailPolicy[] | undefined = input.policies?.map((p, i) => ({
      id: p.id ?? `hypothetical_${i + 1}`,
      name: p.name ?? `hypothetical-${i + 1}`,
      version: p.version ?? 1,
      status: p.status ?? 'active',
      rules: this.guardrails.resolveRules(p.rules, `policies[${i}].rules`),
    }));
    const settings: GovernanceSettings = { ...this.governanceSettings() };
    for (const [k, v] of Object.entries(input.settings ?? {})) {
      if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
    }
    const snapshot = assembleSnapshot({ policies: this, state: null }, input.agent, input.action, this.clock.now(), {
      ...(input.tool_policies
        ? { tool_policies: input.tool_policies.map((t, i) => ({ id: t.id ?? `hypothetical_${i + 1}`, tool_name: t.tool_name, allowed: t.allowed, restrictions: t.restrictions ?? {} })) }
        : {}),
      ...(input.role_overrides
        ? { role_overrides: input.role_overrides.map((o, i) => ({ id: o.id ?? `hypothetical_${i + 1}`, role: o.role, tool_name: o.tool_name, allowed: o.allowed })) }
        : {}),
      ...(policies ? { guardrails: compileGuardrails(policies) } : {}),
      settings,
    });
    const d = evaluate(input.action, snapshot);
    return {
      object: 'guardrail_evaluation',
      decision: d.decision,
      block_code: d.block_code,
      matched: d.matched,
      explanation: d.explanation,
      layers: d.layers.filter((l) => POLICY_LAYERS.has(l.layer)),
      grantable: d.grantable,
    };
  }
}
