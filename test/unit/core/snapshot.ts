/** Builds core snapshots for tests: neutral state (no kill-switch, no budgets) unless told. */
import { compileGuardrails } from '../../../shared/core/guardrails.js';
import { DEFAULT_SETTINGS } from '../../../shared/core/evaluate.js';
import type { AgentContext, GovernanceSettings, GuardrailPolicy, GuardrailRule, Snapshot } from '../../../shared/core/types.js';

export const NOW = Date.parse('2026-06-01T12:00:00Z');

export const agentCtx = (over: Partial<AgentContext> = {}): AgentContext => ({
  id: 'agt_test',
  name: 'tester',
  role: null,
  team_id: null,
  leader_agent_id: null,
  status: 'active',
  ...over,
});

let seq = 0;
export function policy(name: string, rules: GuardrailRule[], over: Partial<GuardrailPolicy> = {}): GuardrailPolicy {
  return { id: `grd_${name}_${++seq}`, name, version: 1, status: 'active', rules, ...over };
}

export interface SnapshotOptions extends Partial<Omit<Snapshot, 'guardrails' | 'settings'>> {
  policies?: GuardrailPolicy[];
  settings?: Partial<GovernanceSettings>;
}

export function snapshot(options: SnapshotOptions = {}): Snapshot {
  const { policies = [], settings = {}, ...rest } = options;
  return {
    now: NOW,
    agent: agentCtx(),
    kill_switch: { engaged: false, reason: null },
    budgets: [],
    quota: null,
    tool_policies: [],
    role_overrides: [],
    grants: [],
    ...rest,
    guardrails: compileGuardrails(policies),
    settings: { ...DEFAULT_SETTINGS, ...settings },
  };
}
