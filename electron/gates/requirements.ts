/**
 * What a solution still needs, computed from the policies and its latest submissions alone (no
 * I/O): each gate's status, each stage's (passed, open, locked: stages are sequential), each
 * policy's, and the solution's status.
 */
import type { Gate, GatePolicy, GateStatus, GateSubmission, Requirements, ResourceRef, SolutionStatus, SubmissionStatus } from '../../shared/api/gates.js';
import type { GateBlock } from '../../shared/core/types.js';

type GateRequirement = Requirements['policies'][number]['stages'][number]['gates'][number];
type StageRequirement = Requirements['policies'][number]['stages'][number];
export type PolicyRequirement = Requirements['policies'][number];

const PASSED: ReadonlySet<GateStatus> = new Set(['approved', 'conditional', 'waived']);
export const passed = (status: GateStatus): boolean => PASSED.has(status);

/** The decisions and waiver a submission's status follows from. */
export interface SubmissionFacts {
  gate_type: Gate['type'];
  /** Evidence submissions pass on their (checked) evidence. */
  decisions: readonly { decision: 'approved' | 'denied' | 'conditional' }[];
  waived: boolean;
}

/**
 * A submission's status under `gate` as the policy stands now: waived; else one denial denies;
 * else `required_approvals` approvals pass it (conditional when any was); evidence passes on
 * submission.
 */
export function submissionStatusOf(gate: Gate, facts: SubmissionFacts): SubmissionStatus {
  if (facts.waived) return 'waived';
  if (gate.type === 'evidence') return 'approved';
  if (facts.decisions.some((d) => d.decision === 'denied')) return 'denied';
  const approvals = facts.decisions.filter((d) => d.decision !== 'denied');
  if (approvals.length >= gate.required_approvals) return approvals.some((d) => d.decision === 'conditional') ? 'conditional' : 'approved';
  return 'submitted';
}

/** Policies that govern any of `resources`: active and not drafts. */
export function applicablePolicies(policies: readonly GatePolicy[], resources: readonly ResourceRef[]): GatePolicy[] {
  const types = new Set(resources.map((r) => r.type));
  return policies.filter((p) => p.is_active && !p.is_draft && p.applicable_resource_types.some((t) => types.has(t)));
}

export const submissionKey = (policyId: string, gateId: string): string => `${policyId}\u0000${gateId}`;

function gateRequirement(gate: Gate, latest: GateSubmission | undefined): GateRequirement {
  // A submission made under another type of gate (the policy changed since) does not count.
  const submission = latest && latest.gate_type === gate.type ? latest : undefined;
  const status: GateStatus = submission ? submission.status : 'missing';
  const required = gate.type === 'evidence' ? null : gate.required_approvals;
  const approvals = submission ? submission.decisions.filter((d) => d.counted && d.decision !== 'denied').length : 0;
  const missing: string[] = [];
  if (status === 'missing' || status === 'denied') {
    if (status === 'denied') missing.push('a new submission (the last one was denied)');
    if (gate.type === 'checklist') {
      const required = gate.questions.filter((q) => q.required).map((q) => q.id);
      missing.push(required.length ? `answers to ${required.join(', ')}` : 'a submission');
    } else if (gate.type === 'evidence') {
      missing.push(`evidence of kind ${gate.requires.join(', ')} from a workflow run`);
    } else if (status === 'missing') {
      missing.push('a submission');
    }
    if (required !== null) missing.push(`${required} approval${required === 1 ? '' : 's'}`);
  } else if (status === 'submitted' && required !== null) {
    const left = Math.max(1, required - approvals);
    missing.push(`${left} more approval${left === 1 ? '' : 's'}`);
  }
  return {
    gate_id: gate.id,
    type: gate.type,
    name: gate.name ?? null,
    status,
    submission: latest ?? null,
    required_approvals: required,
    approvals,
    missing,
  };
}

/** One policy's stages for a solution, in order; `latest` holds the solution's latest submission per policy and gate. */
export function policyRequirement(policy: GatePolicy, resources: readonly ResourceRef[], latest: ReadonlyMap<string, GateSubmission>): PolicyRequirement {
  let open = false;
  const stages: StageRequirement[] = policy.stages.map((stage, i) => {
    const gates = stage.gates.map((g) => gateRequirement(g, latest.get(submissionKey(policy.id, g.id))));
    const stagePassed = gates.every((g) => passed(g.status));
    const status = open ? 'locked' : stagePassed ? 'passed' : 'open';
    if (!stagePassed) open = true;
    return { stage_id: stage.id, name: stage.name, position: i + 1, status, gates };
  });
  return {
    policy_id: policy.id,
    policy_name: policy.name,
    severity: policy.severity,
    resources: resources.filter((r) => policy.applicable_resource_types.includes(r.type)),
    passed: stages.every((s) => s.status === 'passed'),
    stages,
  };
}

/**
 * approved: every gate passed, none conditionally; approved_with_conditions: every gate passed,
 * some conditionally; rejected: any gate's latest decision is a denial; draft: nothing was ever
 * submitted; else in_review.
 */
export function solutionStatusOf(policies: readonly PolicyRequirement[], everSubmitted: boolean): SolutionStatus {
  const gates = policies.flatMap((p) => p.stages.flatMap((s) => s.gates));
  if (gates.some((g) => g.status === 'denied')) return 'rejected';
  if (!everSubmitted) return 'draft';
  if (gates.every((g) => passed(g.status))) return gates.some((g) => g.status === 'conditional') ? 'approved_with_conditions' : 'approved';
  return 'in_review';
}

/** What keeps a resource of `type` closed under each policy of a solution that did not pass. */
export function blocksOf(policies: readonly PolicyRequirement[], type: string, solutionId: string): GateBlock[] {
  const failing = policies.filter((p) => !p.passed);
  const own = failing.filter((p) => p.resources.some((r) => r.type === type));
  // A resource is cleared only with its whole solution: when its own policies passed, the others hold it.
  return (own.length ? own : failing).map((p) => blockOf(p, solutionId));
}

function blockOf(p: PolicyRequirement, solutionId: string): GateBlock {
  const stage = p.stages.find((s) => s.status === 'open')!;
  const gate = stage.gates.find((g) => !passed(g.status))!;
  return {
    policy_id: p.policy_id,
    policy_name: p.policy_name,
    severity: p.severity,
    stage_id: stage.stage_id,
    stage_name: stage.name,
    stage_position: stage.position,
    stage_count: p.stages.length,
    gate_id: gate.gate_id,
    status: gate.status,
    solution_id: solutionId,
  };
}

/** Every condition of the conditional approvals the solution passed under. */
export function conditionsOf(policies: readonly PolicyRequirement[]): string[] {
  return policies.flatMap((p) => p.stages.flatMap((s) => s.gates.flatMap((g) => (g.status === 'conditional' && g.submission ? g.submission.conditions : []))));
}
