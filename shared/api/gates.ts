/**
 * Review gates: staged sign-off before a resource (an agent, an MCP server, a workflow, a model…)
 * may be used. A gate policy names the resource types it governs and its stages of gates; a
 * solution bundles the resources under review and collects gate submissions, which operators
 * approve, deny, approve with conditions or waive; the enforcement check answers whether a
 * resource may be used now (the decision pipeline's `gates` layer asks it on every action).
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, QueryBool, RefId, Timestamp, listOf } from './common.js';
import { ResourceType } from './vocabulary.js';

// ---------------------------------------------------------------------------------------------
// Gate policies

export const GateSeverity = z.enum(['low', 'medium', 'high', 'critical']);
export type GateSeverity = z.infer<typeof GateSeverity>;

/** A stage's, gate's or question's id: unique within its policy (questions: within their gate). */
export const GateLocalId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const ChecklistQuestion = z.strictObject({
  id: GateLocalId,
  text: z.string().min(1).max(1000),
  required: z.boolean().default(true),
});

const GateCommon = {
  id: GateLocalId,
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
};

/** Distinct operators whose approval passes an approval or checklist gate. */
const RequiredApprovals = z.number().int().min(1).max(10).default(1);

export const ApprovalGate = z.strictObject({ ...GateCommon, type: z.literal('approval'), required_approvals: RequiredApprovals });

export const ChecklistGate = z.strictObject({
  ...GateCommon,
  type: z.literal('checklist'),
  questions: z.array(ChecklistQuestion).min(1).max(100),
  required_approvals: RequiredApprovals,
});

/** An evidence kind a workflow run records (`test_report`, `scan`…). */
export const EvidenceKind = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected 1-64 of a-z 0-9 . _ -');

export const EvidenceGate = z.strictObject({
  ...GateCommon,
  type: z.literal('evidence'),
  /** Every kind must be cited from a workflow run that recorded evidence of that kind. */
  requires: z.array(EvidenceKind).min(1).max(20),
});

export const Gate = z.discriminatedUnion('type', [ApprovalGate, ChecklistGate, EvidenceGate]);
export type Gate = z.infer<typeof Gate>;
export const GateType = z.enum(['approval', 'checklist', 'evidence']);
export type GateType = z.infer<typeof GateType>;

export const Stage = z.strictObject({
  id: GateLocalId,
  name: z.string().min(1).max(200),
  gates: z.array(Gate).min(1).max(50),
});
export type Stage = z.infer<typeof Stage>;

/**
 * A policy's stages, in order. Stage ids and gate ids are each unique within the policy, question
 * ids within their gate: a duplicate is a 400 whose `param` is its path.
 */
export const Stages = z
  .array(Stage)
  .min(1)
  .max(20)
  .superRefine((stages, ctx) => {
    const stageIds = new Set<string>();
    const gateIds = new Set<string>();
    stages.forEach((stage, s) => {
      if (stageIds.has(stage.id)) ctx.addIssue({ code: 'custom', path: [s, 'id'], message: `stage id ${stage.id} is used twice in this policy` });
      stageIds.add(stage.id);
      stage.gates.forEach((gate, g) => {
        if (gateIds.has(gate.id)) {
          ctx.addIssue({ code: 'custom', path: [s, 'gates', g, 'id'], message: `gate id ${gate.id} is used twice in this policy` });
        }
        gateIds.add(gate.id);
        if (gate.type !== 'checklist') return;
        const questionIds = new Set<string>();
        gate.questions.forEach((q, i) => {
          if (questionIds.has(q.id)) {
            ctx.addIssue({ code: 'custom', path: [s, 'gates', g, 'questions', i, 'id'], message: `question id ${q.id} is used twice in gate ${gate.id}` });
          }
          questionIds.add(q.id);
        });
      });
    });
  });

/** Resource types a policy governs: each one of `GET /v1/resource-types`, no repeats. */
export const ApplicableResourceTypes = z
  .array(ResourceType)
  .min(1)
  .max(20)
  .refine((types) => new Set(types).size === types.length, 'a resource type is listed twice');

