/**
 * The decision pipeline around the pure core: assemble a snapshot (agent, kill-switch, budgets,
 * quota counters, policies, grants), `evaluate`, and record the receipt, the action, any approval
 * request, the reservation and the audit row in ONE `immediate()` transaction.
 *
 * INVARIANT: any error while assembling the snapshot, evaluating or reserving yields BLOCK
 * (`failClosed`), never ALLOW.
 */
import type { Action, ActionStatus, Evaluation, Receipt } from '../../shared/api/actions.js';
import type { ActionInput } from '../../shared/api/vocabulary.js';
import type { ListPage } from '../../shared/api/common.js';
import { evaluate, failClosed, killSwitchGate, type Gate } from '../../shared/core/index.js';
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
import { QuotaCounters } from './quota-counters.js';

const HOUR_MS = 3_600_000;

interface ActionRow {
  id: string;
  agent_id: string;
  tool: string;
  mission_id: string | null;
  decision: Decision['decision'];
  block_code: Decision['block_code'];
  status: ActionStatus;
  holds_slot: number;
  approval_id: string | null;
  receipt_id: string;
  reason: string | null;
  outcome: 'succeeded' | 'failed' | null;
  cost_micro_usd: number | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  /** Migration 7 (see withdraw.ts); absent on rows built in memory before insert. */
  withdrawn_at?: string | null;
  picked_up_at?: string | null;
}

interface ReceiptRow {
  id: string;
  action_id: string;
  agent_id: string;
  action: string;
  decision: Decision['decision'];
  block_code: Decision['block_code'];
  explanation: string;
  matched: string;
  layers: string;
  grantable: number;
  grant_id: string | null;
  created_at: string;
}

type JoinedRow = ActionRow & Pick<ReceiptRow, 'explanation' | 'matched' | 'layers' | 'grantable' | 'grant_id'> & { input: string };

const JOINED = `SELECT a.*, r.action AS input, r.explanation, r.matched, r.layers, r.grantable, r.grant_id
  FROM actions a JOIN receipts r ON r.id = a.receipt_id`;

const statusOf = (v: Decision['decision']): 'allowed' | 'pending_approval' | 'blocked' =>
  v === 'ALLOW' ? 'allowed' : v === 'ALERT' ? 'pending_approval' : 'blocked';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

function decisionFields(d: Decision) {
  return {
    decision: d.decision,
    block_code: d.block_code,
    explanation: d.explanation,
    matched: d.matched.map((m) => ({ ...m })),
    layers: d.layers.map((l) => ({ ...l })),
    grantable: d.grantable,
    grant_id: d.grant_id,
  };
}

