/**
 * Who may decide an approval request, and how: the checks an operator's decision passes before
 * anything is recorded, in the order their errors are reported.
 */
import type { ApprovalDecisionKind } from '../../shared/api/approvals.js';
import type { GrantScope } from '../../shared/api/grants.js';
import { HttpError, conflict, invalid } from '../server/errors.js';
import type { ApprovalRow, DecisionRow } from './rows.js';

export interface DecisionInput {
  decision: ApprovalDecisionKind;
  comment?: string;
  grant?: GrantScope;
}

/** 409 unless the request is still pending at `now` (withdrawn, expired, already resolved). */
export function checkStillOpen(row: ApprovalRow, now: string): void {
  if (row.withdrawn_at) {
    throw conflict(`approval ${row.id} can no longer be decided: the agent stopped waiting and withdrew its request at ${row.withdrawn_at}`);
  }
  if (row.status === 'expired' || (row.status === 'pending' && row.expires_at <= now)) {
    throw new HttpError(409, 'approval_expired', `approval ${row.id} expired at ${row.expires_at}`);
  }
  if (row.status !== 'pending') {
    throw new HttpError(409, 'already_resolved', `approval ${row.id} is already ${row.status}`);
  }
}

/** 400 for a decision this request does not offer; `whyNotGrantable` explains a refused allow_always. */
export function checkDecisionOffered(row: ApprovalRow, input: DecisionInput, whyNotGrantable: () => string): void {
  if (input.decision === 'allow_always' && row.grantable !== 1) {
    throw invalid('decision', `allow_always is not offered for this request: ${whyNotGrantable()}; use allow_once`);
  }
  if (input.grant && input.decision !== 'allow_always') {
    throw invalid('grant', 'grant options apply only to decision allow_always');
  }
}

/**
 * 403 when this operator may not decide this way (self-approval off, added after the request);
 * 409 when it already decided. Returns the earlier decisions that still count (a revoked
 * operator's earlier allow no longer counts toward the threshold).
 */
export function checkOperatorMayDecide(
  row: ApprovalRow,
  operatorId: string,
  input: DecisionInput,
  allowSelfApproval: () => boolean,
  eligible: () => { id: string }[],
  decisions: () => DecisionRow[],
): DecisionRow[] {
  if (input.decision !== 'deny' && row.started_by === operatorId && !allowSelfApproval()) {
    throw new HttpError(
      403,
      'insufficient_scope',
      'allow_self_approval is off: the operator who started this action cannot approve it (deny is still possible)',
    );
  }
  if (!eligible().some((o) => o.id === operatorId)) {
    throw new HttpError(
      403,
      'insufficient_scope',
      `operator ${operatorId} was added after this request was made; only operators that existed before it may decide`,
    );
  }
  const earlier = decisions().filter((d) => d.operator_revoked_at === null);
  if (earlier.some((d) => d.operator_id === operatorId)) {
    throw conflict(`operator ${operatorId} has already decided on approval ${row.id}; another operator must decide`);
  }
  return earlier;
}
