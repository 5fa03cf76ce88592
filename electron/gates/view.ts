/**
 * The review gates in memory (`GateView` of shared/core): rebuilt whole after every commit that
 * changed gates, from a handful of reads, so deciding an action costs a hash lookup per resource
 * and no SQL. A rebuild that fails leaves a view that blocks (fail closed) until the next one.
 */
import type { GateSubmission, ResourceRef } from '../../shared/api/gates.js';
import { gateKey } from '../../shared/core/gates.js';
import type { GateBlock, GateView } from '../../shared/core/types.js';
import { onCommit, onRollback, onTransactionAbort } from '../db/connection.js';
import { allPolicies, type GateContext } from './context.js';
import { applicablePolicies, blocksOf, conditionsOf, policyRequirement, solutionStatusOf, submissionKey } from './requirements.js';
import { submissionOf, type DecisionRow } from './store.js';

const EMPTY: GateView = { governed: new Map(), allowed: new Map(), waiting: new Map() };

export function buildView(ctx: Omit<GateContext, 'changed'>): GateView {
  const policies = allPolicies(ctx);
  const active = policies.filter((p) => p.is_active && !p.is_draft);
  const governed = new Map<string, GateBlock[]>();
  for (const p of active) {
    const first = p.stages[0]!;
    for (const type of p.applicable_resource_types) {
      const list = governed.get(type) ?? [];
      list.push({
        policy_id: p.id,
        policy_name: p.name,
        severity: p.severity,
        stage_id: null,
        stage_name: null,
        stage_position: null,
        stage_count: p.stages.length,
        gate_id: first.gates[0]?.id ?? null,
        status: 'missing',
        solution_id: null,
      });
      governed.set(type, list);
    }
  }
  const allowed = new Map<string, readonly string[]>();
  const waiting = new Map<string, readonly GateBlock[]>();
  if (governed.size === 0) return { governed, allowed, waiting };

  const resources = new Map<string, ResourceRef[]>();
  for (const r of ctx.s.allResources.all()) {
    const list = resources.get(r.solution_id) ?? [];
    list.push({ type: r.type, id: r.resource_id });
    resources.set(r.solution_id, list);
  }
  const decisions = new Map<string, DecisionRow[]>();
  for (const d of ctx.s.latestDecisions.all()) {
    const list = decisions.get(d.submission_id) ?? [];
    list.push(d);
    decisions.set(d.submission_id, list);
  }
  const latest = new Map<string, Map<string, GateSubmission>>();
  for (const r of ctx.s.latestSubmissions.all()) {
    const bySolution = latest.get(r.solution_id) ?? new Map<string, GateSubmission>();
    bySolution.set(submissionKey(r.policy_id, r.gate_id), submissionOf(r, decisions.get(r.id) ?? [], { solution_name: null, agent_id: null, policy_name: null }));
    latest.set(r.solution_id, bySolution);
  }

  for (const solution of ctx.s.allSolutions.all()) {
    const held = (resources.get(solution.id) ?? []).filter((r) => governed.has(r.type));
    if (!held.length) continue;
    const subs = latest.get(solution.id) ?? new Map<string, GateSubmission>();
    const reqs = applicablePolicies(active, held).map((p) => policyRequirement(p, held, subs));
    const status = solutionStatusOf(reqs, subs.size > 0);
    if (status === 'approved' || status === 'approved_with_conditions') {
      const conditions = conditionsOf(reqs);
      for (const r of held) allowed.set(gateKey(r.type, r.id), conditions);
      continue;
    }
    for (const r of held) {
      const key = gateKey(r.type, r.id);
      if (waiting.has(key)) continue;
      const blocks = blocksOf(reqs, r.type, solution.id);
      if (blocks.length) waiting.set(key, blocks);
    }
  }
  for (const key of allowed.keys()) waiting.delete(key);
  return { governed, allowed, waiting };
}

/** Keeps the current view; `changed()` inside a transaction schedules one rebuild after it commits. */
export class GateViewKeeper {
  private view: GateView = EMPTY;
  private scheduled = false;

  constructor(private readonly ctx: Omit<GateContext, 'changed'>) {
    this.rebuild();
    // A lost transaction may have been mid-change: read the file again.
    onTransactionAbort(ctx.db, () => this.rebuild());
  }

  current(): GateView {
    return this.view;
  }

  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // A rolled-back change schedules nothing: the next change must schedule again.
    onRollback(this.ctx.db, () => (this.scheduled = false));
    onCommit(this.ctx.db, () => {
      this.scheduled = false;
      this.rebuild();
    });
  }

  rebuild(): void {
    try {
      this.view = buildView(this.ctx);
    } catch (err) {
      this.view = { ...EMPTY, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
