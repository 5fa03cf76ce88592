/**
 * A solution's requirements against the policies as they stand, and the statuses that follow:
 * each latest submission's (a policy edit may change how many approvals pass it) and the
 * solution's. Runs inside the transaction of every change that can move them.
 */
import type { GatePolicy, GateSubmission, Requirements, Solution } from '../../shared/api/gates.js';
import { toIso } from '../common/clock.js';
import { notFound } from '../server/errors.js';
import { allPolicies, resourcesOf, submissionObject, type GateContext } from './context.js';
import { applicablePolicies, policyRequirement, solutionStatusOf, submissionKey, submissionStatusOf } from './requirements.js';
import { solutionOf } from './store.js';

export interface Recomputed {
  solution: Solution;
  requirements: Requirements;
  /** The stored solution status changed. */
  changed: boolean;
}

const RESOLVED = new Set(['approved', 'conditional', 'denied', 'waived']);

/** Recomputes one solution; `policies` lets a caller recomputing many parse them once. */
export function recompute(ctx: GateContext, solutionId: string, policies: readonly GatePolicy[] = allPolicies(ctx)): Recomputed {
  const row = ctx.s.solution.get(solutionId);
  if (!row) throw notFound('solution', solutionId);
  const resources = resourcesOf(ctx, solutionId);
  const applicable = applicablePolicies(policies, resources);
  const rows = ctx.s.submissionsOf.all(solutionId);
  const now = toIso(ctx.clock.now());
  const latest = new Map<string, GateSubmission>();
  for (const r of rows) {
    if (r.superseded_by !== null) continue;
    const policy = applicable.find((p) => p.id === r.policy_id);
    const gate = policy?.stages.flatMap((s) => s.gates).find((g) => g.id === r.gate_id);
    let submission = submissionObject(ctx, r);
    if (gate && gate.type === r.gate_type) {
      const status = submissionStatusOf(gate, { gate_type: r.gate_type, decisions: submission.decisions, waived: r.waiver_reason !== null });
      const required = gate.type === 'evidence' ? 0 : gate.required_approvals;
      if (status !== r.status || required !== r.required_approvals) {
        const resolvedAt = RESOLVED.has(status) ? (r.resolved_at ?? now) : null;
        ctx.s.setSubmissionStatus.run({ id: r.id, status, required_approvals: required, updated_at: now, resolved_at: resolvedAt });
        submission = { ...submission, status, required_approvals: required, updated_at: now, resolved_at: resolvedAt };
      }
    }
    latest.set(submissionKey(r.policy_id, r.gate_id), submission);
  }
  const reqs = applicable.map((p) => policyRequirement(p, resources, latest));
  const status = solutionStatusOf(reqs, rows.length > 0);
  const changed = status !== row.status;
  if (changed) {
    ctx.s.setSolutionStatus.run(status, now, solutionId);
    ctx.changed();
  }
  const solution = solutionOf(changed ? { ...row, status, updated_at: now } : row, resources);
  return { solution, requirements: { object: 'solution_requirements', solution_id: solutionId, status, policies: reqs }, changed };
}

/** Recomputes every solution holding a resource of `types` or with a submission under `policyId`. */
export function recomputeAffected(ctx: GateContext, types: readonly string[], policyId: string | null): void {
  const ids = new Set(ctx.s.solutionsOfTypes.all(JSON.stringify(types)).map((r) => r.solution_id));
  if (policyId) for (const r of ctx.s.solutionsOfPolicy.all(policyId)) ids.add(r.solution_id);
  const policies = allPolicies(ctx);
  for (const id of ids) recompute(ctx, id, policies);
  ctx.changed();
}
