/**
 * Action and receipt rows as SQLite holds them, the statements that read and write them, and
 * the API objects built from them.
 */
import type { Action, ActionStatus, Receipt } from '../../shared/api/actions.js';
import type { ActionInput } from '../../shared/api/vocabulary.js';
import type { Decision } from '../../shared/core/types.js';
import type Database from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface ActionRow {
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

export interface ReceiptRow {
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

export type JoinedRow = ActionRow & Pick<ReceiptRow, 'explanation' | 'matched' | 'layers' | 'grantable' | 'grant_id'> & { input: string };

export const JOINED = `SELECT a.*, r.action AS input, r.explanation, r.matched, r.layers, r.grantable, r.grant_id
  FROM actions a JOIN receipts r ON r.id = a.receipt_id`;

/** What an action shows of its receipt. */
export type ReceiptFields = Pick<Action, 'decision' | 'block_code' | 'explanation' | 'matched' | 'layers' | 'grantable' | 'grant_id' | 'action'>;

type Stmt<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

export interface ActionStatements {
  insertReceipt: Stmt;
  insertAction: Stmt;
  setApproval: Stmt;
  joined: Stmt<[string], JoinedRow>;
  row: Stmt<[string], ActionRow>;
  receipt: Stmt<[string], ReceiptRow>;
  setStatus: Stmt;
  complete: Stmt;
}

/** Prepared once: inserting and reading back are on every decision's path. */
export function actionStatements(db: Db): ActionStatements {
  return {
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

export const statusOf = (v: Decision['decision']): 'allowed' | 'pending_approval' | 'blocked' =>
  v === 'ALLOW' ? 'allowed' : v === 'ALERT' ? 'pending_approval' : 'blocked';

export function decisionFields(d: Decision) {
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

export function actionOf(r: ActionRow, receipt: ReceiptFields): Action {
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

/** An action as read back with its receipt. */
export function joinedActionOf(r: JoinedRow): Action {
  return actionOf(r, {
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

export function receiptOf(r: ReceiptRow): Receipt {
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
