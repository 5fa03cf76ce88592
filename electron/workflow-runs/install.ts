/**
 * Wires workflow runs into the app: the run service, connections, governance, the outbox worker,
 * human steps opened as Inbox approvals, and approvals resolving back into runs (after the
 * actions domain has moved its action, inside the same transaction).
 */
import { delimiter } from 'node:path';
import type { ActionService } from '../actions/service.js';
import type { AgentService } from '../agents/service.js';
import type { ApprovalService, ApprovalSink } from '../approvals/service.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { PolicyService } from '../policies/service.js';
import type { Api } from '../server/api.js';
import { ConnectionService } from './connections.js';
import type { DefinitionSource } from './definitions.js';
import type { ExecutorResult } from './engine.js';
import { allowedResult } from './executors/action.js';
import { mcpToolCaller } from './executors/mcp-call.js';
import type { UpstreamPool } from '../mcp/upstreams.js';
import { RunGovernance } from './governance.js';
import { OutboxWorker } from './outbox.js';
import { runStatements } from './store.js';
import { workflowRunRoutes } from './routes.js';
import { WorkflowRunService } from './service.js';

export interface WorkflowRunsConfig {
  /** `hold` leaves queued executors for the next start (tests of the crash window). Default `run`. */
  outbox?: 'run' | 'hold';
  /** Folders `cli` steps may run in. Default: WARDEN_WORKFLOW_FOLDERS (path-list separated). */
  folders?: readonly string[];
  /** The first REST retry's delay (doubling after). Default 500 ms. */
  restBaseDelayMs?: number;
}

export interface WorkflowRunsDeps {
  api: Api;
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  agents: AgentService;
  actions: ActionService;
  approvals: ApprovalService;
  policies: PolicyService;
  definitions: DefinitionSource;
  /** Registered MCP servers' clients, for `action` steps on their tools. */
  mcpPool?: UpstreamPool;
  config?: WorkflowRunsConfig;
}

export interface WorkflowRuns {
  runs: WorkflowRunService;
  connections: ConnectionService;
  governance: RunGovernance;
  /** The evidence kinds a run holds, or undefined for no such run (review gates cite them). */
  evidenceKinds(runId: string): string[] | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function foldersFromEnv(): string[] {
  return (process.env.WARDEN_WORKFLOW_FOLDERS ?? '').split(delimiter).filter((f) => f.length > 0);
}

export function installWorkflowRuns(deps: WorkflowRunsDeps): WorkflowRuns {
  const { db, approvals } = deps;
  const governance = new RunGovernance(deps.actions);
  const connections = new ConnectionService({ db, audit: deps.audit, clock: deps.clock, ids: deps.ids });
  const runs = new WorkflowRunService({
    db,
    audit: deps.audit,
    clock: deps.clock,
    ids: deps.ids,
    bus: deps.bus,
    definitions: deps.definitions,
    governance,
    openHumanApproval: ({ run, queue, prompt, transition }) =>
      approvals.open({
        kind: 'workflow_step',
        agent_id: run.agent_id,
        child_agent_id: null,
        action_id: null,
        receipt_id: null,
        action: { tool: RunGovernance.toolOf(run.workflow), args: { run_id: run.id, state: run.state, transition, context: JSON.parse(run.context) as unknown } },
        explanation: prompt,
        grantable: false,
        required_approvals: 1,
        ttl_seconds: deps.policies.governanceSettings().approval_ttl_seconds,
        started_by: null,
        actor: 'system',
        workflow_step: { run_id: run.id, queue, prompt },
      }).id,
  });
  const outbox = new OutboxWorker(db, runs, connections, governance, {
    mode: deps.config?.outbox ?? 'run',
    folders: deps.config?.folders ?? foldersFromEnv(),
    restBaseDelayMs: deps.config?.restBaseDelayMs ?? 500,
    restTimeoutMs: 30_000,
    ...(deps.mcpPool ? { callMcpTool: mcpToolCaller(deps.mcpPool) } : {}),
  });
  runs.onQueued = () => outbox.kick();

  // An allowed action the run waited on: completed now, unless its release blocked it.
  const actionAllowed = (actionId: string): ExecutorResult => {
    const action = deps.actions.get(actionId);
    if (action.status !== 'allowed') return { ok: false, reason: `the action was ${action.status} at release${action.reason ? `: ${action.reason}` : ''}`, details: { action_id: actionId } };
    return allowedResult(governance, actionId);
  };
  const decisionsOf = db.prepare<[string], { operator_id: string }>("SELECT operator_id FROM approval_decisions WHERE approval_id = ? AND decision != 'deny' ORDER BY seq");
  const sink: ApprovalSink = {
    onResolved(row, outcome, reason) {
      deps.actions.onResolved(row, outcome, reason);
      const allowedBy = outcome === 'approved' ? decisionsOf.all(row.id).map((d) => d.operator_id) : [];
      runs.onApprovalResolved(row, outcome, reason, allowedBy, actionAllowed);
    },
    withdraw: (actionId, reason, actor) => deps.actions.withdraw(actionId, reason, actor),
  };
  approvals.setSink(sink);

  workflowRunRoutes(deps.api, {
    runs,
    connections,
    agents: deps.agents,
    withdrawApproval: (approvalId, actor) => approvals.withdrawPending(approvalId, toIso(deps.clock.now()), actor),
  });
  const statements = runStatements(db);
  const evidenceKinds = (runId: string): string[] | undefined =>
    statements.run.get(runId) ? statements.evidenceOf.all(runId).map((e) => e.kind) : undefined;
  return { runs, connections, governance, evidenceKinds, start: () => outbox.start(), stop: () => outbox.stop() };
}
