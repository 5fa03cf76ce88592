/**
 * Approval requests: opened by an ALERT (or a delegation), resolved by operators, expired by the
 * TTL reaper (reaper.ts). One status vocabulary, `pending → approved | denied | expired`.
 *
 * Every state change commits in one `immediate()` transaction with its audit rows. What the
 * outside world sees (bus events, waiters, the notifier, the reaper's deadline) is registered
 * with `onCommit` by the change itself, here: it happens only once the outermost transaction
 * commits, never for one that rolls back, and no caller has to remember it.
 */
import type { Approval, ApprovalKind, ApprovalStatus, UndoResult } from '../../shared/api/approvals.js';
import type { GrantScope } from '../../shared/api/grants.js';
import type { z } from 'zod';
import type { ListPage } from '../../shared/api/common.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { Notifier } from '../notifier.js';
import type { PolicyStore } from '../ports.js';
import { notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { checkDecisionOffered, checkOperatorMayDecide, checkStillOpen, type DecisionInput } from './decision-rules.js';
import { GrantOptionsService, notGrantableReason } from './grant-options.js';
import { highRiskReason, resolveGrant } from './grant-scopes.js';
import type { GrantService } from './grants.js';
import { recordRequest, type OpenApproval, type OpenDeps } from './open.js';
import { ExpiryReaper } from './reaper.js';
import { ApprovalAnnouncer, type Answered } from './announcer.js';
import { undoDecision } from './undo.js';
import { READ, approvalOf, decisionHistory, type ApprovalRow, type DecisionRow, type ReadRow } from './rows.js';
import { approvalStatements, type ApprovalStatements } from './statements.js';
import { Waiters, freeOnClose } from './waiters.js';
import { AgentWaits } from './agent-waits.js';

export type { ApprovalRow } from './rows.js';
export type { DecisionInput } from './decision-rules.js';
export type { OpenApproval } from './open.js';

export type Outcome = 'approved' | 'denied' | 'expired';

/** Told inside the resolving transaction, so the action's state moves with its approval. */
export interface ApprovalSink {
  onResolved(row: ApprovalRow, outcome: Outcome, reason: string | null): void;
  /**
   * An undo: an allowed action its agent has not picked up yet stops being allowed (denied, slot
   * and reservation freed). False when it is not allowed any more or its agent already read it.
   */
  withdraw(actionId: string, reason: string, actor: string): boolean;
}

export interface ApprovalServiceDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  notifier: Notifier;
  grants: GrantService;
  policies: PolicyStore;
}

export class ApprovalService {
  readonly waiters: Waiters<Approval>;
  /** How long each agent says it keeps waiting on its pending request. */
  readonly agentWaits: AgentWaits;
  readonly grantOptions: GrantOptionsService;
  private sink: ApprovalSink | null = null;
  private readonly reaper: ExpiryReaper;
  private readonly announce: ApprovalAnnouncer;
  private readonly opening: OpenDeps;
  private readonly s: ApprovalStatements;
  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly grants: GrantService;
  private readonly policies: PolicyStore;

  constructor(deps: ApprovalServiceDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.grants = deps.grants;
    this.policies = deps.policies;
    this.waiters = new Waiters<Approval>(deps.clock);
    this.agentWaits = new AgentWaits(deps.clock);
    this.grantOptions = new GrantOptionsService({ db: deps.db, clock: deps.clock, policies: deps.policies, approvals: this });
    this.s = approvalStatements(deps.db);
    this.opening = { statements: this.s, audit: deps.audit, clock: deps.clock, ids: deps.ids };
    this.reaper = new ExpiryReaper(deps.db, deps.clock, () => this.expireDue());
    this.announce = new ApprovalAnnouncer({
      db: deps.db,
      bus: deps.bus,
      notifier: deps.notifier,
      waiters: this.waiters,
      reaper: this.reaper,
      statements: this.s,
      read: (id) => this.get(id),
    });
  }

  /** The actions domain moves its actions when their approvals resolve. */
  setSink(sink: ApprovalSink): void {
    this.sink = sink;
  }

