/**
 * Approval rows as SQLite holds them, and as the API shows them: one approval with its agent's
 * name, its categories, its decisions and what became of its action (blocked at release, undone),
 * and the operators' decision history.
 */
import type { Approval, ApprovalDecisionKind, ApprovalKind, ApprovalStatus } from '../../shared/api/approvals.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { Db } from '../db/connection.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';

export interface ApprovalRow {
  id: string;
  kind: ApprovalKind;
  status: ApprovalStatus;
  agent_id: string;
  child_agent_id: string | null;
  action_id: string | null;
  receipt_id: string | null;
  tool: string;
  action: string;
  explanation: string;
  grantable: number;
  required_approvals: number;
  started_by: string | null;
  created_at: string;
  expires_at: string;
  resolved_at: string | null;
  resolution: 'allow_once' | 'allow_always' | 'deny' | 'expired' | null;
  grant_id: string | null;
  undone_at: string | null;
  undone_by: string | null;
  /** Set when the agent stopped waiting and withdrew its request (resolved as expired then). */
  withdrawn_at?: string | null;
  /** A workflow's human step: its run, Inbox queue and prompt. */
  workflow_run_id?: string | null;
  queue?: string | null;
  prompt?: string | null;
}

/** An approval as read back, with its agent's name and its action's state. */
export type ReadRow = ApprovalRow & { agent_name: string | null; action_status: string | null; action_block_code: string | null; action_reason: string | null };

export const READ = `SELECT p.*, a.name AS agent_name, x.status AS action_status, x.block_code AS action_block_code, x.reason AS action_reason
  FROM approvals p LEFT JOIN agents a ON a.id = p.agent_id LEFT JOIN actions x ON x.id = p.action_id`;

export interface DecisionRow {
  seq: number;
  approval_id: string;
  agent_id: string;
  tool: string;
  operator_id: string;
  operator_name: string | null;
  /** Set when the deciding operator was revoked since: its allow no longer counts. */
  operator_revoked_at?: string | null;
  decision: ApprovalDecisionKind;
  comment: string | null;
  grant_options: string | null;
  at: string;
}

/**
 * The API object of an approval row, given its categories, its decisions and the operators who
 * may still decide it (none once it is resolved).
 */
export function approvalOf(
  row: ApprovalRow & Partial<ReadRow>,
  categories: string[],
  decisions: DecisionRow[],
  eligible: { id: string; name: string }[] = [],
): Approval {
  return {
    id: row.id,
    object: 'approval',
    kind: row.kind,
    status: row.status,
    agent_id: row.agent_id,
    agent_name: row.agent_name ?? null,
    child_agent_id: row.child_agent_id,
    action: JSON.parse(row.action) as ActionInput,
    action_id: row.action_id,
    receipt_id: row.receipt_id,
    explanation: row.explanation,
    categories,
    grantable: row.grantable === 1,
    required_approvals: row.required_approvals,
    decisions: decisions.map((d) => ({
      operator: d.operator_id,
      operator_name: d.operator_name,
      decision: d.decision,
      comment: d.comment,
      at: d.at,
    })),
    eligible_operators: eligible.map((o) => ({ id: o.id, name: o.name })),
    created_at: row.created_at,
    expires_at: row.expires_at,
    resolved_at: row.resolved_at,
    resolution: row.resolution,
    grant_id: row.grant_id,
    // Stop means stop: an allow the kill-switch layer blocked at release says so wherever it is read.
    blocked_at_release:
      row.status === 'approved' && row.action_status === 'blocked'
        ? { block_code: (row.action_block_code ?? null) as NonNullable<Approval['blocked_at_release']>['block_code'], reason: row.action_reason ?? 'blocked at release' }
        : null,
    undone_at: row.undone_at ?? null,
    undone_by: row.undone_by ?? null,
    withdrawn_at: row.withdrawn_at ?? null,
    workflow_run_id: row.workflow_run_id ?? null,
    queue: row.queue ?? null,
    prompt: row.prompt ?? null,
    agent_waiting_until: null,
  };
}

/** Operator decisions, newest first; `agent_id` picks those on one agent's requests. */
export function decisionHistory(db: Db, query: { limit: number; cursor?: string; agent_id?: string }) {
  const after = decodeCursor(query.cursor, isNumber);
  const agent = query.agent_id ?? null;
  const rows = db
    .prepare<unknown[], DecisionRow>(
      `SELECT d.*, o.name AS operator_name FROM approval_decisions d LEFT JOIN operators o ON o.id = d.operator_id
       WHERE (? IS NULL OR d.agent_id = ?) AND (? IS NULL OR d.seq < ?)
       ORDER BY d.seq DESC LIMIT ?`,
    )
    .all(agent, agent, after ?? null, after ?? null, query.limit + 1);
  return page(
    rows,
    query.limit,
    (d) => ({
      id: `apd_${d.seq}`,
      object: 'approval_decision' as const,
      approval_id: d.approval_id,
      agent_id: d.agent_id,
      tool: d.tool,
      operator: d.operator_id,
      operator_name: d.operator_name,
      decision: d.decision,
      comment: d.comment,
      at: d.at,
    }),
    (d) => d.seq,
  );
}
