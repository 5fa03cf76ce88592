/**
 * Runs executors from the outbox, only after the step that queued them committed: each row is
 * claimed (pending → running) in a transaction, its executor runs, and its result is recorded
 * with the run's next move in a second transaction (WorkflowRunService.finishOutbox).
 *
 * On start, rows a previous process left behind resume: `pending` ones run now (a crash came
 * between the commit and the executor); a `running` REST call runs again with the same
 * Idempotency-Key (the endpoint answers it once); a `running` cli or action step is not run a
 * second time, because it may have run already: it fails, saying so. An action step an operator
 * allowed after its ALERT is queued again and proceeds from here.
 */
import type { Executor } from '../../shared/workflows/definition.js';
import { immediate, type Db } from '../db/connection.js';
import type { ConnectionService } from './connections.js';
import { resumeAllowedAction, runAction, type ActionStepResult } from './executors/action.js';
import type { McpToolCaller } from './executors/mcp-call.js';
import { runCli } from './executors/cli.js';
import { idempotencyKeyOf, runRest } from './executors/rest.js';
import type { RunGovernance } from './governance.js';
import type { WorkflowRunService } from './service.js';
import type { OutboxRow } from './store.js';

export interface OutboxOptions {
  /** `hold` claims nothing: rows wait for the next start (the crash window, for tests). */
  mode: 'run' | 'hold';
  /** Folders cli steps may run in. */
  folders: readonly string[];
  restBaseDelayMs: number;
  restTimeoutMs: number;
  /** Calls tools of registered MCP servers for `action` steps on them. */
  callMcpTool?: McpToolCaller;
}

export class OutboxWorker {
  private readonly abort = new AbortController();
  private readonly inflight = new Map<string, Promise<void>>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly runs: WorkflowRunService,
    private readonly connections: ConnectionService,
    private readonly governance: RunGovernance,
    private readonly options: OutboxOptions,
  ) {}

  /** Boot: settles rows a previous process left `running`, then runs what is pending. */
  start(): void {
    if (this.options.mode === 'hold') return;
    for (const row of this.runs.statements.openOutbox.all()) {
      if (row.status !== 'running') continue;
      const executor = JSON.parse(row.executor) as Executor;
      if (executor.kind === 'rest') this.runs.statements.requeueOutbox.run(row.id);
      else this.runs.finishOutbox(row, { ok: false, reason: `Warden stopped while this ${executor.kind} step ran; it is not run twice`, details: { interrupted: true } });
    }
    this.kick();
  }

  /** Looks for pending rows soon (after the current commit's other effects). */
  kick(): void {
    if (this.stopped || this.options.mode === 'hold' || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.stopped) return;
    for (const row of this.runs.statements.openOutbox.all()) {
      if (row.status !== 'pending' || this.inflight.has(row.id)) continue;
      const claimed = immediate(this.db, () => this.runs.statements.claimOutbox.run(row.id).changes === 1);
      if (!claimed) continue;
      const job = this.execute(row)
        .catch(() => undefined)
        .finally(() => this.inflight.delete(row.id));
      this.inflight.set(row.id, job);
    }
  }

  private async execute(row: OutboxRow): Promise<void> {
    const executor = JSON.parse(row.executor) as Executor;
    let result: ActionStepResult;
    try {
      result = await this.run(executor, row);
    } catch (err) {
      // Stopping aborts executors: their rows stay `running` and resume on the next start.
      if (this.abort.signal.aborted) return;
      result = { ok: false, reason: `the ${executor.kind} step failed: ${(err as Error).message}` };
    }
    if (this.stopped) return;
    this.runs.finishOutbox(row, result);
  }

  private run(executor: Executor, row: OutboxRow): Promise<ActionStepResult> {
    const signal = this.abort.signal;
    switch (executor.kind) {
      case 'cli':
        return runCli(executor, this.options.folders, signal);
      case 'rest':
        return runRest(executor, this.connections.resolve(executor.connection), idempotencyKeyOf(row.run_id, row.step), {
          baseDelayMs: this.options.restBaseDelayMs,
          timeoutMs: this.options.restTimeoutMs,
          signal,
        });
      case 'action': {
        const resumed = row.result ? (JSON.parse(row.result) as { allowed_action_id?: string }).allowed_action_id : undefined;
        if (resumed) return resumeAllowedAction(executor, resumed, this.governance, this.options.callMcpTool);
        const run = this.runs.statements.run.get(row.run_id);
        if (!run) return Promise.resolve({ ok: false, reason: 'the run is gone' });
        return runAction(executor, run, this.governance, this.options.callMcpTool);
      }
      case 'human':
        return Promise.resolve({ ok: false, reason: 'a human step opens its approval when its step commits, not from the outbox' });
    }
  }

  /** Stops claiming rows and aborts running executors (their rows resume on the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.allSettled([...this.inflight.values()]);
  }
}