  /**
   * Boot: expires (and audits) what expired while the app was down, arms the reaper for the
   * earliest pending deadline, and tells the notifier the pending count.
   */
  start(): void {
    this.expireDue();
    this.reaper.arm();
    this.announce.reportPending();
  }

  /** Stops the reaper and answers every long-poll with the current state (shutdown). */
  stop(): void {
    this.reaper.stop();
    this.waiters.wakeAll();
  }

  /** The deadline the reaper is armed for (tests, diagnostics). */
  get reaperDeadline(): string | null {
    return this.reaper.deadline;
  }

  // ---- reading ---------------------------------------------------------------------------

  row(id: string): ReadRow {
    const row = this.s.byId.get(id);
    if (!row) throw notFound('approval', id);
    return row;
  }

  toApi(row: ApprovalRow & Partial<ReadRow>): Approval {
    const decisions = this.s.decisionsOf.all(row.id);
    const decided = new Set(decisions.map((d) => d.operator_id));
    const eligible = row.status === 'pending' ? this.s.eligibleAt.all(row.created_at).filter((o) => !decided.has(o.id)) : [];
    const approval = approvalOf(
      row,
      this.s.categoriesOf.all(row.id).map((c) => c.category),
      decisions,
      eligible,
    );
    if (row.status === 'pending' && !row.withdrawn_at) approval.agent_waiting_until = this.agentWaits.waitingUntil(row.id, row.expires_at);
    return approval;
  }

  get(id: string): Approval {
    this.expireLapsed();
    return this.toApi(this.row(id));
  }

  /** `agent_id` picks the approvals of one agent: those asked of it and those it asked another. */
  list(
    query: { limit: number; cursor?: string; status?: ApprovalStatus; agent_id?: string; kind?: ApprovalKind },
  ): ListPage<Approval> {
    this.expireLapsed();
    const after = decodeCursor(query.cursor, isString);
    const agent = query.agent_id ?? null;
    const rows = this.db
      .prepare<unknown[], ReadRow>(
        `${READ}
         WHERE (? IS NULL OR p.status = ?) AND (? IS NULL OR p.agent_id = ? OR p.child_agent_id = ?)
           AND (? IS NULL OR p.kind = ?)
           AND (? IS NULL OR p.id < ?)
         ORDER BY p.id DESC LIMIT ?`,
      )
      .all(
        query.status ?? null, query.status ?? null,
        agent, agent, agent,
        query.kind ?? null, query.kind ?? null,
        after ?? null, after ?? null,
        query.limit + 1,
      );
    return page(rows, query.limit, (r) => this.toApi(r), (r) => r.id);
  }

  /** Operator decisions, newest first. */
  history(query: { limit: number; cursor?: string; agent_id?: string }) {
    return decisionHistory(this.db, query);
  }

  // ---- opening ---------------------------------------------------------------------------

  /**
   * Opens a pending request, inside the caller's transaction if there is one. It is announced
   * (event, notification, reaper, count) once that transaction commits.
   */
  open(input: OpenApproval): ApprovalRow {
    return immediate(this.db, () => {
      const row = recordRequest(this.opening, input);
      this.announce.afterOpened(row);
      return row;
    });
  }

  // ---- deciding --------------------------------------------------------------------------

  decide(id: string, operatorId: string, input: DecisionInput): Approval {
    // Anything already past its deadline is expired (and audited) first, so a late decision
    // meets `approval_expired` rather than silently approving.
    this.expireDue();
    let answer: Approval | undefined;
    immediate(this.db, () => {
      const row = this.row(id);
      const nowMs = this.clock.now();
      const earlier = this.checkDecision(row, operatorId, input, nowMs);
      const now = toIso(nowMs);
      this.s.insertDecision.run(id, row.agent_id, row.tool, operatorId, input.decision, input.comment ?? null, input.grant ? JSON.stringify(input.grant) : null, now);
      this.tally(row, operatorId, input, earlier, nowMs, (approval) => (answer = approval));
    });
    // Read once after the commit, for the event, the waiters and this answer alike.
    return answer ?? this.get(id);
  }

