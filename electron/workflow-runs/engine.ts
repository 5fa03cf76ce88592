/**
 * The step mechanics of a workflow run, always inside the caller's transaction: taking a
 * transition (context, history, evidence and an outbox row commit together), entering a state
 * (terminal, `on_enter` executor, deterministic transitions), and taking an executor's or an
 * approval's result. Nothing here talks to the outside world: executors run from the outbox
 * after the commit (outbox.ts).
 */
import type { Executor, Transition, WorkflowDefinition } from '../../shared/workflows/definition.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import type { Db } from '../db/connection.js';
import { HttpError } from '../server/errors.js';
import { evaluateGuards, type EvidenceRecord, type GuardCaller, type GuardOutcome } from './guards.js';
import type { HistoryRow, RunRow, RunStatements } from './store.js';
import { TemplateError, render, renderText, type TemplateData } from './templating.js';

/** How many deterministic transitions may fire in a row before the run fails (a definition refuses cycles; this bounds the rest). */
export const MAX_DETERMINISTIC_CHAIN = 32;

/** A run as the engine works on it: its row, its pinned definition, parsed input and context. */
export interface Loaded {
  row: RunRow;
  def: WorkflowDefinition;
  input: unknown;
  context: Record<string, unknown>;
}

/** Opens a human step's approval in the Inbox; returns its id. */
export type OpenHumanApproval = (request: { run: RunRow; queue: string | null; prompt: string; transition: string | null }) => string;

export interface EngineDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  statements: RunStatements;
  openHumanApproval: OpenHumanApproval;
}

export const SYSTEM_CALLER: GuardCaller = { kind: 'system', role: null, permissions: [] };

export interface ExecutorResult {
  ok: boolean;
  /** What `output` mappings read as `$.output`. */
  output?: unknown;
  evidence?: { kind: string; data: Record<string, unknown> };
  reason?: string;
  details?: Record<string, unknown>;
}

export class RunEngine {
  constructor(private readonly deps: EngineDeps) {}

  private now(): string {
    return toIso(this.deps.clock.now());
  }

  history(l: Loaded, kind: HistoryRow['kind'], fields: { transition?: string | null; from?: string | null; to?: string | null; actor: string; data?: Record<string, unknown> }): void {
    this.deps.statements.insertHistory.run({
      run_id: l.row.id,
      step: l.row.step,
      kind,
      transition: fields.transition ?? null,
      from_state: fields.from ?? null,
      to_state: fields.to ?? null,
      actor: fields.actor,
      data: JSON.stringify(fields.data ?? {}),
      at: this.now(),
    });
  }

  /** Writes the run row as `l` holds it now. */
  save(l: Loaded): void {
    l.row.context = JSON.stringify(l.context);
    l.row.updated_at = this.now();
    this.deps.statements.updateRun.run(l.row);
  }

  evidence(runId: string): EvidenceRecord[] {
    return this.deps.statements.evidenceOf.all(runId).map((e) => ({ kind: e.kind, operator_id: e.operator_id }));
  }

  addEvidence(l: Loaded, kind: string, data: Record<string, unknown>, operatorId: string | null, recordedBy: string): void {
    this.deps.statements.insertEvidence.run({
      id: this.deps.ids.next('wev'),
      run_id: l.row.id,
      kind,
      data: JSON.stringify(data),
      operator_id: operatorId,
      recorded_by: recordedBy,
      step: l.row.step,
      created_at: this.now(),
    });
    this.history(l, 'evidence_recorded', { actor: recordedBy, data: { kind, operator_id: operatorId } });
  }

  /** Evaluates a transition's guards, recording every evaluation in the history and the audit log. */
  checkGuards(l: Loaded, name: string, t: Transition, args: unknown, caller: GuardCaller, actor: string): GuardOutcome {
    const outcome = evaluateGuards(t.guards, { arguments: args, context: l.context, input: l.input, evidence: this.evidence(l.row.id), caller });
    for (const e of outcome.evaluations) {
      this.history(l, 'guard_evaluated', { transition: name, from: l.row.state, actor, data: { ...e } });
      this.deps.audit.append({
        event_type: 'workflow.guard_evaluated',
        actor,
        agent_id: l.row.agent_id,
        subject_id: l.row.id,
        data: { run_id: l.row.id, workflow: l.row.workflow, transition: name, path: e.path, kind: e.kind, passed: e.passed, reason: e.reason },
      });
    }
    return outcome;
  }

