/**
 * The decision pipeline around the pure core: assemble a snapshot (see snapshot.ts),
 * `evaluate`, and record the receipt, the action, any approval request, the reservation and the
 * audit row in ONE `immediate()` transaction; announce them once it commits.
 *
 * INVARIANT: any error while assembling the snapshot, evaluating or reserving yields BLOCK
 * (`failClosed`), never ALLOW.
 */
import type { Action, ActionStatus, Evaluation, Receipt } from '../../shared/api/actions.js';
import type { ActionInput } from '../../shared/api/vocabulary.js';
import type { ListPage } from '../../shared/api/common.js';
import { failClosed } from '../../shared/core/index.js';
import type { AgentContext, Decision, ProtectedPaths, Snapshot } from '../../shared/core/types.js';
import { agentContext, type AgentService } from '../agents/service.js';
import type { ApprovalRow, ApprovalService, ApprovalSink, Outcome } from '../approvals/service.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import type { GroupCommit } from '../db/group-commit.js';
import type { EventBus } from '../events/bus.js';
import type { BudgetLedger, CostReport, GrantStore, PolicyStore } from '../ports.js';
import { conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { redactForStorage, redactTextForStorage } from '../redaction/redact.js';
import { inputToStore } from './omit-body.js';
import { LearnedEstimates } from '../budgets/learned-estimates.js';
import { FollowApproval } from './follow-approval.js';
import { QuotaCounters } from './quota-counters.js';
import {
  actionOf,
  actionStatements,
  decisionFields,
  joinedActionOf,
  receiptOf,
  statusOf,
  JOINED,
  type ActionRow,
  type ActionStatements,
  type JoinedRow,
  type ReceiptRow,
} from './rows.js';
import { decideFailClosed, type GateViewSource, type SnapshotDeps } from './snapshot.js';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export interface ActionServiceDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  agents: AgentService;
  policies: PolicyStore;
  budgets: BudgetLedger;
  grants: GrantStore;
  approvals: ApprovalService;
  commits: GroupCommit;
  /**
   * Warden's own files for the self-protection layer (shared/core/self-protection.ts), from the
   * data folder. Null (the default) only in tests that build the service alone.
   */
  protectedPaths?: ProtectedPaths | null;
  /** The review gates' in-memory view for the gates layer; absent, that layer abstains. */
  gates?: GateViewSource | null;
}

export class ActionService implements ApprovalSink {
  /** runs_per_hour and concurrent_executions, mirrored in memory (see QuotaCounters). */
  readonly counters: QuotaCounters;
  /** The estimate reserved for an action that gives none (see LearnedEstimates). */
  private readonly learned: LearnedEstimates;
  private readonly s: ActionStatements;
  /** Built once: the decision path allocates no deps per call. */
  private readonly sources: SnapshotDeps;
  private readonly follow: FollowApproval;
  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly bus: EventBus;
  private readonly agents: AgentService;
  private readonly policies: PolicyStore;
  private readonly budgets: BudgetLedger;
  private readonly approvals: ApprovalService;
  private readonly commits: GroupCommit;

  constructor(deps: ActionServiceDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.bus = deps.bus;
    this.agents = deps.agents;
    this.policies = deps.policies;
    this.budgets = deps.budgets;
    this.approvals = deps.approvals;
    this.commits = deps.commits;
    this.counters = new QuotaCounters(deps.db, () => deps.clock.now());
    this.learned = new LearnedEstimates(deps.db);
    this.s = actionStatements(deps.db);
    this.sources = {
      policies: deps.policies,
      state: { budgets: deps.budgets, grants: deps.grants, counters: this.counters, protectedPaths: deps.protectedPaths ?? null, gates: deps.gates ?? null },
    };
    this.follow = new FollowApproval({
      db: deps.db,
      audit: deps.audit,
      clock: deps.clock,
      budgets: deps.budgets,
      counters: this.counters,
      statements: this.s,
      context: (agentId) => this.context(agentId),
      gates: deps.gates ?? null,
      recordedInput: (row) => this.withEstimate(this.receipt(row.receipt_id).action, row.agent_id),
    });
  }

  private context(agentId: string): AgentContext | null {
    const a = this.agents.find(agentId);
    return a ? agentContext(a) : null;
  }

  /** `input` with the learned estimate of its tool when it gives none (unchanged without history). */
  private withEstimate(input: ActionInput, agentId: string): ActionInput {
    if (input.cost_estimate_micro_usd !== undefined) return input;
    let learned: number | null;
    try {
      learned = this.learned.estimate(agentId, input.tool);
    } catch {
      // Without history the action is decided as before; the ledger stays the judge of spend.
      learned = null;
    }
    return learned === null ? input : { ...input, cost_estimate_micro_usd: learned };
  }

  // ---- recording -----------------------------------------------------------------------------

