/** Opening an approval request: its row, its categories and its `approval.requested` audit row. */
import type { ApprovalKind } from '../../shared/api/approvals.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { ApprovalRow } from './rows.js';
import type { ApprovalStatements } from './statements.js';

export interface OpenApproval {
  kind: ApprovalKind;
  /** A workflow's human step: its run, Inbox queue and prompt. */
  workflow_step?: { run_id: string; queue: string | null; prompt: string };
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

export interface OpenDeps {
  statements: Pick<ApprovalStatements, 'insertApproval' | 'insertCategory'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}

/** Inside the caller's transaction: records a pending request and returns its row. */
export function recordRequest(deps: OpenDeps, input: OpenApproval): ApprovalRow {
  const now = deps.clock.now();
  const row: ApprovalRow = {
    id: deps.ids.next('apr'),
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
    workflow_run_id: input.workflow_step?.run_id ?? null,
    queue: input.workflow_step?.queue ?? null,
    prompt: input.workflow_step?.prompt ?? null,
  };
  deps.statements.insertApproval.run(row);
  for (const category of new Set([...(input.action.categories ?? []), ...(input.categories ?? [])])) deps.statements.insertCategory.run(row.id, category, row.created_at);
  deps.audit.append({
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
}