  private templateData(l: Loaded, args: unknown, output?: unknown): TemplateData {
    return { input: l.input, context: l.context, arguments: args ?? {}, output, run: { id: l.row.id, step: l.row.step } };
  }

  /**
   * Takes transition `name` whose actor and guards were checked: one more step, `set_context`,
   * then its executor (the run waits, its state unchanged until the executor finishes) or the
   * move to its target. Template errors are 422 and, the caller's transaction rolling back,
   * change nothing.
   */
  take(l: Loaded, name: string, t: Transition, args: unknown, actor: string, depth: number): void {
    l.row.step += 1;
    l.row.reason = null;
    if (t.set_context) {
      const data = this.templateData(l, args);
      for (const [key, value] of Object.entries(t.set_context)) l.context[key] = this.rendered(value, data, `set_context.${key}`);
    }
    if (t.executor) {
      const executor = this.renderExecutor(t.executor, this.templateData(l, args), `states.${l.row.state}.transitions.${name}.executor`);
      this.history(l, 'executor_queued', { transition: name, from: l.row.state, to: t.target, actor, data: { executor: executor.kind } });
      this.dispatch(l, executor, t.output, 'transition', name, actor);
      return;
    }
    this.moveTo(l, name, t.target, actor, depth);
  }

  private rendered(value: unknown, data: TemplateData, param: string): unknown {
    try {
      return render(value, data);
    } catch (err) {
      if (err instanceof TemplateError) throw new HttpError(422, 'unprocessable', `${param}: ${err.message}`, param);
      throw err;
    }
  }

  /** An executor with its templated fields filled from run data. */
  private renderExecutor(executor: Executor, data: TemplateData, param: string): Executor {
    switch (executor.kind) {
      case 'human':
        return { ...executor, prompt: String(this.rendered(executor.prompt, data, `${param}.prompt`)) };
      case 'cli':
        return { ...executor, argv: executor.argv.map((word, i) => this.renderWord(word, data, `${param}.argv[${i}]`)) };
      case 'rest':
        return executor.body === undefined ? executor : { ...executor, body: this.rendered(executor.body, data, `${param}.body`) };
      case 'action': {
        const out: Executor = { ...executor };
        if (executor.args !== undefined) out.args = this.rendered(executor.args, data, `${param}.args`) as Record<string, unknown>;
        if (executor.value !== undefined) out.value = this.rendered(executor.value, data, `${param}.value`);
        return out;
      }
    }
  }

  private renderWord(word: string, data: TemplateData, param: string): string {
    try {
      return renderText(word, data);
    } catch (err) {
      if (err instanceof TemplateError) throw new HttpError(422, 'unprocessable', `${param}: ${err.message}`, param);
      throw err;
    }
  }

  /** A human executor opens its approval now (same transaction); the others go to the outbox. */
  private dispatch(l: Loaded, executor: Executor, output: Record<string, string> | undefined, phase: 'transition' | 'on_enter', transition: string | null, actor: string): void {
    l.row.status = 'waiting';
    l.row.pending_transition = phase === 'transition' ? transition : null;
    if (executor.kind === 'human') {
      const approvalId = this.deps.openHumanApproval({ run: { ...l.row, context: JSON.stringify(l.context) }, queue: executor.queue ?? null, prompt: executor.prompt, transition });
      l.row.waiting_approval_id = approvalId;
      this.history(l, 'approval_requested', { transition, from: l.row.state, actor, data: { approval_id: approvalId, queue: executor.queue ?? null, prompt: executor.prompt } });
      this.save(l);
      return;
    }
    this.deps.statements.insertOutbox.run({
      id: this.deps.ids.next('obx'),
      run_id: l.row.id,
      step: l.row.step,
      phase,
      transition,
      executor: JSON.stringify(executor),
      output: output ? JSON.stringify(output) : null,
      status: 'pending',
      created_at: this.now(),
    });
    this.save(l);
  }

