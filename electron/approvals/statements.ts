/** The approvals domain's prepared statements: opening and deciding are on every ALERT's path. */
import type Database from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { READ, type ApprovalRow, type DecisionRow, type ReadRow } from './rows.js';

type Stmt<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

export interface ApprovalStatements {
  byId: Stmt<[string], ReadRow>;
  receiptOf: Stmt<[string], { matched: string; layers: string }>;
  decisionsOf: Stmt<[string], DecisionRow>;
  eligibleAt: Stmt<[string], { id: string; name: string }>;
  categoriesOf: Stmt<[string], { category: string }>;
  pendingCount: Stmt<[], { n: number }>;
  due: Stmt<[string], ApprovalRow>;
  insertApproval: Stmt;
  insertCategory: Stmt;
  insertDecision: Stmt;
  setResolution: Stmt;
  markWithdrawn: Stmt;
}

export function approvalStatements(db: Db): ApprovalStatements {
  return {
    byId: db.prepare<[string], ReadRow>(`${READ} WHERE p.id = ?`),
    receiptOf: db.prepare<[string], { matched: string; layers: string }>('SELECT matched, layers FROM receipts WHERE id = ?'),
    decisionsOf: db.prepare<[string], DecisionRow>(
      `SELECT d.*, o.name AS operator_name, o.revoked_at AS operator_revoked_at FROM approval_decisions d
       LEFT JOIN operators o ON o.id = d.operator_id WHERE d.approval_id = ? ORDER BY d.seq`,
    ),
    // Who counts toward a request's threshold: operators that existed before it was made, are
    // not revoked and may decide (a viewer may not). One added later (even by a compromised
    // owner) cannot tip it.
    eligibleAt: db.prepare<[string], { id: string; name: string }>(
      "SELECT id, name FROM operators WHERE revoked_at IS NULL AND created_at <= ? AND role <> 'viewer' ORDER BY id",
    ),
    // rowid order is insertion order: the action's own categories first, then its tool's.
    categoriesOf: db.prepare<[string], { category: string }>('SELECT category FROM approval_categories WHERE approval_id = ? ORDER BY rowid'),
    pendingCount: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending'`),
    due: db.prepare<[string], ApprovalRow>(
      `SELECT * FROM approvals INDEXED BY approvals_pending_expiry
       WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at`,
    ),
    insertApproval: db.prepare(
      `INSERT INTO approvals (id, kind, status, agent_id, child_agent_id, action_id, receipt_id, tool, action,
         explanation, grantable, required_approvals, started_by, created_at, expires_at, workflow_run_id, queue, prompt)
       VALUES (@id, @kind, @status, @agent_id, @child_agent_id, @action_id, @receipt_id, @tool, @action,
         @explanation, @grantable, @required_approvals, @started_by, @created_at, @expires_at, @workflow_run_id, @queue, @prompt)`,
    ),
    insertCategory: db.prepare('INSERT OR IGNORE INTO approval_categories (approval_id, category, created_at) VALUES (?, ?, ?)'),
    insertDecision: db.prepare(
      `INSERT INTO approval_decisions (approval_id, agent_id, tool, operator_id, decision, comment, grant_options, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setResolution: db.prepare(
      `UPDATE approvals SET status = ?, resolution = ?, resolved_at = ?, grant_id = ? WHERE id = ? AND status = 'pending'`,
    ),
    markWithdrawn: db.prepare('UPDATE approvals SET withdrawn_at = ? WHERE id = ?'),
  };
}