  /** Every reason this decision cannot be taken now (4xx); returns the earlier decisions that count. */
  private checkDecision(row: ApprovalRow, operatorId: string, input: DecisionInput, nowMs: number): DecisionRow[] {
    checkStillOpen(row, toIso(nowMs));
    checkDecisionOffered(row, input, () => notGrantableReason(row.receipt_id ? this.s.receiptOf.get(row.receipt_id) : undefined, row.explanation));
    // Checked now, so a scope that cannot be granted is refused before anything is recorded.
    if (input.decision === 'allow_always') this.grantFor(row, input.grant, nowMs);
    return checkOperatorMayDecide(
      row,
      operatorId,
      input,
      () => this.policies.governanceSettings().allow_self_approval,
      () => this.s.eligibleAt.all(row.created_at),
      () => this.s.decisionsOf.all(row.id),
    );
  }

  /**
   * Counts the decision just recorded: one deny denies; enough allows approve (allow_always only
   * when every counted allow chose it, which creates the grant); fewer leave the request pending.
   * `answered` gets the approval as announced once the transaction commits.
   */
  private tally(row: ApprovalRow, operatorId: string, input: DecisionInput, earlier: DecisionRow[], nowMs: number, answered: Answered): void {
    const actor = `operator:${operatorId}`;
    const now = toIso(nowMs);
    if (input.decision === 'deny') {
      // INVARIANT: one deny denies, whatever the threshold and earlier allows.
      this.resolve(row, 'denied', 'deny', now, actor, input.comment ?? null, null, answered);
      return;
    }
    const allows = [...earlier.filter((d) => d.decision !== 'deny'), { decision: input.decision, grant_options: input.grant ? JSON.stringify(input.grant) : null }];
    if (allows.length < row.required_approvals) {
      this.audit.append({
        event_type: 'approval.decided',
        actor,
        agent_id: row.agent_id,
        subject_id: row.id,
        data: { approval_id: row.id, decision: input.decision, comment: input.comment ?? null, allows: allows.length, required: row.required_approvals },
      });
      this.announce.afterDecided(row.id, answered);
      return;
    }
    // A permanent grant needs every counted operator to have chosen it; otherwise allow once.
    const always = allows.every((d) => d.decision === 'allow_always');
    let grantId: string | null = null;
    if (always) {
      const options = [...allows].reverse().find((d) => d.grant_options)?.grant_options;
      const action = JSON.parse(row.action) as ActionInput;
      const scope = this.grantFor(row, options ? (JSON.parse(options) as GrantScope) : undefined, nowMs);
      grantId = this.grants.create({ agent_id: row.agent_id, tool: row.tool, connector: action.connector ?? null, ...scope, approval_id: row.id }, actor).id;
    }
    this.resolve(row, 'approved', always ? 'allow_always' : 'allow_once', now, actor, input.comment ?? null, grantId, answered);
  }

  /** The grant an allow_always on `row` creates with these options (400 when it cannot). */
  private grantFor(row: ApprovalRow, options: GrantScope | undefined, nowMs: number) {
    const action = JSON.parse(row.action) as ActionInput;
    const categories = this.s.categoriesOf.all(row.id).map((c) => c.category);
    return resolveGrant(action, options, highRiskReason(action, categories, this.policies.governanceSettings()), nowMs);
  }

  /** Undo an allow within 10 s (see undo.ts); announced once the undo commits. */
  undo(id: string, operatorId: string): z.output<typeof UndoResult> {
    let approval: Approval | undefined;
    const result = undoDecision(
      {
        db: this.db,
        audit: this.audit,
        clock: this.clock,
        grants: this.grants,
        sink: this.sink,
        row: (x) => this.row(x),
        undone: (x) => this.announce.afterUndone(x, (a) => (approval = a)),
      },
      id,
      operatorId,
    );
    return { object: 'approval_undo', approval: approval ?? this.get(id), ...result };
  }

  // ---- resolving ---------------------------------------------------------------------------