export const GatePolicy = z.object({
  id: z.string(),
  object: z.literal('gate_policy'),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  severity: GateSeverity,
  applicable_resource_types: z.array(ResourceType),
  stages: z.array(Stage),
  is_active: z.boolean(),
  is_draft: z.boolean(),
  created_by: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type GatePolicy = z.infer<typeof GatePolicy>;

const PolicyFields = {
  name: z.string().min(1).max(200),
  description: z.string().max(4000),
  category: z.string().min(1).max(64),
  severity: GateSeverity,
  applicable_resource_types: ApplicableResourceTypes,
  stages: Stages,
  is_active: z.boolean(),
  is_draft: z.boolean(),
};

export const GatePolicyCreate = z.strictObject({
  ...PolicyFields,
  description: PolicyFields.description.default(''),
  is_active: PolicyFields.is_active.default(true),
  is_draft: PolicyFields.is_draft.default(false),
});
export type GatePolicyCreate = z.infer<typeof GatePolicyCreate>;

/** Any subset of the policy's fields; `stages` replaces them all. */
export const GatePolicyPatch = z.strictObject({
  name: PolicyFields.name.optional(),
  description: PolicyFields.description.optional(),
  category: PolicyFields.category.optional(),
  severity: PolicyFields.severity.optional(),
  applicable_resource_types: PolicyFields.applicable_resource_types.optional(),
  stages: PolicyFields.stages.optional(),
  is_active: PolicyFields.is_active.optional(),
  is_draft: PolicyFields.is_draft.optional(),
});
export type GatePolicyPatch = z.infer<typeof GatePolicyPatch>;

export const GatePolicySort = z.enum(['created_at:desc', 'created_at:asc', 'updated_at:desc', 'updated_at:asc', 'name:asc', 'name:desc', 'severity:desc', 'severity:asc']);

export const GatePolicyQuery = ListQuery.extend({
  category: z.string().min(1).max(64).optional(),
  severity: GateSeverity.optional(),
  is_active: QueryBool.optional(),
  is_draft: QueryBool.optional(),
  /** Case-insensitive substring of the name or description. */
  search: z.string().min(1).max(200).optional(),
  sort: GatePolicySort.default('created_at:desc'),
});

// ---------------------------------------------------------------------------------------------
// Solutions

export const ResourceRef = z.strictObject({ type: ResourceType, id: z.string().min(1).max(200) });
export type ResourceRef = z.infer<typeof ResourceRef>;

export const SolutionStatus = z.enum(['draft', 'in_review', 'approved', 'approved_with_conditions', 'rejected']);
export type SolutionStatus = z.infer<typeof SolutionStatus>;

export const Solution = z.object({
  id: z.string(),
  object: z.literal('solution'),
  name: z.string(),
  description: z.string(),
  resources: z.array(ResourceRef),
  status: SolutionStatus,
  /** The agent the solution is for (it may read and submit it with its own key); null when none. */
  agent_id: z.string().nullable(),
  /** `operator:opr_…` or `agent:agt_…`. */
  created_by: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Solution = z.infer<typeof Solution>;

const Resources = z
  .array(ResourceRef)
  .min(1)
  .max(100)
  .refine((list) => new Set(list.map((r) => `${r.type}\u0000${r.id}`)).size === list.length, 'a resource is listed twice');

export const SolutionCreate = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  resources: Resources,
  /**
   * The agent the solution is for: an agent key names only itself (omitted, the caller). It joins
   * `resources` when absent there; omitted by an operator, it is the one agent among `resources`, if one.
   */
  agent_id: RefId.optional(),
});
export type SolutionCreate = z.infer<typeof SolutionCreate>;

export const SolutionPatch = z.strictObject({
  name: SolutionCreate.shape.name.optional(),
  description: z.string().max(4000).optional(),
  /** Replaces the whole list; the solution's requirements are recomputed. */
  resources: Resources.optional(),
});
export type SolutionPatch = z.infer<typeof SolutionPatch>;

export const SolutionQuery = ListQuery.extend({
  status: SolutionStatus.optional(),
  search: z.string().min(1).max(200).optional(),
  /** Solutions for this agent; an agent key sees only its own. */
  agent_id: RefId.optional(),
  /** Solutions holding this resource (`type:id`, e.g. `mcp_server:filesystem`). */
  resource: z.string().min(3).max(300).optional(),
});

// ---------------------------------------------------------------------------------------------
// Submissions and decisions

export const GateStatus = z.enum(['missing', 'submitted', 'approved', 'conditional', 'denied', 'waived']);
export type GateStatus = z.infer<typeof GateStatus>;
/** A submission's status: a gate's status once something was submitted. */
export const SubmissionStatus = z.enum(['submitted', 'approved', 'conditional', 'denied', 'waived']);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;
export const GateDecisionKind = z.enum(['approved', 'denied', 'conditional']);
export type GateDecisionKind = z.infer<typeof GateDecisionKind>;

export const EvidenceCitation = z.strictObject({ run_id: RefId, kind: EvidenceKind });

/** What a submission carries: checklist answers by question id, evidence citations, notes. */
export const SubmissionData = z.looseObject({
  answers: z.record(z.string(), z.union([z.string().max(4000), z.boolean(), z.number()])).optional(),
  evidence: z.array(EvidenceCitation).max(50).optional(),
  notes: z.string().max(4000).optional(),
});

export const GateDecision = z.object({
  /** The operator id (`opr_…`). */
  operator: z.string(),
  operator_name: z.string().nullable(),
  decision: GateDecisionKind,
  comments: z.string().nullable(),
  conditions: z.array(z.string()),
  /** False when it does not count toward `required_approvals` (an operator revoked since). */
  counted: z.boolean(),
  at: Timestamp,
});

export const GateSubmission = z.object({
  id: z.string(),
  object: z.literal('gate_submission'),
  solution_id: z.string(),
  solution_name: z.string().nullable(),
  /** The solution's agent. */
  agent_id: z.string().nullable(),
  policy_id: z.string(),
  policy_name: z.string().nullable(),
  stage_id: z.string(),
  gate_id: z.string(),
  gate_type: GateType,
  status: SubmissionStatus,
  data: z.record(z.string(), z.unknown()),
  /** `operator:opr_…` or `agent:agt_…`. */
  submitted_by: z.string(),
  required_approvals: z.number().int(),
  decisions: z.array(GateDecision),
  /** Every condition of the conditional approvals, in order. */
  conditions: z.array(z.string()),
  waiver: z.object({ reason: z.string(), by: z.string(), at: Timestamp }).nullable(),
  /** Set on a submission a later one replaced (a resubmission after a denial). */
  superseded_by: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  resolved_at: Timestamp.nullable(),
});
export type GateSubmission = z.infer<typeof GateSubmission>;

export const SubmitParams = z.strictObject({ id: RefId, gate_id: RefId });
export const SubmitBody = z.strictObject({ policy_id: RefId, data: SubmissionData.default({}) });

export const GateDecisionBody = z
  .strictObject({
    decision: GateDecisionKind,
    comments: z.string().max(4000).optional(),
    conditions: z.array(z.string().min(1).max(1000)).max(50).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'conditional' && !(body.conditions && body.conditions.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'a conditional approval states at least one condition' });
    }
    if (body.decision !== 'conditional' && body.conditions && body.conditions.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'conditions apply only to decision conditional' });
    }
  });

