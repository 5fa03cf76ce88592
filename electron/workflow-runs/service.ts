/**
 * Workflow runs as the API sees them (WORKFLOWS.md "Runs and links"): start, take a transition,
 * record evidence, cancel, read with links and history; and the results coming back from the
 * outbox and from approvals. Each request is one transaction; what announces it (events, the
 * outbox worker) runs after the commit.
 */
import type { WorkflowHistoryEntry, WorkflowLink, WorkflowRun, WorkflowRunStatus } from '../../shared/api/workflow-runs.js';
import type { ListPage } from '../../shared/api/common.js';
import { WARDEN_EVIDENCE_KINDS, type Executor, type Transition } from '../../shared/workflows/definition.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import { HttpError, notFound } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import { checkSchema, type DefinitionSource } from './definitions.js';
import { RunEngine, type ExecutorResult, type Loaded, type OpenHumanApproval } from './engine.js';
import { evaluateGuards, readsArguments, type GuardCaller } from './guards.js';
import type { RunGovernance } from './governance.js';
import { evidenceToApi, historyToApi, runStatements, type OutboxRow, type RunRow, type RunStatements } from './store.js';

export interface WorkflowRunDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  definitions: DefinitionSource;
  governance: RunGovernance;
  openHumanApproval: OpenHumanApproval;
}

/** Who asks: an agent key or an operator (with what the guards see of them). */
export interface RunCaller {
  kind: 'agent' | 'operator';
  id: string;
  actor: string;
  guard: GuardCaller;
}

const isCursor = (v: unknown): v is string => typeof v === 'string';

export class WorkflowRunService {
  readonly statements: RunStatements;
  readonly engine: RunEngine;
  /** Called after every commit that queued an executor (the outbox worker). */
  onQueued: () => void = () => {};

  constructor(private readonly deps: WorkflowRunDeps) {
    this.statements = runStatements(deps.db);
    this.engine = new RunEngine({ db: deps.db, audit: deps.audit, clock: deps.clock, ids: deps.ids, statements: this.statements, openHumanApproval: deps.openHumanApproval });
  }

  private now(): string {
    return toIso(this.deps.clock.now());
  }

  // ---- loading and presenting ----------------------------------------------------------------

  load(id: string): Loaded {
    const row = this.statements.run.get(id);
    if (!row) throw notFound('workflow_run', id);
    const def = this.deps.definitions.versionOf(row.workflow, row.version)?.definition;
    if (!def) throw new HttpError(409, 'state_conflict', `version ${row.version} of workflow ${row.workflow} is gone`);
    return { row, def, input: JSON.parse(row.input) as unknown, context: JSON.parse(row.context) as Record<string, unknown> };
  }

  /** The legal next steps now; with `by_guards`, only those whose guards pass (never those reading `$.arguments`). */
  links(l: Loaded, caller: GuardCaller): WorkflowLink[] {
    if (l.row.status !== 'active') return [];
    const state = l.def.states[l.row.state];
    if (!state) return [];
    const byGuards = (state.link_filter ?? l.def.link_filter) === 'by_guards';
    const evidence = byGuards ? this.engine.evidence(l.row.id) : [];
    const out: WorkflowLink[] = [];
    for (const [name, t] of Object.entries(state.transitions ?? {})) {
      if (byGuards) {
        if (readsArguments(t.guards)) continue;
        if (!evaluateGuards(t.guards, { arguments: undefined, context: l.context, input: l.input, evidence, caller }).passed) continue;
      }
      out.push({ transition: name, title: t.title ?? null, target: t.target, actor: t.actor, method: 'POST', href: `/v1/workflow-runs/${l.row.id}/transitions/${name}` });
    }
    return out;
  }