  /**
   * Inside the caller's transaction: the request leaves `pending`, audited, and its action
   * follows through the sink. Once committed it is announced (see ApprovalAnnouncer) and `answered`.
   */
  private resolve(
    row: ApprovalRow,
    outcome: Outcome,
    resolution: NonNullable<ApprovalRow['resolution']>,
    at: string,
    actor: string,
    reason: string | null,
    grantId: string | null,
    answered?: Answered,
  ): void {
    this.s.setResolution.run(outcome, resolution, at, grantId, row.id);
    const operators = this.s.decisionsOf.all(row.id).map((d) => d.operator_id);
    this.audit.append({
      event_type: outcome === 'approved' ? 'approval.granted' : outcome === 'denied' ? 'approval.denied' : 'approval.expired',
      actor,
      agent_id: row.agent_id,
      subject_id: row.id,
      data: {
        approval_id: row.id,
        action_id: row.action_id,
        tool: row.tool,
        resolution,
        operators,
        reason,
        grant_id: grantId,
        expires_at: row.expires_at,
      },
    });
    this.sink?.onResolved({ ...row, status: outcome, resolution, resolved_at: at, grant_id: grantId }, outcome, reason);
    onCommit(this.db, () => this.agentWaits.clear(row.id));
    this.announce.afterResolved(row.id, answered);
  }

  /**
   * The agent stopped waiting: inside the caller's transaction the pending request is marked
   * withdrawn and resolved as expired (the action follows through the sink), announced once that
   * transaction commits. False when it was not pending.
   */
  withdrawPending(id: string, at: string, actor: string, reason = 'withdrawn: the agent stopped waiting'): boolean {
    const row = this.s.byId.get(id);
    if (!row || row.status !== 'pending') return false;
    this.s.markWithdrawn.run(at, id);
    this.resolve({ ...row, withdrawn_at: at }, 'expired', 'expired', at, actor, reason, null);
    return true;
  }

  /** Withdraws every pending request an agent asked or is the subject of (it was deleted); returns their ids. */
  withdrawAllOf(agentId: string, at: string, actor: string, reason: string): string[] {
    const pending = this.db
      .prepare<[string, string], { id: string }>("SELECT id FROM approvals WHERE status = 'pending' AND (agent_id = ? OR child_agent_id = ?) ORDER BY id")
      .all(agentId, agentId);
    return pending.filter((p) => this.withdrawPending(p.id, at, actor, reason)).map((p) => p.id);
  }

  // ---- expiring ----------------------------------------------------------------------------

  /** Expires every pending request whose `expires_at` has come; returns their ids. */
  expireDue(): string[] {
    const nowIso = toIso(this.clock.now());
    return immediate(this.db, () => {
      const due = this.s.due.all(nowIso);
      for (const row of due) this.resolve(row, 'expired', 'expired', row.expires_at, 'system', null, null);
      return due.map((r) => r.id);
    });
  }

  /**
   * Expires what has lapsed by the wall clock before a read answers (see ExpiryReaper.lapsed):
   * decisions run `expireDue` themselves. One string comparison when nothing has lapsed.
   */
  expireLapsed(): void {
    if (this.db.inTransaction || !this.reaper.lapsed()) return;
    this.expireDue();
  }

  // ---- waiting -------------------------------------------------------------------------------

  /**
   * Resolves with the approval once it is no longer pending, or as it is after `timeoutS`.
   * `res` is the HTTP response: when its client goes away the waiter is freed at once, and the
   * agent counts as no longer waiting. `willWaitS` is how long the agent says it keeps waiting in
   * all (default `timeoutS`); the Inbox shows it on the request (`agent_waiting_until`).
   */
  async waitFor(
    id: string,
    timeoutS: number,
    res?: NodeJS.EventEmitter & { writableEnded: boolean },
    willWaitS?: number,
  ): Promise<Approval> {
    this.expireLapsed();
    const row = this.row(id);
    if (row.status !== 'pending' || timeoutS <= 0 || this.reaper.isStopped) return this.toApi(row);
    const waiter = this.waiters.wait(id, timeoutS * 1000);
    if (res) freeOnClose(waiter, res);
    if (this.agentWaits.declare(id, Math.max(timeoutS, willWaitS ?? 0))) this.announce.afterWaitChanged(id);
    const { end, value } = await waiter.done;
    if (end === 'woken' && value) return value;
    if (end === 'cancelled' && this.agentWaits.clear(id)) this.announce.afterWaitChanged(id);
    return this.get(id);
  }
}