  /**
   * Evaluates and records an action of `agentId`. `startedBy` is the operator who submitted it
   * on the agent's behalf (the self-approval rule), null for an agent key.
   */
  create(agentId: string, input: ActionInput, actor: string, startedBy: string | null): Action {
    const agent = this.context(agentId);
    if (!agent) throw notFound('agent', agentId);
    // INVARIANT: the decision runs on `input` as sent; only what is recorded, streamed and
    // notified is redacted.
    const stored = redactForStorage(input);
    const record = () => this.record(agent, input, stored, actor, startedBy);
    // A group-commit request already runs in a savepoint of its own.
    return this.commits.inRequest ? record() : immediate(this.db, record);
  }

  /** `create` in the next group commit (see GroupCommit): resolves once the action is durable. */
  submit(agentId: string, input: ActionInput, actor: string, startedBy: string | null): Promise<Action> {
    return this.commits.run(() => this.create(agentId, input, actor, startedBy));
  }

  /** The steps of one decision, inside its transaction; announced once that commits. */
  private record(agent: AgentContext, input: ActionInput, stored: ActionInput, actor: string, startedBy: string | null): Action {
    // Registered first, so the action is announced before the approval it opens. It runs only
    // after the commit, by when `action` (below) is set; if anything here throws, it is dropped.
    onCommit(this.db, () => this.bus.publish('action.evaluated', action));
    this.noteTool(input.tool);
    const nowMs = this.clock.now();
    // Without an estimate, the learned one is checked against the caps and reserved like a given one.
    const estimated = this.withEstimate(input, agent.id);
    const decided = decideFailClosed(this.sources, agent, estimated, nowMs);
    const actionId = this.ids.next('act');
    const decision = this.reserveOrBlock(decided.decision, estimated, actionId, agent);
    const kept = inputToStore(stored, decision);
    const receiptId = this.insertReceipt(actionId, agent.id, kept, decision, toIso(nowMs));
    const row = this.insertAction(actionId, agent.id, input, decision, receiptId, nowMs);
    const approval =
      decision.decision === 'ALERT' ? this.openApproval(row, stored, decision, decided.snapshot!, actor, startedBy) : null;
    this.auditEvaluated(row, decision, approval, actor);
    // Answered from what was just written, without reading it back or parsing the JSON written.
    const action = actionOf(row, { ...decisionFields(decision), action: kept });
    return action;
  }

  private noteTool(tool: string): void {
    try {
      this.policies.recordToolSeen(tool);
    } catch {
      // The registry is informative; failing to note a tool must not fail the decision.
    }
  }

  /** An ALLOW with an estimate reserves it, or is a BLOCK; the explanation is redacted for storage. */
  private reserveOrBlock(decided: Decision, estimated: ActionInput, actionId: string, agent: AgentContext): Decision {
    let decision = decided;
    if (decision.decision === 'ALLOW' && estimated.cost_estimate_micro_usd) {
      const amount = estimated.cost_estimate_micro_usd;
      try {
        immediate(this.db, () => this.budgets.reserve(actionId, agent, estimated.mission_id ?? null, amount));
      } catch (err) {
        decision = failClosed(`the budget ledger could not reserve the estimate: ${messageOf(err)}`);
      }
    }
    // An explanation may quote the arguments it judged.
    return { ...decision, explanation: redactTextForStorage(decision.explanation) };
  }

  private insertReceipt(actionId: string, agentId: string, kept: ActionInput, decision: Decision, now: string): string {
    const receipt: ReceiptRow = {
      id: this.ids.next('rcp'),
      action_id: actionId,
      agent_id: agentId,
      action: JSON.stringify(kept),
      decision: decision.decision,
      block_code: decision.block_code,
      explanation: decision.explanation,
      matched: JSON.stringify(decision.matched),
      layers: JSON.stringify(decision.layers),
      grantable: decision.grantable ? 1 : 0,
      grant_id: decision.grant_id,
      created_at: now,
    };
    this.s.insertReceipt.run(receipt);
    return receipt.id;
  }

  private insertAction(actionId: string, agentId: string, input: ActionInput, decision: Decision, receiptId: string, nowMs: number): ActionRow {
    const now = toIso(nowMs);
    const status = statusOf(decision.decision);
    const row: ActionRow = {
      id: actionId,
      agent_id: agentId,
      tool: input.tool,
      mission_id: input.mission_id ?? null,
      decision: decision.decision,
      block_code: decision.block_code,
      status,
      holds_slot: status === 'allowed' ? 1 : 0,
      approval_id: null,
      receipt_id: receiptId,
      reason: null,
      outcome: null,
      cost_micro_usd: null,
      created_at: now,
      updated_at: now,
      completed_at: null,
    };
    // The counters before the row: their first use loads them from the file, which must not
    // already hold this row.
    if (decision.decision !== 'BLOCK') this.counters.recordRun(agentId, nowMs);
    if (row.holds_slot) this.counters.takeSlot(agentId, actionId, nowMs);
    this.s.insertAction.run(row);
    return row;
  }

