/**
 * Undo (`z` in the Inbox, `POST /v1/approvals/{id}/undo`): within 10 s of an allow, the operator
 * takes it back as far as it can still be taken back.
 *
 * - An allow_always grant is revoked (it stops applying at once).
 * - A workflow step's allow is not undone: it moved its run on at once (409; cancel the run).
 * - An allowed action its agent has not picked up yet (`picked_up_at`) is withdrawn: the action and the approval
 *   become `denied`, and the agent that asks later is told so. An action already picked up
 *   stays allowed (the agent may be running it), and an allow_once then has nothing to undo.
 *
 * Everything commits in one transaction with an `approval.undone` audit row, and is announced
 * once that commits.
 */
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, type Db } from '../db/connection.js';
import { conflict } from '../server/errors.js';
import type { GrantService } from './grants.js';
import type { ApprovalRow, ApprovalSink } from './service.js';

export const UNDO_WINDOW_MS = 10_000;

export interface UndoDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  grants: GrantService;
  sink: ApprovalSink | null;
  row(id: string): ApprovalRow;
  /** Inside the undo's transaction: registers the announcement of the undone request. */
  undone(id: string): void;
}

export function undoDecision(deps: UndoDeps, id: string, operatorId: string): { grant_revoked: string | null; action_withdrawn: boolean } {
  const actor = `operator:${operatorId}`;
  return immediate(deps.db, () => {
    const row = deps.row(id);
    const nowMs = deps.clock.now();
    const now = toIso(nowMs);
    if (row.undone_at) throw conflict(`approval ${id} was already undone at ${row.undone_at}`);
    if (row.status !== 'approved' || !row.resolved_at) {
      throw conflict(`approval ${id} is ${row.status}; only an allow can be undone`);
    }
    if (row.kind === 'workflow_step') {
      throw conflict(`approval ${id} answered a workflow step: the allow moved run ${row.workflow_run_id ?? ''} on at once and cannot be taken back; cancel the run instead`);
    }
    const decidedAt = Date.parse(row.resolved_at);
    if (nowMs - decidedAt > UNDO_WINDOW_MS) {
      throw conflict(`approval ${id} was allowed at ${row.resolved_at}; an allow can be undone for ${UNDO_WINDOW_MS / 1000} s only`);
    }

    let grantRevoked: string | null = null;
    if (row.grant_id && deps.grants.get(row.grant_id).revoked_at === null) {
      deps.grants.revoke(row.grant_id, actor);
      grantRevoked = row.grant_id;
    }
    let withdrawn = false;
    // The sink withdraws only an action still allowed whose agent has not read it (picked_up_at).
    if (row.action_id && deps.sink) {
      withdrawn = deps.sink.withdraw(row.action_id, `withdrawn: the operator undid the approval at ${now}`, actor);
    }
    if (!grantRevoked && !withdrawn) {
      throw conflict(`approval ${id}: its agent already picked up the answer, so there is nothing left to undo`);
    }
    if (withdrawn) {
      deps.db.prepare(`UPDATE approvals SET status = 'denied', resolution = 'deny', undone_at = ?, undone_by = ? WHERE id = ?`).run(now, operatorId, id);
    } else {
      deps.db.prepare('UPDATE approvals SET undone_at = ?, undone_by = ? WHERE id = ?').run(now, operatorId, id);
    }
    deps.audit.append({
      event_type: 'approval.undone',
      actor,
      agent_id: row.agent_id,
      subject_id: id,
      data: {
        approval_id: id,
        action_id: row.action_id,
        undid: row.resolution,
        decided_at: row.resolved_at,
        grant_revoked: grantRevoked,
        action_withdrawn: withdrawn,
      },
    });
    deps.undone(id);
    return { grant_revoked: grantRevoked, action_withdrawn: withdrawn };
  });
}
