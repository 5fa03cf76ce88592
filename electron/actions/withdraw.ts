/**
 * What happens to a request nobody is waiting for any more.
 *
 * - `withdraw` (`POST /v1/actions/{id}/withdraw`, the action's own agent): a waiting client gave
 *   up. A pending request's approval is resolved as expired and marked withdrawn, so no operator
 *   can allow it later (409); an allowed action not yet run gives back its slot and reservation.
 *   Either way the action ends `expired` with `withdrawn_at` set, and can no longer be completed.
 * - The pick-up window: an action an approval allowed is "picked up" when its agent reads the
 *   allowed status (the `wait_s` answer of `POST /v1/actions`, or `GET /v1/actions/{id}` with its
 *   key, as the typed client, the hook and `warden exec` do once the approval resolves). One not picked up within the window (default 120 s)
 *   releases its concurrency slot and reservation; it stays `allowed` and can still be completed.
 *   An action allowed at once is picked up by the very answer that allows it; one picked up keeps
 *   the reservation timeout as before.
 */
import type { Action } from '../../shared/api/actions.js';
import type { ApprovalService } from '../approvals/service.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import type { BudgetLedger } from '../ports.js';
import { conflict, notFound } from '../server/errors.js';
import type { ActionService } from './service.js';

export const DEFAULT_PICKUP_TIMEOUT_MS = 120_000;

interface WithdrawRow {
  id: string;
  agent_id: string;
  status: Action['status'];
  approval_id: string | null;
  withdrawn_at: string | null;
}

export interface ActionReleaseDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  bus: EventBus;
  budgets: BudgetLedger;
  approvals: ApprovalService;
  actions: ActionService;
  /** The pick-up window (default 120 s). */
  pickupTimeoutMs?: number;
}

export class ActionRelease {
  private readonly s;
  readonly pickupTimeoutMs: number;
  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly budgets: BudgetLedger;
  private readonly approvals: ApprovalService;
  private readonly actions: ActionService;

  constructor(deps: ActionReleaseDeps) {
    const db = deps.db;
    this.db = db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.budgets = deps.budgets;
    this.approvals = deps.approvals;
    this.actions = deps.actions;
    this.pickupTimeoutMs = deps.pickupTimeoutMs ?? DEFAULT_PICKUP_TIMEOUT_MS;
    this.s = {
      row: db.prepare<[string], WithdrawRow>('SELECT id, agent_id, status, approval_id, withdrawn_at FROM actions WHERE id = ?'),
      withdrawn: db.prepare(
        `UPDATE actions SET status = 'expired', holds_slot = 0, withdrawn_at = @at, updated_at = @at, reason = @reason WHERE id = @id`,
      ),
      pickUp: db.prepare(
        `UPDATE actions SET picked_up_at = ? WHERE id = ? AND status = 'allowed' AND approval_id IS NOT NULL AND picked_up_at IS NULL`,
      ),
      unpicked: db.prepare<[string], { id: string; agent_id: string; approval_id: string; updated_at: string }>(
        `SELECT id, agent_id, approval_id, updated_at FROM actions INDEXED BY actions_open
         WHERE holds_slot = 1 AND status = 'allowed' AND approval_id IS NOT NULL AND picked_up_at IS NULL AND updated_at <= ?`,
      ),
      release: db.prepare(`UPDATE actions SET holds_slot = 0 WHERE id = ? AND holds_slot = 1`),
    };
  }

  /** The action's own agent withdraws action `id`. 409 unless pending or allowed. */
  withdraw(id: string, actor: string): Action {
    let withdrawn: Action | undefined;
    immediate(this.db, () => {
      const row = this.s.row.get(id);
      if (!row) throw notFound('action', id);
      if (row.withdrawn_at) throw conflict(`action ${id} was already withdrawn at ${row.withdrawn_at}`);
      if (row.status !== 'pending_approval' && row.status !== 'allowed') {
        throw conflict(`action ${id} is ${row.status}; only a pending or allowed action can be withdrawn`);
      }
      const at = toIso(this.clock.now());
      const was = row.status;
      // A pending request's approval is resolved (and announced once this commits) first.
      if (was === 'pending_approval' && row.approval_id) this.approvals.withdrawPending(row.approval_id, at, actor);
      // Allowed (or allowed by an approval resolved just now): give back what it holds.
      this.budgets.release(id, 'abandoned');
      this.actions.counters.freeSlot(row.agent_id, id);
      const reason = was === 'allowed' ? 'withdrawn by the agent before it ran' : 'withdrawn: the agent stopped waiting';
      this.s.withdrawn.run({ id, at, reason });
      this.audit.append({
        event_type: 'action.withdrawn',
        actor,
        agent_id: row.agent_id,
        subject_id: id,
        data: { action_id: id, approval_id: row.approval_id, was },
      });
      onCommit(this.db, () => {
        withdrawn = this.actions.get(id);
        this.bus.publish('action.withdrawn', withdrawn);
      });
    });
    return withdrawn ?? this.actions.get(id);
  }

  /**
   * The agent read `action` (its own): an action an approval allowed is now picked up. Cheap when
   * there is nothing to record (one comparison), one indexed update the first time.
   */
  pickedUp(action: Pick<Action, 'id' | 'status' | 'approval_id'>): void {
    if (action.status !== 'allowed' || !action.approval_id) return;
    try {
      this.s.pickUp.run(toIso(this.clock.now()), action.id);
    } catch {
      // A busy database: at worst the window releases the slot of an action its agent has.
    }
  }

  /**
   * Releases the slot and reservation of every action an approval allowed more than the window
   * ago that its agent never picked up; each is audited as `action.released`. Returns how many.
   */
  releaseUnpicked(): number {
    const cutoff = toIso(this.clock.now() - this.pickupTimeoutMs);
    if (this.s.unpicked.all(cutoff).length === 0) return 0;
    const released = immediate(this.db, () => {
      const due = this.s.unpicked.all(cutoff);
      for (const r of due) {
        this.budgets.release(r.id, 'abandoned');
        this.actions.counters.freeSlot(r.agent_id, r.id);
        this.s.release.run(r.id);
        this.audit.append({
          event_type: 'action.released',
          actor: 'system',
          agent_id: r.agent_id,
          subject_id: r.id,
          data: { action_id: r.id, approval_id: r.approval_id, reason: 'not_picked_up', pickup_timeout_ms: this.pickupTimeoutMs },
        });
      }
      const ids = due.map((r) => r.id);
      onCommit(this.db, () => {
        for (const id of ids) this.bus.publish('action.released', this.actions.get(id));
      });
      return ids;
    });
    return released.length;
  }

  /** Checks now and then several times per window; returns the stop function. */
  startReaper(intervalMs = Math.min(30_000, Math.max(250, Math.floor(this.pickupTimeoutMs / 4)))): () => void {
    let cancel: (() => void) | null = null;
    let stopped = false;
    const tick = () => {
      try {
        this.releaseUnpicked();
      } catch {
        // A busy or closing database: try again on the next tick.
      }
      if (!stopped) cancel = this.clock.setTimer(intervalMs, tick);
    };
    tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }
}