  toApi(l: Loaded, caller: GuardCaller): WorkflowRun {
    const r = l.row;
    return {
      id: r.id,
      object: 'workflow_run',
      workflow: r.workflow,
      version: r.version,
      agent_id: r.agent_id,
      mission_id: r.mission_id,
      state: r.state,
      status: r.status,
      input: l.input,
      context: l.context,
      evidence: this.statements.evidenceOf.all(r.id).map(evidenceToApi),
      links: this.links(l, caller),
      pending_transition: r.pending_transition,
      waiting_approval_id: r.waiting_approval_id,
      reason: r.reason,
      started_by: r.started_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  get(id: string, caller: GuardCaller): WorkflowRun {
    return this.toApi(this.load(id), caller);
  }

  history(id: string, query: { limit: number; cursor?: string }): ListPage<WorkflowHistoryEntry> {
    if (!this.statements.run.get(id)) throw notFound('workflow_run', id);
    const after = decodeCursor(query.cursor, isNumber) ?? 0;
    return page(this.statements.historyPage.all(id, after, query.limit + 1), query.limit, historyToApi, (h) => h.seq);
  }

  list(query: { limit: number; cursor?: string; workflow?: string; status?: WorkflowRunStatus; agent_id?: string }, caller: GuardCaller): ListPage<WorkflowRun> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const after = decodeCursor(query.cursor, isCursor);
    const filters: [string, string | undefined][] = [
      ['id < ?', after],
      ['workflow = ?', query.workflow],
      ['status = ?', query.status],
      ['agent_id = ?', query.agent_id],
    ];
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      params.push(value);
    }
    const sql = `SELECT id FROM workflow_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.deps.db.prepare<(string | number)[], { id: string }>(sql).all(...params, query.limit + 1);
    return page(rows, query.limit, (r) => this.get(r.id, caller), (r) => r.id);
  }

  /** The run announced after the commit (`workflow_run.changed`, and `.waiting` on an approval). */
  private announce(id: string): void {
    onCommit(this.deps.db, () => {
      const l = this.load(id);
      const run = this.toApi(l, { kind: 'system', role: null, permissions: [] });
      this.deps.bus.publish('workflow_run.changed', run);
      if (run.status === 'waiting' && run.waiting_approval_id) this.deps.bus.publish('workflow_run.waiting', { run, approval_id: run.waiting_approval_id });
      this.onQueued();
    });
  }

  private conflict(l: Loaded, message: string, caller: GuardCaller, param?: string): HttpError {
    return new HttpError(409, 'state_conflict', message, param, { links: this.links(l, caller) });
  }

  // ---- starting --------------------------------------------------------------------------------

  start(name: string, body: { input: Record<string, unknown>; mission_id?: string; agent_id: string }, caller: RunCaller): WorkflowRun {
    const deployed = this.deps.definitions.latest(name);
    if (!deployed || this.deps.definitions.isDeleted(name)) throw notFound('workflow', name);
    const { definition: def, version } = deployed;
    checkSchema(`${name}@${version}:input`, def.input_schema, body.input, 'input');
    this.deps.governance.checkStart(name);
    // Runs count against quotas and budgets: the start is a governed action of the run's agent,
    // recorded (and refused, on BLOCK) before any of the run is.
    const gate = this.deps.governance.admitStart(name, body.agent_id, body.mission_id ?? null, caller);
    const id = immediate(this.deps.db, () => {
      const now = this.now();
      const row: RunRow = {
        id: this.deps.ids.next('run'),
        workflow: name,
        version,
        agent_id: body.agent_id,
        mission_id: body.mission_id ?? null,
        state: def.initial_state,
        status: 'active',
        input: JSON.stringify(body.input),
        context: JSON.stringify(def.initial_context ?? {}),
        step: 0,
        pending_transition: null,
        waiting_approval_id: null,
        reason: null,
        started_by: caller.actor,
        created_at: now,
        updated_at: now,
      };
      this.statements.insertRun.run(row);
      const l: Loaded = { row, def, input: body.input, context: { ...(def.initial_context ?? {}) } };
      this.engine.history(l, 'started', { to: row.state, actor: caller.actor, data: { version, action_id: gate.action_id, decision: gate.decision } });
      this.deps.audit.append({
        event_type: 'workflow_run.started',
        actor: caller.actor,
        agent_id: row.agent_id,
        subject_id: row.id,
        data: { run_id: row.id, workflow: name, version, mission_id: row.mission_id, action_id: gate.action_id, decision: gate.decision },
      });
      if (gate.approval_id) {
        // Entered once the approval allows it (see onApprovalResolved, step 0).
        row.status = 'waiting';
        row.waiting_approval_id = gate.approval_id;
        this.statements.linkApproval.run(row.id, gate.approval_id);
        this.engine.save(l);
      } else {
        l.row.step = 1;
        this.engine.enter(l, caller.actor, 0);
      }
      this.announce(row.id);
      return row.id;
    });
    return this.get(id, caller.guard);
  }

  // ---- stepping --------------------------------------------------------------------------------

  take(id: string, transition: string, args: Record<string, unknown> | undefined, caller: RunCaller): WorkflowRun {
    const outcome = immediate(this.deps.db, () => {
      const l = this.load(id);
      const state = l.def.states[l.row.state];
      if (l.row.status !== 'active') {
        return this.conflict(l, `the run is ${l.row.status}${l.row.pending_transition ? ` (${l.row.pending_transition} is under way)` : ''}; no transition can be taken now`, caller.guard);
      }
      const t: Transition | undefined = state?.transitions?.[transition];
      if (!t) return this.conflict(l, `transition ${transition} does not leave state ${l.row.state}`, caller.guard, 'transition');
      // INVARIANT: the actor is checked before guards and executors; no guard can bypass it.
      if (t.actor === 'system' || t.actor === 'deterministic') {
        return new HttpError(403, 'actor_mismatch', `${transition} is taken by Warden itself (actor ${t.actor}); no API caller may take it`, 'transition', { links: this.links(l, caller.guard) });
      }
      if (t.actor === 'human' && caller.kind !== 'operator') {
        return new HttpError(403, 'actor_mismatch', `${transition} is a human step: only an operator may take it, not an agent key`, 'transition', { links: this.links(l, caller.guard) });
      }
      this.deps.governance.checkStep(l.row);
      checkSchema(`${l.row.workflow}@${l.row.version}:${l.row.state}.${transition}`, t.input_schema, args ?? {}, 'arguments');
      const guards = this.engine.checkGuards(l, transition, t, args ?? {}, caller.guard, caller.actor);
      if (!guards.passed && guards.failure) {
        this.engine.history(l, 'rejected', { transition, from: l.row.state, actor: caller.actor, data: { guard: guards.failure.path, reason: guards.failure.reason } });
        // The rejection and its evaluations are kept (committed); the answer is the 422.
        return new HttpError(422, 'guard_rejected', `${guards.failure.path} rejected ${transition}: ${guards.failure.reason}`, guards.failure.path, {
          details: { guard: guards.failure.guard, reason: guards.failure.reason },
          links: this.links(l, caller.guard),
        });
      }
      this.engine.take(l, transition, t, args ?? {}, caller.actor, 0);
      this.announce(l.row.id);
      return null;
    });
    if (outcome) throw outcome;
    return this.get(id, caller.guard);
  }

  recordEvidence(id: string, kind: string, data: Record<string, unknown>, caller: RunCaller): WorkflowRun {
    if ((WARDEN_EVIDENCE_KINDS as readonly string[]).includes(kind)) {
      throw new HttpError(403, 'insufficient_scope', `${kind} evidence is written by Warden itself; it cannot be recorded through the API`, 'kind');
    }
    immediate(this.deps.db, () => {
      const l = this.load(id);
      if (['completed', 'failed', 'cancelled'].includes(l.row.status)) throw this.conflict(l, `the run is ${l.row.status}`, caller.guard);
      this.engine.addEvidence(l, kind, data, null, caller.actor);
      this.engine.save(l);
      this.announce(id);
    });
    return this.get(id, caller.guard);
  }

  cancel(id: string, reason: string, caller: RunCaller, withdrawApproval: (approvalId: string) => void): WorkflowRun {
    immediate(this.deps.db, () => {
      const l = this.load(id);
      if (['completed', 'failed', 'cancelled'].includes(l.row.status)) throw this.conflict(l, `the run is already ${l.row.status}`, caller.guard);
      const approvalId = l.row.waiting_approval_id;
      l.row.status = 'cancelled';
      l.row.reason = reason;
      l.row.pending_transition = null;
      l.row.waiting_approval_id = null;
      this.engine.history(l, 'cancelled', { from: l.row.state, actor: caller.actor, data: { reason } });
      this.engine.save(l);
      if (approvalId) withdrawApproval(approvalId);
      this.deps.audit.append({ event_type: 'workflow_run.cancelled', actor: caller.actor, agent_id: l.row.agent_id, subject_id: id, data: { run_id: id, workflow: l.row.workflow, reason } });
      this.announce(id);
    });
    return this.get(id, caller.guard);
  }

  // ---- results coming back ---------------------------------------------------------------------

  /** An outbox row's executor finished: its result in a transaction of its own (the outbox row with it). */
  finishOutbox(row: OutboxRow, result: ExecutorResult & { waiting_approval_id?: string }): void {
    immediate(this.deps.db, () => {
      this.statements.finishOutbox.run(result.ok || result.waiting_approval_id ? 'done' : 'failed', JSON.stringify(result), this.now(), row.id);
      const l = this.load(row.run_id);
      // A run cancelled meanwhile, or a step already taken further, takes no result.
      if (l.row.status !== 'waiting' || l.row.step !== row.step) return;
      if (result.waiting_approval_id) {
        l.row.waiting_approval_id = result.waiting_approval_id;
        this.statements.linkApproval.run(l.row.id, result.waiting_approval_id);
        this.engine.history(l, 'approval_requested', { transition: row.transition, from: l.row.state, actor: 'system', data: { approval_id: result.waiting_approval_id, ...(result.details ?? {}) } });
        this.engine.save(l);
      } else {
        this.engine.finish(l, row.phase, row.transition, row.output ? (JSON.parse(row.output) as Record<string, string>) : null, result);
      }
      this.announce(l.row.id);
    });
  }

  /**
   * An approval the run waits on resolved (inside the approval's transaction). Step 0: the start
   * itself waited (an ALERT). A human step: allow records `human_approval` per allowing operator
   * and goes on; deny and expiry leave the state as it was, each its own outcome. An action's
   * ALERT: allow proceeds, deny or expiry fails the step.
   */
  onApprovalResolved(approval: { id: string; kind: string; action_id: string | null }, outcome: 'approved' | 'denied' | 'expired', reason: string | null, allowedBy: readonly string[], actionAllowed: (actionId: string) => ExecutorResult): void {
    const row = this.statements.runByApproval.get(approval.id);
    if (!row || row.status !== 'waiting') return;
    const l = this.load(row.id);
    this.engine.history(l, 'approval_resolved', { transition: l.row.pending_transition, from: l.row.state, actor: 'system', data: { approval_id: approval.id, outcome, reason } });
    l.row.waiting_approval_id = null;
    if (l.row.step === 0) {
      if (outcome !== 'approved') this.engine.fail(l, `the start was ${outcome}${reason ? `: ${reason}` : ''}`, 'system');
      else {
        if (approval.action_id) actionAllowed(approval.action_id);
        l.row.step = 1;
        l.row.status = 'active';
        this.engine.enter(l, 'system', 0);
      }
    } else if (approval.kind === 'workflow_step') {
      if (outcome === 'approved') {
        for (const operatorId of new Set(allowedBy)) this.engine.addEvidence(l, 'human_approval', { approval_id: approval.id }, operatorId, `operator:${operatorId}`);
        this.engine.finish(l, l.row.pending_transition ? 'transition' : 'on_enter', l.row.pending_transition, null, { ok: true });
      } else {
        l.row.status = 'active';
        l.row.pending_transition = null;
        l.row.reason = outcome === 'denied' ? `denied${reason ? `: ${reason}` : ''}` : 'the approval expired';
        this.engine.save(l);
      }
    } else {
      const outbox = this.deps.db.prepare<[string, number], OutboxRow>('SELECT * FROM workflow_outbox WHERE run_id = ? AND step = ?').get(l.row.id, l.row.step);
      const mapping = outbox?.output ? (JSON.parse(outbox.output) as Record<string, string>) : null;
      const phase = outbox?.phase ?? 'transition';
      const executor = outbox ? (JSON.parse(outbox.executor) as Executor) : null;
      if (outcome === 'approved' && approval.action_id && outbox && executor?.kind === 'action') {
        // The allowed action proceeds from the outbox, after this commit: a tool of a registered
        // MCP server is called there, never inside the approval's transaction.
        this.statements.resumeOutbox.run(JSON.stringify({ allowed_action_id: approval.action_id }), outbox.id);
        this.engine.save(l);
        this.announce(l.row.id);
        return;
      }
      const result: ExecutorResult =
        outcome === 'approved' && approval.action_id
          ? actionAllowed(approval.action_id)
          : { ok: false, reason: `the action's approval was ${outcome}${reason ? `: ${reason}` : ''}`, details: { approval_id: approval.id } };
      this.engine.finish(l, phase, l.row.pending_transition, mapping, result);
    }
    this.announce(l.row.id);
  }
}