export const WaiveBody = z.strictObject({
  reason: z.string().trim().min(10, 'a waiver states its reason in at least 10 characters').max(4000),
});

export const SubmissionQuery = ListQuery.extend({
  solution_id: RefId.optional(),
  policy_id: RefId.optional(),
  status: SubmissionStatus.optional(),
});

// ---------------------------------------------------------------------------------------------
// Requirements

export const GateRequirement = z.object({
  gate_id: z.string(),
  type: GateType,
  name: z.string().nullable(),
  status: GateStatus,
  /** The latest submission of this gate, null when none. */
  submission: GateSubmission.nullable(),
  required_approvals: z.number().int().nullable(),
  /** Approvals that count so far on the latest submission. */
  approvals: z.number().int(),
  /** What is still needed, in words ("1 more approval", "answers to q2", "evidence of kind scan"); empty once passed. */
  missing: z.array(z.string()),
});

export const StageRequirement = z.object({
  stage_id: z.string(),
  name: z.string(),
  /** 1-based position. */
  position: z.number().int(),
  status: z.enum(['passed', 'open', 'locked']),
  gates: z.array(GateRequirement),
});

export const PolicyRequirement = z.object({
  policy_id: z.string(),
  policy_name: z.string(),
  severity: GateSeverity,
  /** The solution's resources this policy governs. */
  resources: z.array(ResourceRef),
  passed: z.boolean(),
  stages: z.array(StageRequirement),
});

export const Requirements = z.object({
  object: z.literal('solution_requirements'),
  solution_id: z.string(),
  status: SolutionStatus,
  policies: z.array(PolicyRequirement),
});
export type Requirements = z.infer<typeof Requirements>;

