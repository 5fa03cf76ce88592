/** What every part of the review gates shares: the database, its statements, the clock, ids, audit and bus. */
import type { GatePolicy, GateSubmission, ResourceRef } from '../../shared/api/gates.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import { policyOf, submissionOf, type GateStatements, type SubmissionRow } from './store.js';

/**
 * The evidence kinds a workflow run recorded; undefined when there is no such run. Workflow runs
 * supply it; the default knows no run, so an evidence gate cannot pass without them.
 */
export interface RunEvidenceLookup {
  kindsOf(runId: string): readonly string[] | undefined;
}

export const NO_RUNS: RunEvidenceLookup = { kindsOf: () => undefined };

export interface GateContext {
  db: Db;
  s: GateStatements;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  runs: RunEvidenceLookup;
  /** The governance setting: may the operator who made a solution approve its gates? */
  allowSelfApproval: () => boolean;
  /** Called inside every transaction that changed gates: the in-memory view is rebuilt after commit. */
  changed: () => void;
}

export function allPolicies(ctx: Pick<GateContext, 's'>): GatePolicy[] {
  return ctx.s.allPolicies.all().map(policyOf);
}

export function resourcesOf(ctx: GateContext, solutionId: string): ResourceRef[] {
  return ctx.s.resourcesOf.all(solutionId).map((r) => ({ type: r.type, id: r.resource_id }));
}

/** The API object of a submission row, with its decisions and names. */
export function submissionObject(ctx: GateContext, row: SubmissionRow): GateSubmission {
  const solution = ctx.s.solution.get(row.solution_id);
  const policy = ctx.s.policy.get(row.policy_id);
  return submissionOf(row, ctx.s.decisionsOf.all(row.id), {
    solution_name: solution?.name ?? null,
    agent_id: solution?.agent_id ?? null,
    policy_name: policy?.name ?? null,
  });
}
