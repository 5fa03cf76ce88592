/**
 * What the world sees of an approval's changes: bus events, the long-polls waiting on it, the
 * desktop notifier and the reaper's deadline. Every `after*` is called by the change itself,
 * inside its transaction, and registers with `onCommit`: the announcement happens once the
 * outermost transaction commits, and never for one that rolls back.
 */
import type { Approval } from '../../shared/api/approvals.js';
import { onCommit, onRollback, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { Notifier } from '../notifier.js';
import type { ExpiryReaper } from './reaper.js';
import type { ApprovalRow } from './rows.js';
import type { ApprovalStatements } from './statements.js';
import type { Waiters } from './waiters.js';

export interface AnnouncerDeps {
  db: Db;
  bus: EventBus;
  notifier: Notifier;
  waiters: Waiters<Approval>;
  reaper: ExpiryReaper;
  statements: Pick<ApprovalStatements, 'pendingCount'>;
  /** The approval as the API shows it, read after the commit. */
  read(id: string): Approval;
}

/** Told the approval as announced (the caller answers with the same object, read once). */
export type Answered = (approval: Approval) => void;

export class ApprovalAnnouncer {
  private lastPending = -1;
  /** The pending count and the reaper are brought up to date once per committed transaction. */
  private settleQueued = false;

  constructor(private readonly deps: AnnouncerDeps) {}

  /** A request was opened: event, native notification, reaper, count. */
  afterOpened(row: ApprovalRow): void {
    onCommit(this.deps.db, () => {
      const approval = this.deps.read(row.id);
      this.deps.bus.publish('approval.requested', approval);
      try {
        this.deps.notifier.approvalRequested({
          approvalId: approval.id,
          agentName: approval.agent_name ?? approval.agent_id,
          tool: approval.action.tool,
          explanation: approval.explanation,
          expiresAt: approval.expires_at,
        });
      } catch {
        // A failing desktop notification must not fail the agent's request.
      }
      this.deps.reaper.armFor(row.expires_at);
      this.reportPending();
    });
  }

  /** An operator decided, and the request is still pending (a threshold of several). */
  afterDecided(id: string, answered: Answered): void {
    onCommit(this.deps.db, () => {
      const approval = this.deps.read(id);
      // Every open inbox shows "1 of 2 approvals" at once.
      this.deps.bus.publish('approval.decided', approval);
      answered(approval);
    });
  }

  /** The request left `pending` (decided, expired, withdrawn): the event and its waiters. */
  afterResolved(id: string, answered?: Answered): void {
    onCommit(this.deps.db, () => {
      const approval = this.deps.read(id);
      this.deps.bus.publish('approval.resolved', approval);
      // Every waiter gets this one object: 1,000 long-polls cost one read, not 1,000.
      this.deps.waiters.wake(id, approval);
      answered?.(approval);
    });
    this.settleAfterCommit();
  }

  /** The agent said how long it waits on a pending request, or stopped waiting: every open Inbox learns it. */
  afterWaitChanged(id: string): void {
    try {
      const approval = this.deps.read(id);
      if (approval.status === 'pending') this.deps.bus.publish('approval.waiting', approval);
    } catch {
      // Gone or unreadable: nothing to show about its wait.
    }
  }

  /** An allow was undone (nobody waits on a resolved request any more). */
  afterUndone(id: string, answered: Answered): void {
    onCommit(this.deps.db, () => {
      const approval = this.deps.read(id);
      this.deps.bus.publish('approval.resolved', approval);
      answered(approval);
    });
  }

  /** Tells the notifier the pending count when it changed (the tray badge). */
  reportPending(): void {
    const count = this.deps.statements.pendingCount.get()?.n ?? 0;
    if (count === this.lastPending) return;
    this.lastPending = count;
    try {
      this.deps.notifier.pendingCountChanged(count);
    } catch {
      // The tray badge is best effort.
    }
  }

  /** Once per committed transaction, however many requests it resolved: the count and the reaper. */
  private settleAfterCommit(): void {
    if (this.settleQueued) return;
    this.settleQueued = true;
    onRollback(this.deps.db, () => (this.settleQueued = false));
    onCommit(this.deps.db, () => {
      this.settleQueued = false;
      this.reportPending();
      this.deps.reaper.arm();
    });
  }
}
