/**
 * Guardrail policies in a policy file: rules name agents (`agent: refund-bot`) and are compared
 * and applied that way. The server stores an agent as its id and reads a rule back with both
 * `agent_id` and the agent's current `agent` name; a file carries the name only, so it reads the
 * same on another machine and after a rename. A rule of an agent the server no longer knows keeps
 * its `agent_id`.
 */
import type { GuardrailRuleInput } from '../../shared/api/policies.js';
import { canonical, same, show } from './policy-compare.js';
import type { Change, PolicyFile, ServerState } from './policy-doc.js';

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

function ruleLines(from: unknown[], to: unknown[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < Math.max(from.length, to.length); i++) {
    if (same(from[i], to[i])) continue;
    if (i < from.length) lines.push(`- rules[${i}]: ${canonical(from[i])}`);
    if (i < to.length) lines.push(`+ rules[${i}]: ${canonical(to[i])}`);
  }
  return lines;
}

/** The guardrails part of a plan: a create or update per policy that differs, deletes with `prune`. */
export function planGuardrails(
  guardrails: NonNullable<PolicyFile['guardrails']>,
  state: ServerState,
  opts: { prune: boolean; note?: string },
): { changes: Change[]; kept: string[]; unchanged: number } {
  const changes: Change[] = [];
  const kept: string[] = [];
  let unchanged = 0;
  const note = opts.note ? { note: opts.note } : {};

  const current = new Map(state.guardrails.map((g) => [g.name, g]));
  const wanted = new Set<string>();
  for (const g of guardrails) {
    wanted.add(g.name);
    const cur = current.get(g.name);
    const description = g.description ?? null;
    const status = g.status ?? 'active';
    if (!cur) {
      changes.push({
        section: 'guardrails', op: 'create', target: g.name,
        details: [`${g.rules.length} rule${g.rules.length === 1 ? '' : 's'}, ${status}`, ...g.rules.map((r, i) => `+ rules[${i}]: ${canonical(r)}`)],
        apply: async (c) => {
          const created = await c.call('createGuardrail', { body: { name: g.name, rules: g.rules, description, status, ...note } });
          return `created ${created.name} v${created.version} (${created.id})`;
        },
      });
      continue;
    }
    const body: { rules?: typeof g.rules; description?: string | null; status?: 'active' | 'disabled' } = {};
    const details: string[] = [];
    // Compared as the file writes them (agents by name), so an export applies as no change.
    const curRules = rulesByAgentName(cur.rules, state.agentNames);
    const fileRules = rulesByAgentName(g.rules, state.agentNames);
    if (!same(curRules, fileRules)) {
      body.rules = g.rules;
      details.push(`rules changed: v${cur.version} → v${cur.version + 1}`, ...ruleLines(curRules, fileRules));
    }
    if ((cur.description ?? null) !== description) {
      body.description = description;
      details.push(`description: ${show(cur.description)} → ${show(description)}`);
    }
    if (cur.status !== status) {
      body.status = status;
      details.push(`status: ${cur.status} → ${status}`);
    }
    if (details.length === 0) {
      unchanged++;
      continue;
    }
    changes.push({
      section: 'guardrails', op: 'update', target: g.name, details,
      apply: async (c) => {
        const updated = await c.call('updateGuardrail', { params: { id: cur.id }, body: body.rules ? { ...body, ...note } : body });
        return `updated ${updated.name} (now v${updated.version})`;
      },
    });
  }
  for (const cur of state.guardrails) {
    if (wanted.has(cur.name)) continue;
    if (!opts.prune) kept.push(`guardrail ${cur.name}`);
    else changes.push({ section: 'guardrails', op: 'delete', target: cur.name, details: [`v${cur.version}, history stays readable`], apply: async (c) => `deleted ${(await c.call('deleteGuardrail', { params: { id: cur.id } })).name}` });
  }
  return { changes, kept, unchanged };
}
