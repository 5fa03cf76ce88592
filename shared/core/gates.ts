/**
 * The gates layer: an action may go ahead only when every resource it touches that an active
 * gate policy governs has been cleared by an approved solution. The resources of an action are
 * its `resource`, its agent, its tool and, for an MCP tool (`mcp.SERVER.TOOL`), its MCP server.
 * Default closed: a governed resource no solution holds is blocked.
 */
import type { ActionInput, AgentContext, GateBlock, GateView, Verdict } from './types.js';

export interface GateResource {
  type: string;
  id: string;
  /** How a sentence names it (an agent by its name). */
  label: string;
}

/** The key of a resource in `GateView.allowed` and `GateView.waiting`. */
export const gateKey = (type: string, id: string): string => `${type}\u0000${id}`;

/** `mcp.filesystem.read_file` → `filesystem`; null for a tool that is not an MCP server's. */
export function mcpServerOf(tool: string): string | null {
  const match = /^mcp\.([A-Za-z0-9_-]{1,64})\./.exec(tool);
  return match ? match[1]! : null;
}

/** Every resource of an action the gates look at, in the order the explanation names them. */
export function gateResourcesOf(action: Pick<ActionInput, 'tool' | 'resource'>, agent: Pick<AgentContext, 'id' | 'name'> | null): GateResource[] {
  const out: GateResource[] = [];
  if (agent) out.push({ type: 'agent', id: agent.id, label: agent.name });
  const server = mcpServerOf(action.tool);
  if (server) out.push({ type: 'mcp_server', id: server, label: server });
  out.push({ type: 'tool', id: action.tool, label: action.tool });
  if (action.resource) out.push({ type: action.resource.type, id: action.resource.id, label: action.resource.id });
  return out;
}

export interface GateCheck {
  allowed: boolean;
  governed: boolean;
  conditions: string[];
  blocking: GateBlock[];
}

/** Whether one resource may be used now, from the view alone. Throws when the view is broken. */
export function checkGate(view: GateView, type: string, id: string): GateCheck {
  if (view.error !== undefined) throw new Error(`the review gates could not be read: ${view.error}`);
  const governing = view.governed.get(type);
  if (!governing) return { allowed: true, governed: false, conditions: [], blocking: [] };
  const key = gateKey(type, id);
  const conditions = view.allowed.get(key);
  if (conditions) return { allowed: true, governed: true, conditions: [...conditions], blocking: [] };
  return { allowed: false, governed: true, conditions: [], blocking: [...(view.waiting.get(key) ?? governing)] };
}

/** "mcp_server filesystem is waiting for Security review (stage 1 of 2)". */
export function blockSentence(resource: Pick<GateResource, 'type' | 'label'>, block: GateBlock): string {
  const what = `${resource.type} ${resource.label}`;
  if (block.solution_id === null || block.stage_name === null) {
    return `${what} needs ${block.policy_name} review and no solution holds it`;
  }
  const where = `${block.stage_name} (stage ${block.stage_position} of ${block.stage_count})`;
  return block.status === 'denied' ? `${what} was denied at ${where}` : `${what} is waiting for ${where}`;
}

export interface GatesLayerOutcome {
  verdict: Extract<Verdict, 'BLOCK'> | 'ABSTAIN';
  detail: string;
  blocking: GateBlock[];
}

/** The layer: BLOCK naming each closed resource and what it waits for, else ABSTAIN. Throws on a broken view. */
export function gatesLayer(action: Pick<ActionInput, 'tool' | 'resource'>, agent: Pick<AgentContext, 'id' | 'name'> | null, view: GateView | null | undefined): GatesLayerOutcome {
  if (!view) return { verdict: 'ABSTAIN', detail: 'no review gates', blocking: [] };
  const sentences: string[] = [];
  const blocking: GateBlock[] = [];
  const conditions: string[] = [];
  let governed = 0;
  for (const resource of gateResourcesOf(action, agent)) {
    const check = checkGate(view, resource.type, resource.id);
    if (check.governed) governed++;
    conditions.push(...check.conditions);
    if (check.allowed) continue;
    blocking.push(...check.blocking);
    sentences.push(blockSentence(resource, check.blocking[0]!));
  }
  if (blocking.length) return { verdict: 'BLOCK', detail: sentences.join('; '), blocking };
  if (!governed) return { verdict: 'ABSTAIN', detail: 'no resource of this action is governed by a review gate', blocking };
  const under = conditions.length ? ` (under conditions: ${conditions.join('; ')})` : '';
  return { verdict: 'ABSTAIN', detail: `every governed resource of this action passed its review${under}`, blocking };
}
