/** Workflow runs as SQLite holds them: runs, history, evidence and the outbox, and their statements. */
import type Database from 'better-sqlite3';
import type { WorkflowEvidence, WorkflowHistoryEntry, WorkflowRunStatus } from '../../shared/api/workflow-runs.js';
import type { Db } from '../db/connection.js';

type Stmt<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

export interface RunRow {
  id: string;
  workflow: string;
  version: number;
  agent_id: string;
  mission_id: string | null;
  state: string;
  status: WorkflowRunStatus;
  input: string;
  context: string;
  step: number;
  pending_transition: string | null;
  waiting_approval_id: string | null;
  reason: string | null;
  started_by: string;
  created_at: string;
  updated_at: string;
}

export interface EvidenceRow {
  id: string;
  run_id: string;
  kind: string;
  data: string;
  operator_id: string | null;
  recorded_by: string;
  step: number;
  created_at: string;
}

export interface HistoryRow {
  seq: number;
  run_id: string;
  step: number;
  kind: WorkflowHistoryEntry['kind'];
  transition: string | null;
  from_state: string | null;
  to_state: string | null;
  actor: string;
  data: string;
  at: string;
}

export type OutboxStatus = 'pending' | 'running' | 'done' | 'failed';

export interface OutboxRow {
  id: string;
  run_id: string;
  step: number;
  phase: 'transition' | 'on_enter';
  transition: string | null;
  executor: string;
  output: string | null;
  status: OutboxStatus;
  attempts: number;
  result: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface RunStatements {
  run: Stmt<[string], RunRow>;
  runByApproval: Stmt<[string], RunRow>;
  insertRun: Stmt<[RunRow]>;
  updateRun: Stmt<[Pick<RunRow, 'id' | 'state' | 'status' | 'context' | 'step' | 'pending_transition' | 'waiting_approval_id' | 'reason' | 'updated_at'>]>;
  evidenceOf: Stmt<[string], EvidenceRow>;
  insertEvidence: Stmt<[EvidenceRow]>;
  historyPage: Stmt<[string, number, number], HistoryRow>;
  insertHistory: Stmt<[Omit<HistoryRow, 'seq'>]>;
  insertOutbox: Stmt<[Omit<OutboxRow, 'finished_at' | 'result' | 'attempts'>]>;
  outbox: Stmt<[string], OutboxRow>;
  openOutbox: Stmt<[], OutboxRow>;
  claimOutbox: Stmt<[string]>;
  finishOutbox: Stmt<[OutboxStatus, string, string, string]>;
  requeueOutbox: Stmt<[string]>;
  /** Queues a finished step again with what it resumes from (an allowed action's id). */
  resumeOutbox: Stmt<[string, string]>;
  /** Marks an approval (an action's ALERT) as asked for by a run, for the Inbox and reports. */
  linkApproval: Stmt<[string, string]>;
}

export function runStatements(db: Db): RunStatements {
  return {
    run: db.prepare('SELECT * FROM workflow_runs WHERE id = ?'),
    runByApproval: db.prepare('SELECT * FROM workflow_runs WHERE waiting_approval_id = ?'),
    insertRun: db.prepare(
      `INSERT INTO workflow_runs (id, workflow, version, agent_id, mission_id, state, status, input, context, step,
         pending_transition, waiting_approval_id, reason, started_by, created_at, updated_at)
       VALUES (@id, @workflow, @version, @agent_id, @mission_id, @state, @status, @input, @context, @step,
         @pending_transition, @waiting_approval_id, @reason, @started_by, @created_at, @updated_at)`,
    ),
    updateRun: db.prepare(
      `UPDATE workflow_runs SET state = @state, status = @status, context = @context, step = @step,
         pending_transition = @pending_transition, waiting_approval_id = @waiting_approval_id, reason = @reason,
         updated_at = @updated_at WHERE id = @id`,
    ),
    evidenceOf: db.prepare('SELECT * FROM workflow_evidence WHERE run_id = ? ORDER BY created_at, rowid'),
    insertEvidence: db.prepare(
      `INSERT INTO workflow_evidence (id, run_id, kind, data, operator_id, recorded_by, step, created_at)
       VALUES (@id, @run_id, @kind, @data, @operator_id, @recorded_by, @step, @created_at)`,
    ),
    historyPage: db.prepare('SELECT * FROM workflow_run_history WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    insertHistory: db.prepare(
      `INSERT INTO workflow_run_history (run_id, step, kind, transition, from_state, to_state, actor, data, at)
       VALUES (@run_id, @step, @kind, @transition, @from_state, @to_state, @actor, @data, @at)`,
    ),
    insertOutbox: db.prepare(
      `INSERT INTO workflow_outbox (id, run_id, step, phase, transition, executor, output, status, created_at)
       VALUES (@id, @run_id, @step, @phase, @transition, @executor, @output, @status, @created_at)`,
    ),
    outbox: db.prepare('SELECT * FROM workflow_outbox WHERE id = ?'),
    openOutbox: db.prepare("SELECT * FROM workflow_outbox WHERE status IN ('pending', 'running') ORDER BY created_at, id"),
    claimOutbox: db.prepare("UPDATE workflow_outbox SET status = 'running', attempts = attempts + 1 WHERE id = ? AND status = 'pending'"),
    finishOutbox: db.prepare("UPDATE workflow_outbox SET status = ?, result = ?, finished_at = ? WHERE id = ? AND status = 'running'"),
    requeueOutbox: db.prepare("UPDATE workflow_outbox SET status = 'pending' WHERE id = ? AND status = 'running'"),
    resumeOutbox: db.prepare("UPDATE workflow_outbox SET status = 'pending', result = ?, finished_at = NULL WHERE id = ? AND status = 'done'"),
    linkApproval: db.prepare('UPDATE approvals SET workflow_run_id = ? WHERE id = ?'),
  };
}

export function evidenceToApi(row: EvidenceRow): WorkflowEvidence {
  return { id: row.id, kind: row.kind, data: JSON.parse(row.data) as unknown, operator_id: row.operator_id, recorded_by: row.recorded_by, created_at: row.created_at };
}

export function historyToApi(row: HistoryRow): WorkflowHistoryEntry {
  return {
    seq: row.seq,
    step: row.step,
    kind: row.kind,
    transition: row.transition,
    from_state: row.from_state,
    to_state: row.to_state,
    actor: row.actor,
    data: JSON.parse(row.data) as Record<string, unknown>,
    at: row.at,
  };
}
