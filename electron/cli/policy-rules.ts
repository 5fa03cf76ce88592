/**
 * Guardrail rules as a policy file writes them: agents by name. The server stores an agent as
 * its id and reads a rule back with both `agent_id` and the agent's current `agent` name; a file
 * carries the name only, so it reads the same on another machine and after a restore. A rule of
 * an agent the server no longer knows keeps its `agent_id`.
 */
import type { GuardrailRuleInput } from '../../shared/api/policies.js';

export function rulesByAgentName(rules: readonly GuardrailRuleInput[], agentNames: ReadonlyMap<string, string>): GuardrailRuleInput[] {
  return rules.map((rule) => {
    if (rule.agent_id === undefined) return rule;
    const name = rule.agent ?? agentNames.get(rule.agent_id);
    if (name === undefined) return rule;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rule)) {
      if (k === 'agent') continue;
      if (k === 'agent_id') out.agent = name;
      else out[k] = v;
    }
    return out as GuardrailRuleInput;
  });
}
