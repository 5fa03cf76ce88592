/**
 * Triage of a flood of requests: the `/` filter, sorting by age or risk, and grouping identical
 * requests ("5 × npm install from crew-03"). Pure functions over the pending list.
 */
import type { Approval } from '../../../shared/api/approvals.js';
import { whatIsAsked } from './asked';

export type SortOrder = 'urgency' | 'newest' | 'oldest' | 'risk';

export const SORT_LABELS: Record<SortOrder, string> = {
  urgency: 'Expires soonest',
  newest: 'Newest first',
  oldest: 'Oldest first',
  risk: 'Riskiest first',
};

const agentOf = (a: Approval) => a.agent_name ?? a.agent_id;

/**
 * `/` filter: every word must match. `agent:NAME` and `tool:NAME` match those fields (prefix,
 * case-insensitive); any other word matches the tool, agent, what is asked, folder or explanation.
 */
export function matchesFilter(a: Approval, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const asked = whatIsAsked(a.action);
  const haystack = [a.action.tool, agentOf(a), asked.text, asked.folder ?? '', a.explanation, ...a.categories].join('\n').toLowerCase();
  return words.every((w) => {
    if (w.startsWith('agent:')) return agentOf(a).toLowerCase().startsWith(w.slice(6)) || a.agent_id.toLowerCase() === w.slice(6);
    if (w.startsWith('tool:')) return a.action.tool.toLowerCase().startsWith(w.slice(5));
    return haystack.includes(w);
  });
}

/**
 * A rough risk score for ordering: requests that need several operators, that the settings make
 * ask every time, that move money or that run commands come first.
 */
export function riskScore(a: Approval): number {
  let score = 0;
  if (a.required_approvals > 1) score += 40;
  if (!a.grantable) score += 20;
  if (a.action.value !== undefined) score += Math.min(30, Math.log10(Math.abs(a.action.value) + 1) * 8);
  if (a.action.cost_estimate_micro_usd !== undefined) score += Math.min(20, Math.log10(a.action.cost_estimate_micro_usd / 10_000 + 1) * 6);
  if (/^(shell|exec|payment|order|email|fs\.write|fs\.delete)/.test(a.action.tool)) score += 10;
  score += Math.min(10, a.categories.length * 3);
  return score;
}

const byUrgency = (a: Approval, b: Approval) => a.expires_at.localeCompare(b.expires_at) || a.id.localeCompare(b.id);

export function sortApprovals(list: readonly Approval[], order: SortOrder): Approval[] {
  const out = list.slice();
  if (order === 'urgency') return out.sort(byUrgency);
  if (order === 'newest') return out.sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
  if (order === 'oldest') return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const scores = new Map(out.map((a) => [a.id, riskScore(a)]));
  return out.sort((a, b) => scores.get(b.id)! - scores.get(a.id)! || byUrgency(a, b));
}

export interface RequestGroup {
  key: string;
  /** In list order; the first is the one shown. */
  members: Approval[];
}

/** Identical = same agent, tool and asked-for thing (args beyond that may differ only in context). */
export function groupKey(a: Approval): string {
  return JSON.stringify([a.agent_id, a.action.tool, a.action.connector ?? null, whatIsAsked(a.action).text, a.required_approvals]);
}

/** Groups identical requests, each group where its first member stands in `list`. */
export function groupIdentical(list: readonly Approval[]): RequestGroup[] {
  const groups = new Map<string, RequestGroup>();
  for (const a of list) {
    const key = groupKey(a);
    const g = groups.get(key);
    if (g) g.members.push(a);
    else groups.set(key, { key, members: [a] });
  }
  return [...groups.values()];
}
