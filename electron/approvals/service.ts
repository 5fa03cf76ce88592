/**
 * Approval requests: opened by an ALERT (or a delegation), resolved by operators, expired by the
 * TTL reaper. One status vocabulary, `pending → approved | denied | expired`.
 *
 * Every state change commits in one `immediate()` transaction with its audit rows; what the
 * outside world sees (bus events, waiters, the notifier) happens only after the commit.
 */
import type { Approval, ApprovalDecisionKind, ApprovalStatus, UndoResult } from '../../shared/api/approvals.js';
import type { GrantScope } from '../../shared/api/grants.js';
import type { z } from 'zod';
import type { ListPage } from '../../shared/api/common.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { Notifier } from '../notifier.js';
import type { PolicyStore } from '../ports.js';
import { HttpError, conflict, invalid, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { GrantOptionsService, notGrantableReason } from './grant-options.js';
import { highRiskReason, resolveGrant } from './grant-scopes.js';
import type { GrantService } from './grants.js';
import { undoDecision } from './undo.js';
import { READ, approvalOf, decisionHistory, type ApprovalRow, type DecisionRow, type ReadRow } from './rows.js';
import { Waiters, freeOnClose } from './waiters.js';

export type { ApprovalRow } from './rows.js';

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

export interface OpenApproval {
  kind: 'action' | 'delegation';
  agent_id: string;
  child_agent_id: string | null;
  action_id: string | null;
  receipt_id: string | null;
  action: ActionInput;
  /** For the by-category report: the action's categories and those declared for its tool. */
  categories?: readonly string[];
  explanation: string;
  grantable: boolean;
  required_approvals: number;
  ttl_seconds: number;
  started_by: string | null;
  actor: string;
}

export interface DecisionInput {
  decision: ApprovalDecisionKind;
  comment?: string;
  grant?: GrantScope;
}

export class ApprovalService {
  readonly waiters: Waiters<Approval>;
  readonly grantOptions: GrantOptionsService;
  private sink: ApprovalSink | null = null;
  private cancelTimer: (() => void) | null = null;
  private armedFor: string | null = null;
  private lastPending = -1;
  private stopped = false;
  private readonly byId;
  private readonly decisionsOf;
  private readonly eligibleAt;
  private readonly categoriesOf;
  private readonly earliest;
  private readonly pendingCount;
  private readonly dueStmt;
  private readonly insertApproval;
  private readonly insertCategory;
  private readonly insertDecision;
  private readonly setResolution;
  private readonly receiptOf;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly bus: EventBus,
    private readonly notifier: Notifier,
    private readonly grants: GrantService,
    private readonly policies: PolicyStore,
  ) {
    this.waiters = new Waiters<Approval>(clock);
    this.grantOptions = new GrantOptionsService(db, clock, policies, this);
    this.byId = db.prepare<[string], ReadRow>(`${READ} WHERE p.id = ?`);
    this.receiptOf = db.prepare<[string], { matched: string; layers: string }>('SELECT matched, layers FROM receipts WHERE id = ?');
    this.decisionsOf = db.prepare<[string], DecisionRow>(
      `SELECT d.*, o.name AS operator_name, o.revoked_at AS operator_revoked_at FROM approval_decisions d
       LEFT JOIN operators o ON o.id = d.operator_id WHERE d.approval_id = ? ORDER BY d.seq`,
    );
    // Who counts toward a request's threshold: operators that existed before it was made and
    // are not revoked. One added later (even by a compromised owner) cannot tip it.
    this.eligibleAt = db.prepare<[string], { id: string; name: string }>(
      'SELECT id, name FROM operators WHERE revoked_at IS NULL AND created_at <= ? ORDER BY id',
    );
    // rowid order is insertion order: the action's own categories first, then its tool's.
    this.categoriesOf = db.prepare<[string], { category: string }>('SELECT category FROM approval_categories WHERE approval_id = ? ORDER BY rowid');
    this.earliest = db.prepare<[], { at: string | null }>(
      `SELECT MIN(expires_at) AS at FROM approvals INDEXED BY approvals_pending_expiry WHERE status = 'pending'`,
    );
    this.pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending'`);
    this.dueStmt = db.prepare<[string], ApprovalRow>(
      `SELECT * FROM approvals INDEXED BY approvals_pending_expiry
       WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at`,
    );
    // Prepared once: opening and deciding are on every ALERT's path.
    this.insertApproval = db.prepare(
      `INSERT INTO approvals (id, kind, status, agent_id, child_agent_id, action_id, receipt_id, tool, action,
         explanation, grantable, required_approvals, started_by, created_at, expires_at)
       VALUES (@id, @kind, @status, @agent_id, @child_agent_id, @action_id, @receipt_id, @tool, @action,
         @explanation, @grantable, @required_approvals, @started_by, @created_at, @expires_at)`,
    );
    this.insertCategory = db.prepare('INSERT OR IGNORE INTO approval_categories (approval_id, category, created_at) VALUES (?, ?, ?)');
    this.insertDecision = db.prepare(
      `INSERT INTO approval_decisions (approval_id, agent_id, tool, operator_id, decision, comment, grant_options, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setResolution = db.prepare(
      `UPDATE approvals SET status = ?, resolution = ?, resolved_at = ?, grant_id = ? WHERE id = ? AND status = 'pending'`,
    );
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
    this.arm();
    this.reportPending();
  }

  /** Stops the reaper and answers every long-poll with the current state (shutdown). */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.waiters.wakeAll();
  }

  // ---- reading ---------------------------------------------------------------------------

  row(id: string): ReadRow {
    const row = this.byId.get(id);
    if (!row) throw notFound('approval', id);
    return row;
  }

  toApi(row: ApprovalRow & Partial<ReadRow>): Approval {
    const decisions = this.decisionsOf.all(row.id);
    const decided = new Set(decisions.map((d) => d.operator_id));
    const eligible = row.status === 'pending' ? this.eligibleAt.all(row.created_at).filter((o) => !decided.has(o.id)) : [];
    return approvalOf(
      row,
      this.categoriesOf.all(row.id).map((c) => c.category),
      decisions,
      eligible,
    );
  }

  get(id: string): Approval {
    this.expireLapsed();
    return this.toApi(this.row(id));
  }

  /** `agent_id` picks the approvals of one agent: those asked of it and those it asked another. */
  list(
    query: { limit: number; cursor?: string; status?: ApprovalStatus; agent_id?: string; kind?: 'action' | 'delegation' },
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
   * Opens a pending request. Call inside the caller's transaction, then `announce` the
   * returned row once it has committed.
   */
  open(input: OpenApproval): ApprovalRow {
    return immediate(this.db, () => {
      const now = this.clock.now();
      const row: ApprovalRow = {
        id: this.ids.next('apr'),
        kind: input.kind,
        status: 'pending',
        agent_id: input.agent_id,
        child_agent_id: input.child_agent_id,
        action_id: input.action_id,
        receipt_id: input.receipt_id,
        tool: input.action.tool,
        action: JSON.stringify(input.action),
        explanation: input.explanation,
        grantable: input.grantable ? 1 : 0,
        required_approvals: Math.max(1, input.required_approvals),
        started_by: input.started_by,
        created_at: toIso(now),
        expires_at: toIso(now + input.ttl_seconds * 1000),
        resolved_at: null,
        resolution: null,
        grant_id: null,
        undone_at: null,
        undone_by: null,
      };
      this.insertApproval.run(row);
      for (const category of new Set([...(input.action.categories ?? []), ...(input.categories ?? [])])) this.insertCategory.run(row.id, category, row.created_at);
      this.audit.append({
        event_type: 'approval.requested',
        actor: input.actor,
        agent_id: row.agent_id,
        subject_id: row.id,
        data: {
          approval_id: row.id,
          kind: row.kind,
          action_id: row.action_id,
          child_agent_id: row.child_agent_id,
          tool: row.tool,
          expires_at: row.expires_at,
          required_approvals: row.required_approvals,
        },
      });
      return row;
    });
  }

  /** After the opening transaction committed: event, native notification, reaper, count. */
  announce(row: ApprovalRow): void {
    const approval = this.get(row.id);
    this.bus.publish('approval.requested', approval);
    try {
      this.notifier.approvalRequested({
        approvalId: approval.id,
        agentName: approval.agent_name ?? approval.agent_id,
        tool: approval.action.tool,
        explanation: approval.explanation,
        expiresAt: approval.expires_at,
      });
    } catch {
      // A failing desktop notification must not fail the agent's request.
    }
    if (this.armedFor === null || row.expires_at < this.armedFor) this.arm();
    this.reportPending();
  }

  // ---- deciding --------------------------------------------------------------------------

  decide(id: string, operatorId: string, input: DecisionInput): Approval {
    // Anything already past its deadline is expired (and audited) first, so a late decision
    // meets `approval_expired` rather than silently approving.
    this.expireDue();
    const actor = `operator:${operatorId}`;
    const resolved = immediate(this.db, () => {
      const row = this.row(id);
      const nowMs = this.clock.now();
      const now = toIso(nowMs);
      if (row.withdrawn_at) {
        throw conflict(`approval ${id} can no longer be decided: the agent stopped waiting and withdrew its request at ${row.withdrawn_at}`);
      }
      if (row.status === 'expired' || (row.status === 'pending' && row.expires_at <= now)) {
        throw new HttpError(409, 'approval_expired', `approval ${id} expired at ${row.expires_at}`);
      }
      if (row.status !== 'pending') {
        throw new HttpError(409, 'already_resolved', `approval ${id} is already ${row.status}`);
      }
      if (input.decision === 'allow_always' && row.grantable !== 1) {
        const why = notGrantableReason(row.receipt_id ? this.receiptOf.get(row.receipt_id) : undefined, row.explanation);
        throw invalid('decision', `allow_always is not offered for this request: ${why}; use allow_once`);
      }
      if (input.grant && input.decision !== 'allow_always') {
        throw invalid('grant', 'grant options apply only to decision allow_always');
      }
      if (input.decision === 'allow_always') {
        // Checked now, so a scope that cannot be granted is refused before anything is recorded.
        this.grantFor(row, input.grant, nowMs);
      }
      if (input.decision !== 'deny' && row.started_by === operatorId && !this.policies.governanceSettings().allow_self_approval) {
        throw new HttpError(
          403,
          'insufficient_scope',
          'allow_self_approval is off: the operator who started this action cannot approve it (deny is still possible)',
        );
      }
      if (!this.eligibleAt.all(row.created_at).some((o) => o.id === operatorId)) {
        throw new HttpError(
          403,
          'insufficient_scope',
          `operator ${operatorId} was added after this request was made; only operators that existed before it may decide`,
        );
      }
      // A revoked operator's earlier allow no longer counts toward the threshold.
      const earlier = this.decisionsOf.all(id).filter((d) => d.operator_revoked_at === null);
      if (earlier.some((d) => d.operator_id === operatorId)) {
        throw conflict(`operator ${operatorId} has already decided on approval ${id}; another operator must decide`);
      }
      this.insertDecision.run(id, row.agent_id, row.tool, operatorId, input.decision, input.comment ?? null, input.grant ? JSON.stringify(input.grant) : null, now);

      if (input.decision === 'deny') {
        // INVARIANT: one deny denies, whatever the threshold and earlier allows.
        this.resolve(row, 'denied', 'deny', now, actor, input.comment ?? null, null);
        return true;
      }
      const allows = [...earlier.filter((d) => d.decision !== 'deny'), { decision: input.decision, grant_options: input.grant ? JSON.stringify(input.grant) : null }];
      if (allows.length < row.required_approvals) {
        this.audit.append({
          event_type: 'approval.decided',
          actor,
          agent_id: row.agent_id,
          subject_id: id,
          data: { approval_id: id, decision: input.decision, comment: input.comment ?? null, allows: allows.length, required: row.required_approvals },
        });
        return false;
      }
      // A permanent grant needs every counted operator to have chosen it; otherwise allow once.
      const always = allows.every((d) => d.decision === 'allow_always');
      let grantId: string | null = null;
      if (always) {
        const options = [...allows].reverse().find((d) => d.grant_options)?.grant_options;
        const action = JSON.parse(row.action) as ActionInput;
        const scope = this.grantFor(row, options ? (JSON.parse(options) as GrantScope) : undefined, nowMs);
        grantId = this.grants.create({ agent_id: row.agent_id, tool: row.tool, connector: action.connector ?? null, ...scope, approval_id: id }, actor).id;
      }
      this.resolve(row, 'approved', always ? 'allow_always' : 'allow_once', now, actor, input.comment ?? null, grantId);
      return true;
    });
    if (resolved) return this.afterResolution([id])[0]!;
    // Still pending (a threshold of several): every open inbox shows "1 of 2 approvals" at once.
    const approval = this.get(id);
    this.bus.publish('approval.decided', approval);
    return approval;
  }

  /** The grant an allow_always on `row` creates with these options (400 when it cannot). */
  private grantFor(row: ApprovalRow, options: GrantScope | undefined, nowMs: number) {
    const action = JSON.parse(row.action) as ActionInput;
    const categories = this.categoriesOf.all(row.id).map((c) => c.category);
    return resolveGrant(action, options, highRiskReason(action, categories, this.policies.governanceSettings()), nowMs);
  }

  /** Undo an allow within 10 s (see undo.ts). */
  undo(id: string, operatorId: string): z.output<typeof UndoResult> {
    const result = undoDecision(
      { db: this.db, audit: this.audit, clock: this.clock, grants: this.grants, sink: this.sink, row: (x) => this.row(x) },
      id,
      operatorId,
    );
    const approval = this.get(id);
    this.bus.publish('approval.resolved', approval);
    return { object: 'approval_undo', approval, ...result };
  }

  private resolve(
    row: ApprovalRow,
    outcome: Outcome,
    resolution: NonNullable<ApprovalRow['resolution']>,
    at: string,
    actor: string,
    reason: string | null,
    grantId: string | null,
  ): void {
    this.setResolution.run(outcome, resolution, at, grantId, row.id);
    const operators = this.decisionsOf.all(row.id).map((d) => d.operator_id);
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
  }

  /**
   * The agent stopped waiting: inside the caller's transaction the pending request is marked
   * withdrawn and resolved as expired (the action follows through the sink). Call
   * `afterResolution([id])` once that transaction has committed. False when it was not pending.
   */
  withdrawPending(id: string, at: string, actor: string): boolean {
    const row = this.byId.get(id);
    if (!row || row.status !== 'pending') return false;
    this.db.prepare('UPDATE approvals SET withdrawn_at = ? WHERE id = ?').run(at, id);
    this.resolve({ ...row, withdrawn_at: at }, 'expired', 'expired', at, actor, 'withdrawn: the agent stopped waiting', null);
    return true;
  }

  /** Announces resolved requests, read once each; returns them in the order of `ids`. */
  afterResolution(ids: string[]): Approval[] {
    const resolved = ids.map((id) => {
      const approval = this.get(id);
      this.bus.publish('approval.resolved', approval);
      // Every waiter gets this one object: 1,000 long-polls cost one read, not 1,000.
      this.waiters.wake(id, approval);
      return approval;
    });
    this.reportPending();
    this.arm();
    return resolved;
  }

  // ---- expiring ----------------------------------------------------------------------------

  /** Expires every pending request whose `expires_at` has come; returns their ids. */
  expireDue(): string[] {
    const nowIso = toIso(this.clock.now());
    const expired = immediate(this.db, () => {
      const due = this.dueStmt.all(nowIso);
      for (const row of due) this.resolve(row, 'expired', 'expired', row.expires_at, 'system', null, null);
      return due.map((r) => r.id);
    });
    if (expired.length) this.afterResolution(expired);
    return expired;
  }

  /**
   * Expires what has lapsed by the wall clock before a read answers. The reaper's timer runs on
   * the monotonic clock, so after a forward step of the wall clock it fires late; comparing the
   * earliest `expires_at` with `now()` here keeps every read right meanwhile (decisions run
   * `expireDue` themselves). One string comparison when nothing has lapsed.
   */
  expireLapsed(): void {
    if (this.armedFor === null || this.db.inTransaction || this.armedFor > toIso(this.clock.now())) return;
    this.expireDue();
  }

  /**
   * One timer, armed for the earliest pending deadline on the injected clock. It fires exactly
   * at that deadline, expires what is due and re-arms for the next one.
   */
  private arm(): void {
    if (this.stopped) return;
    const next = this.earliest.get()?.at ?? null;
    if (next === this.armedFor && this.cancelTimer) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedFor = next;
    if (next === null) return;
    this.cancelTimer = this.clock.setTimer(Math.max(0, Date.parse(next) - this.clock.now()), () => {
      this.cancelTimer = null;
      this.armedFor = null;
      try {
        this.expireDue();
      } finally {
        this.arm();
      }
    });
  }

  /** The deadline the reaper is armed for (tests, diagnostics). */
  get reaperDeadline(): string | null {
    return this.cancelTimer ? this.armedFor : null;
  }

  private reportPending(): void {
    const count = this.pendingCount.get()?.n ?? 0;
    if (count === this.lastPending) return;
    this.lastPending = count;
    try {
      this.notifier.pendingCountChanged(count);
    } catch {
      // The tray badge is best effort.
    }
  }

  // ---- waiting -------------------------------------------------------------------------------

  /**
   * Resolves with the approval once it is no longer pending, or as it is after `timeoutS`.
   * `res` is the HTTP response: when its client goes away the waiter is freed at once.
   */
  async waitFor(
    id: string,
    timeoutS: number,
    res?: NodeJS.EventEmitter & { writableEnded: boolean },
  ): Promise<Approval> {
    this.expireLapsed();
    const row = this.row(id);
    if (row.status !== 'pending' || timeoutS <= 0 || this.stopped) return this.toApi(row);
    const waiter = this.waiters.wait(id, timeoutS * 1000);
    if (res) freeOnClose(waiter, res);
    const { end, value } = await waiter.done;
    if (end === 'woken' && value) return value;
    return this.get(id);
  }
}