export class ActionService implements ApprovalSink {
  private readonly s;
  /**
   * Warden's own files for the self-protection layer (shared/core/self-protection.ts). Set by
   * createApp from the data folder; null only in tests that build the service alone.
   */
  protectedPaths: ProtectedPaths | null = null;
  /** runs_per_hour and concurrent_executions, mirrored in memory (see QuotaCounters). */
  readonly counters: QuotaCounters;
  /** The estimate reserved for an action that gives none (see LearnedEstimates). */
  private readonly learned: LearnedEstimates;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly bus: EventBus,
    private readonly agents: AgentService,
    private readonly policies: PolicyStore,
    private readonly budgets: BudgetLedger,
    private readonly grants: GrantStore,
    private readonly approvals: ApprovalService,
    private readonly commits: GroupCommit,
  ) {
    this.counters = new QuotaCounters(db, () => clock.now());
    this.learned = new LearnedEstimates(db);
    this.s = {
      insertReceipt: db.prepare(
        `INSERT INTO receipts (id, action_id, agent_id, action, decision, block_code, explanation, matched, layers, grantable, grant_id, created_at)
         VALUES (@id, @action_id, @agent_id, @action, @decision, @block_code, @explanation, @matched, @layers, @grantable, @grant_id, @created_at)`,
      ),
      insertAction: db.prepare(
        `INSERT INTO actions (id, agent_id, tool, mission_id, decision, block_code, status, holds_slot, approval_id, receipt_id,
           reason, outcome, cost_micro_usd, created_at, updated_at, completed_at)
         VALUES (@id, @agent_id, @tool, @mission_id, @decision, @block_code, @status, @holds_slot, @approval_id, @receipt_id,
           @reason, @outcome, @cost_micro_usd, @created_at, @updated_at, @completed_at)`,
      ),
      setApproval: db.prepare('UPDATE actions SET approval_id = ? WHERE id = ?'),
      joined: db.prepare<[string], JoinedRow>(`${JOINED} WHERE a.id = ?`),
      row: db.prepare<[string], ActionRow>('SELECT * FROM actions WHERE id = ?'),
      receipt: db.prepare<[string], ReceiptRow>('SELECT * FROM receipts WHERE id = ?'),
      setStatus: db.prepare(
        'UPDATE actions SET status = ?, holds_slot = ?, block_code = COALESCE(?, block_code), reason = ?, updated_at = ? WHERE id = ?',
      ),
      complete: db.prepare(
        `UPDATE actions SET status = 'completed', holds_slot = 0, outcome = ?, cost_micro_usd = ?, completed_at = ?, updated_at = ?
         WHERE id = ? AND status = 'allowed'`,
      ),
    };
  }

  // ---- snapshot ------------------------------------------------------------------------------

  private context(agentId: string): AgentContext | null {
    const a = this.agents.find(agentId);
    return a ? agentContext(a) : null;
  }

  /**
   * Everything the core may read, at `now`. Throws when any source fails; callers turn that
   * into `failClosed`.
   */
  snapshot(agent: AgentContext | null, missionId: string | null, now: number): Snapshot {
    let quota: Snapshot['quota'] = null;
    if (agent) {
      const limits = this.policies.effectiveQuota(agent.id);
      quota = {
        ...limits,
        runs_last_hour: this.counters.runsSince(agent.id, now - HOUR_MS),
        // An allowed action never completed (its agent crashed) stops holding its slot when the
        // ledger releases its abandoned reservation; it can still be completed later.
        open_actions: this.counters.openSince(agent.id, now - this.budgets.reservationTimeoutMs),
      };
    }
    const store = this.policies as PolicyStore & { toolCategories?: () => Record<string, readonly string[]> };
    return {
      now,
      agent,
      kill_switch: this.budgets.killSwitch(),
      budgets: agent ? this.budgets.applicableBudgets(agent, missionId) : [],
      quota,
      tool_policies: this.policies.toolPolicies(),
      role_overrides: this.policies.roleOverrides(),
      guardrails: this.policies.compiledGuardrails(),
      settings: this.policies.governanceSettings(),
      grants: agent ? this.grants.liveGrants(agent.id, now) : [],
      context: missionId ? { mission_id: missionId } : {},
      protected: this.protectedPaths,
      ...(typeof store.toolCategories === 'function' ? { tool_categories: store.toolCategories() } : {}),
    };
  }

  private decide(input: ActionInput, agent: AgentContext | null, now: number): { decision: Decision; snapshot: Snapshot | null } {
    let snapshot: Snapshot;
    try {
      snapshot = this.snapshot(agent, input.mission_id ?? null, now);
    } catch (err) {
      return { decision: failClosed(`the snapshot could not be assembled: ${messageOf(err)}`), snapshot: null };
    }
    try {
      return { decision: evaluate(input, snapshot), snapshot };
    } catch (err) {
      return { decision: failClosed(messageOf(err)), snapshot };
    }
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
    const record = () => {
      try {
        this.policies.recordToolSeen(input.tool);
      } catch {
        // The registry is informative; failing to note a tool must not fail the decision.
      }
      const nowMs = this.clock.now();
      const now = toIso(nowMs);
      // Without an estimate, the learned one is checked against the caps and reserved like a given one.
      const estimated = this.withEstimate(input, agent.id);
      const decided = this.decide(estimated, agent, nowMs);
      const snapshot = decided.snapshot;
      let decision = decided.decision;
      const actionId = this.ids.next('act');
      const mission = input.mission_id ?? null;
      if (decision.decision === 'ALLOW' && estimated.cost_estimate_micro_usd) {
        const amount = estimated.cost_estimate_micro_usd;
        try {
          immediate(this.db, () => this.budgets.reserve(actionId, agent, mission, amount));
        } catch (err) {
          decision = failClosed(`the budget ledger could not reserve the estimate: ${messageOf(err)}`);
        }
      }
      // An explanation may quote the arguments it judged.
      decision = { ...decision, explanation: redactTextForStorage(decision.explanation) };
      const kept = inputToStore(stored, decision);
      const receipt: ReceiptRow = {
        id: this.ids.next('rcp'),
        action_id: actionId,
        agent_id: agent.id,
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
      const status = statusOf(decision.decision);
      const row: ActionRow = {
        id: actionId,
        agent_id: agent.id,
        tool: input.tool,
        mission_id: mission,
        decision: decision.decision,
        block_code: decision.block_code,
        status,
        holds_slot: status === 'allowed' ? 1 : 0,
        approval_id: null,
        receipt_id: receipt.id,
        reason: null,
        outcome: null,
        cost_micro_usd: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      };
      // The counters before the row: their first use loads them from the file, which must not
      // already hold this row.
      if (decision.decision !== 'BLOCK') this.counters.recordRun(agent.id, nowMs);
      if (row.holds_slot) this.counters.takeSlot(agent.id, actionId, nowMs);
      this.s.insertAction.run(row);
      let approval: ApprovalRow | null = null;
      if (decision.decision === 'ALERT') {
        // INVARIANT: an ALERT always comes from a complete snapshot (failures are BLOCKs).
        const settings = snapshot!.settings;
        approval = this.approvals.open({
          kind: 'action',
          agent_id: agent.id,
          child_agent_id: null,
          action_id: actionId,
          receipt_id: receipt.id,
          action: stored,
          categories: snapshot!.tool_categories?.[input.tool] ?? [],
          explanation: decision.explanation,
          grantable: decision.grantable,
          required_approvals: settings.approval_threshold,
          ttl_seconds: settings.approval_ttl_seconds,
          started_by: startedBy,
          actor,
        });
        this.s.setApproval.run(approval.id, actionId);
        row.approval_id = approval.id;
      }
      this.audit.append({
        event_type: 'action.evaluated',
        actor,
        agent_id: agent.id,
        subject_id: actionId,
        data: {
          action_id: actionId,
          receipt_id: receipt.id,
          tool: input.tool,
          decision: decision.decision,
          block_code: decision.block_code,
          approval_id: approval?.id ?? null,
          grant_id: decision.grant_id,
          explanation: decision.explanation,
        },
      });
      return { row, decision, approval, kept };
    };
    // A group-commit request already runs in a savepoint of its own.
    const result = this.commits.inRequest ? record() : immediate(this.db, record);
    // Answered from what was just written, without reading it back or parsing the JSON written;
    // announced once committed.
    const action = this.actionOf(result.row, { ...decisionFields(result.decision), action: result.kept });
    onCommit(this.db, () => {
      this.bus.publish('action.evaluated', action);
      if (result.approval) this.approvals.announce(result.approval);
    });
    return action;
  }

  /** `create` in the next group commit (see GroupCommit): resolves once the action is durable. */
  submit(agentId: string, input: ActionInput, actor: string, startedBy: string | null): Promise<Action> {
    return this.commits.run(() => this.create(agentId, input, actor, startedBy));
  }

  /** `POST /v1/evaluate`: the same decision `create` would take now, nothing recorded. */
  dryRun(input: ActionInput, agentId: string | null): Evaluation {
    let agent: AgentContext | null = null;
    if (agentId) {
      agent = this.context(agentId);
      if (!agent) throw notFound('agent', agentId);
    }
    const { decision } = this.decide(input, agent, this.clock.now());
    return { object: 'evaluation', agent_id: agent?.id ?? null, ...decisionFields(decision), status: statusOf(decision.decision) };
  }

  // ---- reading -------------------------------------------------------------------------------

  private toApi(r: JoinedRow): Action {
    return this.actionOf(r, {
      decision: r.decision,
      block_code: r.block_code,
      explanation: r.explanation,
      matched: JSON.parse(r.matched) as Action['matched'],
      layers: JSON.parse(r.layers) as Action['layers'],
      grantable: r.grantable === 1,
      grant_id: r.grant_id,
      action: JSON.parse(r.input) as ActionInput,
    });
  }

  private actionOf(
    r: ActionRow,
    receipt: Pick<Action, 'decision' | 'block_code' | 'explanation' | 'matched' | 'layers' | 'grantable' | 'grant_id' | 'action'>,
  ): Action {
    // An approved action blocked at release (the kill-switch engaged, the agent disabled, a budget
    // paused) tells the agent why it is blocked, not why it was asked.
    const blockedAtRelease = r.status === 'blocked' && receipt.decision === 'ALERT' && r.reason !== null;
    return {
      id: r.id,
      object: 'action',
      agent_id: r.agent_id,
      decision: receipt.decision,
      block_code: receipt.block_code,
      explanation: blockedAtRelease ? r.reason! : receipt.explanation,
      matched: receipt.matched,
      layers: receipt.layers,
      grantable: receipt.grantable,
      grant_id: receipt.grant_id,
      status: r.status,
      approval_id: r.approval_id,
      receipt_id: r.receipt_id,
      action: receipt.action,
      reason: r.reason,
      outcome: r.outcome,
      cost_micro_usd: r.cost_micro_usd,
      created_at: r.created_at,
      updated_at: r.updated_at,
      completed_at: r.completed_at,
      withdrawn_at: r.withdrawn_at ?? null,
    };
  }

  get(id: string): Action {
    const row = this.s.joined.get(id);
    if (!row) throw notFound('action', id);
    return this.toApi(row);
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
    return page(rows, query.limit, (r) => this.toApi(r), (r) => r.id);
  }

  receipt(id: string): Receipt {
    const r = this.s.receipt.get(id);
    if (!r) throw notFound('receipt', id);
    return {
      id: r.id,
      object: 'receipt',
      action_id: r.action_id,
      agent_id: r.agent_id,
      action: JSON.parse(r.action) as ActionInput,
      decision: r.decision,
      block_code: r.block_code,
      explanation: r.explanation,
      matched: JSON.parse(r.matched) as Receipt['matched'],
      layers: JSON.parse(r.layers) as Receipt['layers'],
      grantable: r.grantable === 1,
      grant_id: r.grant_id,
      created_at: r.created_at,
    };
  }

  // ---- completing ------------------------------------------------------------------------------

  /** Settles the reservation, records the spend and frees the slot. 409 unless `allowed`. */
  complete(
    id: string,
    body: { outcome: 'succeeded' | 'failed'; cost_micro_usd?: number; usage?: CostReport['usage'] },
    actor: string,
  ): Action {
    let learnedCost: { agentId: string; tool: string; cost: number } | null = null;
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
      if (spent !== null) learnedCost = { agentId: row.agent_id, tool: row.tool, cost: spent };
      this.counters.freeSlot(row.agent_id, id);
      this.s.complete.run(body.outcome, spent, now, now, id);
      this.audit.append({
        event_type: 'action.completed',
        actor,
        agent_id: row.agent_id,
        subject_id: id,
        data: { action_id: id, outcome: body.outcome, cost_micro_usd: spent },
      });
    });
    const learned = learnedCost as { agentId: string; tool: string; cost: number } | null;
    if (learned) this.learned.record(learned.agentId, learned.tool, learned.cost);
    return this.get(id);
  }

  // ---- approvals resolving (ApprovalSink) --------------------------------------------------------

  /** Inside an undo's transaction: an allowed action its agent has not picked up becomes denied. */
  withdraw(actionId: string, reason: string, actor: string): boolean {
    const row = this.s.row.get(actionId);
    if (!row || row.status !== 'allowed' || row.picked_up_at) return false;
    this.budgets.release(row.id, 'denied');
    this.counters.freeSlot(row.agent_id, row.id);
    this.s.setStatus.run('denied', 0, null, reason, toIso(this.clock.now()), row.id);
    this.audit.append({ event_type: 'action.withdrawn', actor, agent_id: row.agent_id, subject_id: row.id, data: { action_id: row.id, approval_id: row.approval_id, reason } });
    return true;
  }

  /** Inside the approval's transaction: the action follows its approval. */
  onResolved(approval: ApprovalRow, outcome: Outcome, reason: string | null): void {
    if (!approval.action_id) return;
    const row = this.s.row.get(approval.action_id);
    if (!row || row.status !== 'pending_approval') return;
    const now = toIso(this.clock.now());
    if (outcome === 'approved') {
      const input = this.withEstimate(this.receipt(row.receipt_id).action, row.agent_id);
      const agent = this.context(row.agent_id);
      // INVARIANT: the operator approved the action as it was asked; the kill-switch layer is
      // checked again at release, so no approval lets an action past an engaged kill-switch,
      // a paused budget, a disabled agent or a cap its estimate no longer fits.
      let gate: Gate;
      try {
        if (!agent) throw new Error(`agent ${row.agent_id} no longer exists`);
        gate = killSwitchGate(input, { kill_switch: this.budgets.killSwitch(), agent, budgets: this.budgets.applicableBudgets(agent, row.mission_id) });
      } catch (err) {
        gate = { verdict: 'BLOCK', code: 'evaluation_error', detail: `the kill-switches could not be checked (fail closed): ${messageOf(err)}` };
      }
      if (gate.verdict === 'BLOCK') {
        const why = `approved, but blocked at release: ${gate.detail}`;
        this.s.setStatus.run('blocked', 0, gate.code, why, now, row.id);
        this.audit.append({
          event_type: 'action.blocked',
          actor: 'system',
          agent_id: row.agent_id,
          subject_id: row.id,
          data: { action_id: row.id, approval_id: approval.id, block_code: gate.code, reason: why },
        });
        return;
      }
      if (input.cost_estimate_micro_usd && agent) {
        const amount = input.cost_estimate_micro_usd;
        try {
          immediate(this.db, () => this.budgets.reserve(row.id, agent, row.mission_id, amount));
        } catch (err) {
          // Fail closed: the operator approved, but the ledger cannot hold the estimate.
          this.s.setStatus.run('blocked', 0, 'evaluation_error', `approved, but the budget ledger could not reserve the estimate: ${messageOf(err)}`, now, row.id);
          return;
        }
      }
      this.counters.takeSlot(row.agent_id, row.id, Date.parse(now));
      this.s.setStatus.run('allowed', 1, null, reason, now, row.id);
      return;
    }
    try {
      immediate(this.db, () => this.budgets.release(row.id, outcome === 'denied' ? 'denied' : 'expired'));
    } catch {
      // Nothing was reserved for a pending action; a failing release leaves nothing held.
    }
    this.s.setStatus.run(outcome, 0, null, reason, now, row.id);
  }
}