  /** Moves to `target` and enters it. */
  moveTo(l: Loaded, transition: string, target: string, actor: string, depth: number): void {
    const from = l.row.state;
    l.row.state = target;
    l.row.status = 'active';
    l.row.pending_transition = null;
    l.row.waiting_approval_id = null;
    this.history(l, 'transitioned', { transition, from, to: target, actor });
    this.deps.audit.append({
      event_type: 'workflow_run.transitioned',
      actor,
      agent_id: l.row.agent_id,
      subject_id: l.row.id,
      data: { run_id: l.row.id, workflow: l.row.workflow, version: l.row.version, transition, from, to: target, step: l.row.step },
    });
    this.enter(l, actor, depth);
  }

  /** Entering the run's current state: terminal completes, `on_enter` runs its executor, else deterministic transitions fire. */
  enter(l: Loaded, actor: string, depth: number): void {
    const state = l.def.states[l.row.state];
    if (!state) return this.fail(l, `state ${l.row.state} is not in version ${l.row.version}`, actor);
    if (state.terminal) {
      l.row.status = 'completed';
      this.save(l);
      return;
    }
    if (state.on_enter) {
      const executor = this.renderExecutor(state.on_enter.executor, this.templateData(l, undefined), `states.${l.row.state}.on_enter.executor`);
      this.history(l, 'executor_queued', { from: l.row.state, actor, data: { executor: executor.kind, on_enter: true } });
      this.dispatch(l, executor, state.on_enter.output, 'on_enter', null, actor);
      return;
    }
    this.save(l);
    this.fireDeterministic(l, depth);
  }

  /** The first deterministic transition of the state whose guards pass, taken by Warden. */
  fireDeterministic(l: Loaded, depth: number): void {
    const transitions = Object.entries(l.def.states[l.row.state]?.transitions ?? {}).filter(([, t]) => t.actor === 'deterministic');
    if (transitions.length === 0) return;
    if (depth >= MAX_DETERMINISTIC_CHAIN) return this.fail(l, `more than ${MAX_DETERMINISTIC_CHAIN} deterministic transitions in a row`, 'system');
    for (const [name, t] of transitions) {
      if (!this.checkGuards(l, name, t, {}, SYSTEM_CALLER, 'system').passed) continue;
      this.take(l, name, t, {}, 'system', depth + 1);
      return;
    }
  }

  fail(l: Loaded, reason: string, actor: string): void {
    l.row.status = 'failed';
    l.row.reason = reason;
    l.row.pending_transition = null;
    l.row.waiting_approval_id = null;
    this.history(l, 'failed', { from: l.row.state, actor, data: { reason } });
    this.save(l);
  }

  /**
   * An executor finished (or its approval resolved): a transition's executor moves the run to
   * its target or, failing, leaves the state as it was; an `on_enter` executor lets the state's
   * deterministic transitions fire or, failing, fails the run.
   */
  finish(l: Loaded, phase: 'transition' | 'on_enter', transition: string | null, output: Record<string, string> | null, result: ExecutorResult): void {
    const actor = 'system';
    this.history(l, 'executor_finished', { transition, from: l.row.state, actor, data: { ok: result.ok, reason: result.reason ?? null, ...(result.details ?? {}) } });
    this.deps.audit.append({
      event_type: 'workflow_run.executor_finished',
      actor,
      agent_id: l.row.agent_id,
      subject_id: l.row.id,
      data: { run_id: l.row.id, workflow: l.row.workflow, step: l.row.step, transition, phase, ok: result.ok, reason: result.reason ?? null },
    });
    if (result.evidence) this.addEvidence(l, result.evidence.kind, result.evidence.data, null, actor);
    l.row.waiting_approval_id = null;
    if (!result.ok) {
      const reason = result.reason ?? 'the executor failed';
      if (phase === 'on_enter') return this.fail(l, reason, actor);
      l.row.status = 'active';
      l.row.pending_transition = null;
      l.row.reason = reason;
      this.save(l);
      return;
    }
    if (output) {
      try {
        const data = this.templateData(l, undefined, result.output);
        for (const [key, path] of Object.entries(output)) l.context[key] = render(path, data);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        return this.fail(l, `output: ${err.message}`, actor);
      }
    }
    if (phase === 'transition' && transition) {
      const target = l.def.states[l.row.state]?.transitions?.[transition]?.target;
      if (!target) return this.fail(l, `transition ${transition} is not in version ${l.row.version}`, actor);
      return this.moveTo(l, transition, target, actor, 0);
    }
    l.row.status = 'active';
    this.save(l);
    this.fireDeterministic(l, 0);
  }
}
