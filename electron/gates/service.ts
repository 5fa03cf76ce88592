/**
 * The review gates: policies, solutions, submissions, the in-memory view the decision pipeline
 * reads, and `check(type, id)`, the enforcement answer for any resource (the route, workflow-run
 * start).
 */
import { RESOURCE_TYPES, type ResourceType } from '../../shared/vocabulary.js';
import type { EnforcementResult } from '../../shared/api/gates.js';
import { checkGate } from '../../shared/core/gates.js';
import type { GateView } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import { NO_RUNS, type GateContext, type RunEvidenceLookup } from './context.js';
import { gateMetrics } from './metrics.js';
import { GatePolicies } from './policies.js';
import { Solutions } from './solutions.js';
import { gateStatements } from './store.js';
import { Submissions } from './submissions.js';
import { GateViewKeeper } from './view.js';

export interface GateServiceDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  /** The governance setting allow_self_approval. */
  allowSelfApproval: () => boolean;
  /** Workflow runs' evidence; by default no run is known. */
  runs?: RunEvidenceLookup;
}

const RESOURCE_LABELS: Record<ResourceType, string> = {
  agent: 'Agent',
  workflow: 'Workflow',
  tool: 'Tool',
  mcp_server: 'MCP server',
  connector: 'Connector',
  model: 'Model',
  prompt: 'Prompt',
  skill: 'Skill',
  mission: 'Mission',
  project: 'Project',
  code_session: 'Code session',
};

export class GateService {
  readonly policies: GatePolicies;
  readonly solutions: Solutions;
  readonly submissions: Submissions;
  private readonly keeper: GateViewKeeper;
  private readonly ctx: GateContext;
  private runs: RunEvidenceLookup;

  constructor(deps: GateServiceDeps) {
    this.runs = deps.runs ?? NO_RUNS;
    const base = {
      db: deps.db,
      s: gateStatements(deps.db),
      audit: deps.audit,
      clock: deps.clock,
      ids: deps.ids,
      bus: deps.bus,
      allowSelfApproval: deps.allowSelfApproval,
      // Looked up on each use, so `useRunEvidence` takes effect for every part.
      runs: { kindsOf: (runId: string) => this.runs.kindsOf(runId) },
    };
    this.keeper = new GateViewKeeper(base);
    this.ctx = { ...base, changed: () => this.keeper.changed() };
    this.policies = new GatePolicies(this.ctx);
    this.solutions = new Solutions(this.ctx);
    this.submissions = new Submissions(this.ctx);
  }

  /** Where evidence gates look up workflow runs (the workflow runs' service, once it exists). */
  useRunEvidence(runs: RunEvidenceLookup): void {
    this.runs = runs;
  }

  /** The view the decision pipeline reads: replaced whole on change, never mutated. */
  view(): GateView {
    return this.keeper.current();
  }

  /**
   * May this resource be used now? Ungoverned → allowed; governed → only through an approved
   * solution holding it. Never throws: a broken view answers not allowed (fail closed).
   */
  check(type: string, id: string): EnforcementResult {
    const resource = { type, id };
    try {
      const result = checkGate(this.keeper.current(), type, id);
      const solution = result.allowed && result.governed ? this.approvedSolutionOf(type, id) : null;
      return { object: 'enforcement_check', resource, governed: result.governed, allowed: result.allowed, conditions: result.conditions, solution_id: solution, blocking: result.blocking };
    } catch {
      return { object: 'enforcement_check', resource, governed: true, allowed: false, conditions: [], solution_id: null, blocking: [] };
    }
  }

  private approvedSolutionOf(type: string, id: string): string | null {
    const row = this.ctx.db
      .prepare<[string, string], { id: string }>(
        `SELECT s.id FROM solutions s JOIN solution_resources r ON r.solution_id = s.id
         WHERE r.type = ? AND r.resource_id = ? AND s.status IN ('approved', 'approved_with_conditions') ORDER BY s.id LIMIT 1`,
      )
      .get(type, id);
    return row?.id ?? null;
  }

  resourceTypes(): { id: ResourceType; label: string }[] {
    return RESOURCE_TYPES.map((id) => ({ id, label: RESOURCE_LABELS[id] }));
  }

  metrics(): ReturnType<typeof gateMetrics> {
    return gateMetrics(this.ctx);
  }
}
