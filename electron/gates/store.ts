/**
 * The review gates' rows: gate policies, solutions with their resources, submissions and their
 * decisions. SQL lives here only; the API objects are built from the rows here too.
 */
import type { GatePolicy, GateSubmission, ResourceRef, Solution, SolutionStatus, SubmissionStatus } from '../../shared/api/gates.js';
import type Database from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface PolicyRow {
  id: string;
  name: string;
  description: string;
  category: string;
  severity: GatePolicy['severity'];
  applicable_resource_types: string;
  stages: string;
  is_active: number;
  is_draft: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface SolutionRow {
  id: string;
  name: string;
  description: string;
  agent_id: string | null;
  status: SolutionStatus;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface SubmissionRow {
  seq: number;
  id: string;
  solution_id: string;
  policy_id: string;
  stage_id: string;
  gate_id: string;
  gate_type: GateSubmission['gate_type'];
  status: SubmissionStatus;
  data: string;
  submitted_by: string;
  required_approvals: number;
  waiver_reason: string | null;
  waived_by: string | null;
  waived_at: string | null;
  superseded_by: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}

export interface DecisionRow {
  submission_id: string;
  operator_id: string;
  operator_name: string | null;
  decision: 'approved' | 'denied' | 'conditional';
  comments: string | null;
  conditions: string;
  at: string;
}

export function policyOf(r: PolicyRow): GatePolicy {
  return {
    id: r.id,
    object: 'gate_policy',
    name: r.name,
    description: r.description,
    category: r.category,
    severity: r.severity,
    applicable_resource_types: JSON.parse(r.applicable_resource_types) as GatePolicy['applicable_resource_types'],
    stages: JSON.parse(r.stages) as GatePolicy['stages'],
    is_active: r.is_active === 1,
    is_draft: r.is_draft === 1,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export function solutionOf(r: SolutionRow, resources: ResourceRef[]): Solution {
  return {
    id: r.id,
    object: 'solution',
    name: r.name,
    description: r.description,
    resources,
    status: r.status,
    agent_id: r.agent_id,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export interface SubmissionNames {
  solution_name: string | null;
  agent_id: string | null;
  policy_name: string | null;
}

export function submissionOf(r: SubmissionRow, decisions: DecisionRow[], names: SubmissionNames): GateSubmission {
  const mapped = decisions.map((d) => ({
    operator: d.operator_id,
    operator_name: d.operator_name,
    decision: d.decision,
    comments: d.comments,
    conditions: JSON.parse(d.conditions) as string[],
    counted: true,
    at: d.at,
  }));
  return {
    id: r.id,
    object: 'gate_submission',
    solution_id: r.solution_id,
    solution_name: names.solution_name,
    agent_id: names.agent_id,
    policy_id: r.policy_id,
    policy_name: names.policy_name,
    stage_id: r.stage_id,
    gate_id: r.gate_id,
    gate_type: r.gate_type,
    status: r.status,
    data: JSON.parse(r.data) as Record<string, unknown>,
    submitted_by: r.submitted_by,
    required_approvals: r.required_approvals,
    decisions: mapped,
    conditions: mapped.flatMap((d) => (d.decision === 'conditional' ? d.conditions : [])),
    waiver: r.waiver_reason !== null && r.waived_by !== null && r.waived_at !== null ? { reason: r.waiver_reason, by: r.waived_by, at: r.waived_at } : null,
    superseded_by: r.superseded_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
    resolved_at: r.resolved_at,
  };
}

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;
type Ref = { type: ResourceRef['type']; resource_id: string };
type SolutionEdit = { id: string; name: string; description: string; updated_at: string };
type StatusEdit = { id: string; status: SubmissionStatus; required_approvals: number; updated_at: string; resolved_at: string | null };
type Waiver = { id: string; reason: string; by: string; at: string };
type NewDecision = { submission_id: string; operator_id: string; decision: string; comments: string | null; conditions: string; at: string };

export interface GateStatements {
  policy: Stmt<[string], PolicyRow>;
  allPolicies: Stmt<[], PolicyRow>;
  insertPolicy: Stmt<[PolicyRow]>;
  updatePolicy: Stmt<[PolicyRow]>;
  deletePolicy: Stmt<[string]>;
  solution: Stmt<[string], SolutionRow>;
  allSolutions: Stmt<[], SolutionRow>;
  resourcesOf: Stmt<[string], Ref>;
  allResources: Stmt<[], Ref & { solution_id: string }>;
  insertSolution: Stmt<[SolutionRow]>;
  updateSolution: Stmt<[SolutionEdit]>;
  setSolutionStatus: Stmt<[SolutionStatus, string, string]>;
  deleteSolution: Stmt<[string]>;
  clearResources: Stmt<[string]>;
  insertResource: Stmt<[string, number, string, string]>;
  solutionsOfTypes: Stmt<[string], { solution_id: string }>;
  solutionsOfPolicy: Stmt<[string], { solution_id: string }>;
  submission: Stmt<[string], SubmissionRow>;
  submissionsOf: Stmt<[string], SubmissionRow>;
  latestSubmissions: Stmt<[], SubmissionRow>;
  insertSubmission: Stmt<[Omit<SubmissionRow, 'seq'>]>;
  supersede: Stmt<[string, string, string]>;
  setSubmissionStatus: Stmt<[StatusEdit]>;
  waive: Stmt<[Waiver]>;
  decisionsOf: Stmt<[string], DecisionRow>;
  latestDecisions: Stmt<[], DecisionRow>;
  insertDecision: Stmt<[NewDecision]>;
}

/** Prepared statements of the gates' tables, built once. */
export function gateStatements(db: Db): GateStatements {
  return {
    policy: db.prepare<[string], PolicyRow>('SELECT * FROM gate_policies WHERE id = ?'),
    allPolicies: db.prepare<[], PolicyRow>('SELECT * FROM gate_policies ORDER BY created_at, id'),
    insertPolicy: db.prepare<[PolicyRow]>(
      `INSERT INTO gate_policies (id, name, description, category, severity, applicable_resource_types, stages, is_active, is_draft, created_by, created_at, updated_at)
       VALUES (@id, @name, @description, @category, @severity, @applicable_resource_types, @stages, @is_active, @is_draft, @created_by, @created_at, @updated_at)`,
    ),
    updatePolicy: db.prepare<[PolicyRow]>(
      `UPDATE gate_policies SET name = @name, description = @description, category = @category, severity = @severity,
         applicable_resource_types = @applicable_resource_types, stages = @stages, is_active = @is_active, is_draft = @is_draft, updated_at = @updated_at
       WHERE id = @id`,
    ),
    deletePolicy: db.prepare<[string]>('DELETE FROM gate_policies WHERE id = ?'),

    solution: db.prepare<[string], SolutionRow>('SELECT * FROM solutions WHERE id = ?'),
    allSolutions: db.prepare<[], SolutionRow>('SELECT * FROM solutions'),
    resourcesOf: db.prepare<[string], { type: ResourceRef['type']; resource_id: string }>(
      'SELECT type, resource_id FROM solution_resources WHERE solution_id = ? ORDER BY position',
    ),
    allResources: db.prepare<[], { solution_id: string; type: ResourceRef['type']; resource_id: string }>(
      'SELECT solution_id, type, resource_id FROM solution_resources ORDER BY solution_id, position',
    ),
    insertSolution: db.prepare<[SolutionRow]>(
      `INSERT INTO solutions (id, name, description, agent_id, status, created_by, created_at, updated_at)
       VALUES (@id, @name, @description, @agent_id, @status, @created_by, @created_at, @updated_at)`,
    ),
    updateSolution: db.prepare<[{ id: string; name: string; description: string; updated_at: string }]>(
      'UPDATE solutions SET name = @name, description = @description, updated_at = @updated_at WHERE id = @id',
    ),
    setSolutionStatus: db.prepare<[SolutionStatus, string, string]>('UPDATE solutions SET status = ?, updated_at = ? WHERE id = ?'),
    deleteSolution: db.prepare<[string]>('DELETE FROM solutions WHERE id = ?'),
    clearResources: db.prepare<[string]>('DELETE FROM solution_resources WHERE solution_id = ?'),
    insertResource: db.prepare<[string, number, string, string]>('INSERT INTO solution_resources (solution_id, position, type, resource_id) VALUES (?, ?, ?, ?)'),
    solutionsOfTypes: db.prepare<[string], { solution_id: string }>(
      'SELECT DISTINCT solution_id FROM solution_resources WHERE type IN (SELECT value FROM json_each(?))',
    ),
    solutionsOfPolicy: db.prepare<[string], { solution_id: string }>('SELECT DISTINCT solution_id FROM gate_submissions WHERE policy_id = ?'),

    submission: db.prepare<[string], SubmissionRow>('SELECT * FROM gate_submissions WHERE id = ?'),
    submissionsOf: db.prepare<[string], SubmissionRow>('SELECT * FROM gate_submissions WHERE solution_id = ? ORDER BY seq'),
    latestSubmissions: db.prepare<[], SubmissionRow>('SELECT * FROM gate_submissions WHERE superseded_by IS NULL ORDER BY seq'),
    insertSubmission: db.prepare<[Omit<SubmissionRow, 'seq'>]>(
      `INSERT INTO gate_submissions (id, solution_id, policy_id, stage_id, gate_id, gate_type, status, data, submitted_by, required_approvals,
         waiver_reason, waived_by, waived_at, superseded_by, created_at, updated_at, resolved_at)
       VALUES (@id, @solution_id, @policy_id, @stage_id, @gate_id, @gate_type, @status, @data, @submitted_by, @required_approvals,
         @waiver_reason, @waived_by, @waived_at, @superseded_by, @created_at, @updated_at, @resolved_at)`,
    ),
    supersede: db.prepare<[string, string, string]>('UPDATE gate_submissions SET superseded_by = ?, updated_at = ? WHERE id = ?'),
    setSubmissionStatus: db.prepare<[{ id: string; status: SubmissionStatus; required_approvals: number; updated_at: string; resolved_at: string | null }]>(
      'UPDATE gate_submissions SET status = @status, required_approvals = @required_approvals, updated_at = @updated_at, resolved_at = @resolved_at WHERE id = @id',
    ),
    waive: db.prepare<[{ id: string; reason: string; by: string; at: string }]>(
      "UPDATE gate_submissions SET status = 'waived', waiver_reason = @reason, waived_by = @by, waived_at = @at, updated_at = @at, resolved_at = @at WHERE id = @id",
    ),
    decisionsOf: db.prepare<[string], DecisionRow>(
      `SELECT d.*, o.name AS operator_name FROM gate_decisions d LEFT JOIN operators o ON o.id = d.operator_id
       WHERE d.submission_id = ? ORDER BY d.at, d.rowid`,
    ),
    latestDecisions: db.prepare<[], DecisionRow>(
      `SELECT d.*, NULL AS operator_name FROM gate_decisions d JOIN gate_submissions g ON g.id = d.submission_id
       WHERE g.superseded_by IS NULL ORDER BY d.at, d.rowid`,
    ),
    insertDecision: db.prepare<[{ submission_id: string; operator_id: string; decision: string; comments: string | null; conditions: string; at: string }]>(
      `INSERT INTO gate_decisions (submission_id, operator_id, decision, comments, conditions, at)
       VALUES (@submission_id, @operator_id, @decision, @comments, @conditions, @at)`,
    ),
  };
}