  /** An ALERT opens its approval request (announced by the approvals domain once committed). */
  private openApproval(row: ActionRow, stored: ActionInput, decision: Decision, snapshot: Snapshot, actor: string, startedBy: string | null): ApprovalRow {
    // INVARIANT: an ALERT always comes from a complete snapshot (failures are BLOCKs).
    const settings = snapshot.settings;
    const approval = this.approvals.open({
      kind: 'action',
      agent_id: row.agent_id,
      child_agent_id: null,
      action_id: row.id,
      receipt_id: row.receipt_id,
      action: stored,
      categories: snapshot.tool_categories?.[row.tool] ?? [],
      explanation: decision.explanation,
      grantable: decision.grantable,
      required_approvals: settings.approval_threshold,
      ttl_seconds: settings.approval_ttl_seconds,
      started_by: startedBy,
      actor,
    });
    this.s.setApproval.run(approval.id, row.id);
    row.approval_id = approval.id;
    return approval;
  }

  private auditEvaluated(row: ActionRow, decision: Decision, approval: ApprovalRow | null, actor: string): void {
    this.audit.append({
      event_type: 'action.evaluated',
      actor,
      agent_id: row.agent_id,
      subject_id: row.id,
      data: {
        action_id: row.id,
        receipt_id: row.receipt_id,
        tool: row.tool,
        decision: decision.decision,
        block_code: decision.block_code,
        approval_id: approval?.id ?? null,
        grant_id: decision.grant_id,
        explanation: decision.explanation,
      },
    });
  }

  /** `POST /v1/evaluate`: the same decision `create` would take now, nothing recorded. */
  dryRun(input: ActionInput, agentId: string | null): Evaluation {
    let agent: AgentContext | null = null;
    if (agentId) {
      agent = this.context(agentId);
      if (!agent) throw notFound('agent', agentId);
    }
    const { decision } = decideFailClosed(this.sources, agent, input, this.clock.now());
    return { object: 'evaluation', agent_id: agent?.id ?? null, ...decisionFields(decision), status: statusOf(decision.decision) };
  }

  // ---- reading -------------------------------------------------------------------------------

  get(id: string): Action {
    const row = this.s.joined.get(id);
    if (!row) throw notFound('action', id);
    return joinedActionOf(row);
  }

  list(query: { limit: number; cursor?: string; status?: ActionStatus; agent_id?: string }): ListPage<Action> {
    const after = decodeCursor(query.cursor, isString);
    const agent = query.agent_id ?? null;
    const rows = this.db
      .prepare<unknown[], JoinedRow>(
        `${JOINED} WHERE (? IS NULL OR a.agent_id = ?) AND (? IS NULL OR a.status = ?) AND (? IS NULL OR a.id < ?)
         ORDER BY a.id DESC LIMIT ?`,
      )
      .all(agent, agent, query.status ?? null, query.status ?? null, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, joinedActionOf, (r) => r.id);
  }

  receipt(id: string): Receipt {
    const r = this.s.receipt.get(id);
    if (!r) throw notFound('receipt', id);
    return receiptOf(r);
  }

  // ---- completing ------------------------------------------------------------------------------

  /** Settles the reservation, records the spend and frees the slot. 409 unless `allowed`. */
  complete(
    id: string,
    body: { outcome: 'succeeded' | 'failed'; cost_micro_usd?: number; usage?: CostReport['usage'] },
    actor: string,
  ): Action {
    immediate(this.db, () => {
      const row = this.s.row.get(id);
      if (!row) throw notFound('action', id);
      if (row.status === 'completed') throw conflict(`action ${id} is already completed`);
      if (row.status !== 'allowed') throw conflict(`action ${id} is ${row.status}; only an allowed action can be completed`);
      const agent = this.context(row.agent_id);
      if (!agent) throw notFound('agent', row.agent_id);
      let spent: number | null = null;
      if (body.cost_micro_usd === undefined && body.usage === undefined && body.outcome === 'failed') {
        this.budgets.release(id, 'failed');
      } else {
        const cost: CostReport = {
          ...(body.cost_micro_usd !== undefined ? { cost_micro_usd: body.cost_micro_usd } : {}),
          ...(body.usage !== undefined ? { usage: body.usage } : {}),
        };
        const settled = this.budgets.settle(id, agent, row.mission_id, cost, actor);
        spent = body.cost_micro_usd === undefined && body.usage === undefined ? null : settled.spent_micro_usd;
      }
      const now = toIso(this.clock.now());
      this.counters.freeSlot(row.agent_id, id);
      this.s.complete.run(body.outcome, spent, now, now, id);
      this.audit.append({
        event_type: 'action.completed',
        actor,
        agent_id: row.agent_id,
        subject_id: id,
        data: { action_id: id, outcome: body.outcome, cost_micro_usd: spent },
      });
      // The learned estimates mirror completed costs: fed only once this completion is durable.
      if (spent !== null) {
        const cost = spent;
        onCommit(this.db, () => this.learned.record(row.agent_id, row.tool, cost));
      }
    });
    return this.get(id);
  }

  // ---- approvals resolving (ApprovalSink, see follow-approval.ts) ----------------------------------

  withdraw(actionId: string, reason: string, actor: string): boolean {
    return this.follow.withdraw(actionId, reason, actor);
  }

  onResolved(approval: ApprovalRow, outcome: Outcome, reason: string | null): void {
    this.follow.onResolved(approval, outcome, reason);
  }
}