export const RecomputeResult = z.object({
  object: z.literal('solution_recompute'),
  solution: Solution,
  requirements: Requirements,
  /** True when the stored status changed. */
  changed: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Enforcement, resource types, metrics, settings

export const BlockingGate = z.object({
  policy_id: z.string(),
  policy_name: z.string(),
  severity: GateSeverity,
  /** The open stage (the first not passed); null when the resource is in no solution. */
  stage_id: z.string().nullable(),
  stage_name: z.string().nullable(),
  /** 1-based position of the open stage and the policy's stage count. */
  stage_position: z.number().int().nullable(),
  stage_count: z.number().int(),
  gate_id: z.string().nullable(),
  status: GateStatus,
  /** The solution the resource is reviewed in, null when none holds it. */
  solution_id: z.string().nullable(),
});
export type BlockingGate = z.infer<typeof BlockingGate>;

export const EnforcementQuery = z.strictObject({ resource_type: z.string().min(1).max(64), resource_id: z.string().min(1).max(200) });

export const EnforcementResult = z.object({
  object: z.literal('enforcement_check'),
  allowed: z.boolean(),
  resource: z.object({ type: z.string(), id: z.string() }),
  /** False when no active policy governs the resource type. */
  governed: z.boolean(),
  /** Conditions of the conditional approvals the resource was allowed under. */
  conditions: z.array(z.string()),
  /** The solution that allows it, when one does. */
  solution_id: z.string().nullable(),
  blocking: z.array(BlockingGate),
});
export type EnforcementResult = z.infer<typeof EnforcementResult>;

export const ResourceTypeInfo = z.object({ id: ResourceType, label: z.string() });

export const GateMetrics = z.object({
  object: z.literal('gate_metrics'),
  policies: z.object({ active: z.number().int(), draft: z.number().int(), inactive: z.number().int(), by_severity: z.record(GateSeverity, z.number().int()) }),
  solutions: z.object({ by_status: z.record(SolutionStatus, z.number().int()) }),
  submissions: z.object({ by_status: z.record(SubmissionStatus, z.number().int()) }),
  pending_reviews: z.number().int(),
  waivers: z.number().int(),
  /** Median from submission to resolution over resolved submissions; null when none. */
  median_time_to_decision_minutes: z.number().nullable(),
  blocked_actions_last_7_days: z.number().int(),
});

// ---------------------------------------------------------------------------------------------
// Routes

export const gateRoutes = {
  listGatePolicies: defineRoute({
    method: 'GET', path: '/v1/gate-policies', auth: 'gates:read', rows: { kind: 'shared' }, tag: 'gates',
    summary: 'Gate policies, filtered (category, severity, is_active, is_draft, search) and sorted (default created_at:desc).',
    query: GatePolicyQuery, response: listOf(GatePolicy),
  }),
  createGatePolicy: defineRoute({
    method: 'POST', path: '/v1/gate-policies', auth: 'operator', role: 'admin', tag: 'gates', status: 201,
    summary: 'Create a gate policy: stages of approval, checklist and evidence gates over resource types. Stage and gate ids are unique within it.',
    body: GatePolicyCreate, response: GatePolicy,
  }),
  getGatePolicy: defineRoute({
    method: 'GET', path: '/v1/gate-policies/:id', auth: 'gates:read', rows: { kind: 'shared' }, tag: 'gates',
    summary: 'One gate policy.', params: IdParams, response: GatePolicy,
  }),
  updateGatePolicy: defineRoute({
    method: 'PUT', path: '/v1/gate-policies/:id', auth: 'operator', role: 'admin', tag: 'gates',
    summary: 'Change any subset of a gate policy; solutions it governs are recomputed (a new stage closes what it governs until passed).',
    params: IdParams, body: GatePolicyPatch, response: GatePolicy,
  }),
  deleteGatePolicy: defineRoute({
    method: 'DELETE', path: '/v1/gate-policies/:id', auth: 'operator', role: 'admin', tag: 'gates', status: 204,
    summary: 'Delete a gate policy (its history stays in the audit).', params: IdParams, response: z.undefined(),
  }),

  listSolutions: defineRoute({
    method: 'GET', path: '/v1/solutions', auth: 'gates:read', rows: { kind: 'list' }, tag: 'gates',
    summary: 'Solutions, newest first, by status, search, agent or resource. An agent key sees its own.',
    query: SolutionQuery, response: listOf(Solution),
  }),
  createSolution: defineRoute({
    method: 'POST', path: '/v1/solutions', auth: 'gates:write', rows: { kind: 'as', in: 'body' }, role: 'member', tag: 'gates', status: 201,
    summary: 'Bundle resources for review. An agent key makes solutions for itself only and may name no other agent among the resources (403).',
    body: SolutionCreate, response: Solution,
  }),
  getSolution: defineRoute({
    method: 'GET', path: '/v1/solutions/:id', auth: 'gates:read', rows: { kind: 'read', owner: 'solution' }, tag: 'gates',
    summary: 'One solution.', params: IdParams, response: Solution,
  }),
  updateSolution: defineRoute({
    method: 'PUT', path: '/v1/solutions/:id', auth: 'gates:write', rows: { kind: 'act', owner: 'solution' }, role: 'member', tag: 'gates',
    summary: 'Change a solution’s name, description or resources (recomputed). An agent key may name no agent but itself.',
    params: IdParams, body: SolutionPatch, response: Solution,
  }),
  deleteSolution: defineRoute({
    method: 'DELETE', path: '/v1/solutions/:id', auth: 'gates:write', rows: { kind: 'act', owner: 'solution' }, role: 'member', tag: 'gates', status: 204,
    summary: 'Delete a solution; what it allowed is closed again.', params: IdParams, response: z.undefined(),
  }),
  getRequirements: defineRoute({
    method: 'GET', path: '/v1/solutions/:id/requirements', auth: 'gates:read', rows: { kind: 'read', owner: 'solution' }, tag: 'gates',
    summary: 'For every active policy governing its resources: the stages in order, each gate’s status and what is still needed.',
    params: IdParams, response: Requirements,
  }),
  recomputeSolution: defineRoute({
    method: 'POST', path: '/v1/solutions/:id/recompute', auth: 'operator', role: 'member', tag: 'gates',
    summary: 'Recompute the solution’s requirements and status against the policies as they are now.',
    params: IdParams, response: RecomputeResult,
  }),
  submitGate: defineRoute({
    method: 'POST', path: '/v1/solutions/:id/gates/:gate_id/submit', auth: 'gates:write', rows: { kind: 'act', owner: 'solution' }, role: 'member', tag: 'gates', status: 201,
    summary:
      'Submit a gate of the open stage. 409 state_conflict when an earlier stage is still open (named) or the gate already passed; ' +
      'a denied gate opens a fresh review. 400 with param for a missing required answer or evidence a run did not record.',
    params: SubmitParams, body: SubmitBody, response: GateSubmission,
  }),
  listGateSubmissions: defineRoute({
    method: 'GET', path: '/v1/gate-submissions', auth: 'operator', tag: 'gates',
    summary: 'Gate submissions, newest first, by solution, policy or status.',
    query: SubmissionQuery, response: listOf(GateSubmission),
  }),
  pendingReviews: defineRoute({
    method: 'GET', path: '/v1/gate-submissions/pending-reviews', auth: 'operator', tag: 'gates',
    summary: 'Submissions awaiting review that the calling operator may still decide (not its own, not decided by it), oldest first.',
    query: ListQuery, response: listOf(GateSubmission),
  }),
  getGateSubmission: defineRoute({
    method: 'GET', path: '/v1/gate-submissions/:id', auth: 'gates:read', rows: { kind: 'read', owner: 'gate_submission' }, tag: 'gates',
    summary: 'One gate submission with its data, decisions, conditions and waiver.', params: IdParams, response: GateSubmission,
  }),
  decideGateSubmission: defineRoute({
    method: 'POST', path: '/v1/gate-submissions/:id/decision', auth: 'operator', role: 'member', tag: 'gates',
    summary:
      'Approve, deny or approve with conditions (conditions required). One denial denies; required_approvals distinct operators pass it. ' +
      '409 already_resolved when this operator already decided or the submission is resolved; 403 for the submitter.',
    params: IdParams, body: GateDecisionBody, response: GateSubmission,
  }),
  waiveGateSubmission: defineRoute({
    method: 'POST', path: '/v1/gate-submissions/:id/waive', auth: 'operator', role: 'admin', tag: 'gates',
    summary: 'Pass the gate as waived, with a reason of at least 10 characters, kept on the submission and in the audit.',
    params: IdParams, body: WaiveBody, response: GateSubmission,
  }),

  enforcementCheck: defineRoute({
    method: 'GET', path: '/v1/enforcement/check', auth: 'gates:read', rows: { kind: 'shared' }, tag: 'gates',
    summary: 'May this resource be used now? Ungoverned → allowed; governed → only through an approved solution holding it.',
    query: EnforcementQuery, response: EnforcementResult,
  }),
  listResourceTypes: defineRoute({
    method: 'GET', path: '/v1/resource-types', auth: 'gates:read', rows: { kind: 'shared' }, tag: 'gates',
    summary: 'The resource types a gate policy may govern.', response: z.array(ResourceTypeInfo),
  }),
  gateMetrics: defineRoute({
    method: 'GET', path: '/v1/gates/metrics', auth: 'operator', tag: 'gates',
    summary: 'Policies, solutions and submissions by status, pending reviews, waivers, median time to decision, actions blocked in 7 days.',
    response: GateMetrics,
  }),
};
