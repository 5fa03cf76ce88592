/**
 * Guardrail rules between the API and the database. Rules are stored as evaluation reads them:
 * an agent is its `agent_id`, never a name. Names are resolved when a rule is saved (or tried in a
 * dry run) and added back, as the agent's current name, when a rule is read.
 *
 * Rules written before every rule needed a matcher may still have none (the old New policy
 * dialog saved `{decision: ALLOW}`, which matched every action of every agent). Such a rule is
 * read for evaluation as `tool: "*"` asking the operator, never as an allow; the upgrade step in
 * GuardrailService rewrites the stored ones the same way, in a new version, with an audit row.
 */
import type { GuardrailRuleInput } from '../../shared/api/policies.js';
import type { GuardrailRule } from '../../shared/core/types.js';
import { HttpError } from '../server/errors.js';
import type { AgentNames } from './agent-names.js';

/** What a stored rule's `agent_id` is set to when its agent name could not be resolved: no agent has it. */
export const UNRESOLVED_AGENT_PREFIX = 'unresolved-agent:';

const MATCHERS = ['tool', 'connector', 'agent_id', 'agent', 'role', 'expr'] as const;

export function hasMatcher(rule: object): boolean {
  return MATCHERS.some((k) => (rule as Record<string, unknown>)[k] !== undefined);
}

/**
 * The safe reading of a stored rule: one with no matcher becomes `tool: "*"` with decision ALERT
 * (its `max_value` kept, so a ceiling still blocks above it); one naming an agent it never
 * resolved matches no agent. Returns the rule itself when it is fine.
 */
export function safeStoredRule(rule: GuardrailRule & { agent?: unknown }): GuardrailRule {
  if (!hasMatcher(rule)) {
    return { tool: '*', decision: 'ALERT', ...(rule.max_value !== undefined ? { max_value: rule.max_value } : {}) };
  }
  if (rule.agent !== undefined && rule.agent_id === undefined) {
    const { agent, ...rest } = rule;
    return { ...rest, agent_id: `${UNRESOLVED_AGENT_PREFIX}${String(agent)}` };
  }
  return rule;
}

/**
 * The rules as stored: each `agent` name replaced by its agent's id. An unknown name, or a name
 * and an `agent_id` that are different agents, is a 400 naming `PARAM[i].agent`.
 */
export function resolveAgentNames(rules: readonly GuardrailRuleInput[], names: AgentNames, param = 'rules'): GuardrailRule[] {
  return rules.map((input, i) => {
    if (input.agent === undefined) return input as GuardrailRule;
    const { agent, ...rule } = input;
    const id = names.idOf(agent);
    if (id === undefined) {
      const close = names.closeMatches(agent);
      const hint = close.length ? `; close matches: ${close.join(', ')}` : '; see GET /v1/agents for the names';
      throw new HttpError(400, 'invalid_parameter', `${param}[${i}].agent: no agent is named ${JSON.stringify(agent)}${hint}`, `${param}[${i}].agent`);
    }
    if (rule.agent_id !== undefined && rule.agent_id !== id) {
      throw new HttpError(
        400,
        'invalid_parameter',
        `${param}[${i}]: agent ${JSON.stringify(agent)} is ${id}, but agent_id says ${rule.agent_id}; give one of them`,
        `${param}[${i}].agent`,
      );
    }
    return { ...rule, agent_id: id } as GuardrailRule;
  });
}

/** Stored rules as the API returns them: every `agent_id` of an existing agent with its current `agent` name. */
export function withAgentNames(rules: readonly GuardrailRule[], names: AgentNames): GuardrailRuleInput[] {
  return rules.map((rule) => {
    if (rule.agent_id === undefined) return rule;
    const name = names.nameOf(rule.agent_id);
    if (name === undefined) return rule;
    // Key order as a person writes a rule: the name right after the id.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rule)) {
      if (k === 'agent') continue;
      out[k] = v;
      if (k === 'agent_id') out.agent = name;
    }
    return out as GuardrailRuleInput;
  });
}
