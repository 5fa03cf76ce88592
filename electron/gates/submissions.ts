/**
 * Gate submissions: submit a gate of the open stage, decide it (approved, denied, conditional),
 * waive it, and list what an operator may still review. Each runs in one transaction, so two
 * operators deciding one submission at once get exactly one outcome.
 */
import type { z } from 'zod';
import type { ListPage } from '../../shared/api/common.js';
import type { Gate, GateDecisionBody, GatePolicy, GateSubmission, SubmissionQuery, SubmitBody } from '../../shared/api/gates.js';
import { toIso } from '../common/clock.js';
import { immediate, onCommit } from '../db/connection.js';
import { HttpError, conflict, invalid, notFound } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import { submissionObject, type GateContext } from './context.js';
import { checkSubmissionData } from './submission-data.js';
import { recompute } from './recompute.js';
import { passed, submissionStatusOf } from './requirements.js';
import type { SubmissionRow } from './store.js';

type Submit = z.output<typeof SubmitBody>;
type Decide = z.output<typeof GateDecisionBody>;

export class Submissions {
  constructor(private readonly ctx: GateContext) {}

  private row(id: string): SubmissionRow {
    const row = this.ctx.s.submission.get(id);
    if (!row) throw notFound('gate_submission', id);
    return row;
  }

  get(id: string): GateSubmission {
    return submissionObject(this.ctx, this.row(id));
  }

  private announce(type: 'gate_review.pending' | 'gate_review.decided', id: string): void {
    onCommit(this.ctx.db, () => this.ctx.bus.publish(type, this.get(id)));
  }

  submit(solutionId: string, gateId: string, body: Submit, actor: string): GateSubmission {
    return immediate(this.ctx.db, () => {
      const { requirements } = recompute(this.ctx, solutionId);
      const policyRow = this.ctx.s.policy.get(body.policy_id);
      if (!policyRow) throw notFound('gate policy', body.policy_id);
      const policy = requirements.policies.find((p) => p.policy_id === body.policy_id);
      if (!policy) {
        throw invalid('policy_id', `gate policy ${body.policy_id} does not govern solution ${solutionId} (inactive, a draft, or over none of its resource types)`);
      }
      const stage = policy.stages.find((s) => s.gates.some((g) => g.gate_id === gateId));
      if (!stage) throw notFound(`gate in gate policy ${body.policy_id} named`, gateId);
      if (stage.status === 'locked') {
        const open = policy.stages.find((s) => s.status === 'open')!;
        throw conflict(`stage ${stage.position} (${stage.name}) of ${policy.policy_name} cannot be submitted before stage ${open.position} (${open.name}) has passed`, 'gate_id');
      }
      const current = stage.gates.find((g) => g.gate_id === gateId)!;
      const latest = current.submission;
      if (passed(current.status)) throw conflict(`gate ${gateId} already passed (${current.status}) in submission ${latest?.id}`, 'gate_id');
      if (current.status === 'submitted') throw conflict(`gate ${gateId} is already awaiting review in submission ${latest?.id}`, 'gate_id');
      const gate = (JSON.parse(policyRow.stages) as GatePolicy['stages']).flatMap((s) => s.gates).find((g) => g.id === gateId)!;
      checkSubmissionData(gate, body.data, this.ctx.runs);

      const now = toIso(this.ctx.clock.now());
      const id = this.ctx.ids.next('gsub');
      const status = submissionStatusOf(gate, { gate_type: gate.type, decisions: [], waived: false });
      this.ctx.s.insertSubmission.run({
        id,
        solution_id: solutionId,
        policy_id: body.policy_id,
        stage_id: stage.stage_id,
        gate_id: gateId,
        gate_type: gate.type,
        status,
        data: JSON.stringify(body.data),
        submitted_by: actor,
        required_approvals: gate.type === 'evidence' ? 0 : gate.required_approvals,
        waiver_reason: null,
        waived_by: null,
        waived_at: null,
        superseded_by: null,
        created_at: now,
        updated_at: now,
        resolved_at: status === 'submitted' ? null : now,
      });
      // A denied gate's fresh review replaces the denied one.
      if (latest) this.ctx.s.supersede.run(id, now, latest.id);
      const solution = recompute(this.ctx, solutionId).solution;
      this.ctx.audit.append({
        event_type: 'gate.submitted',
        actor,
        agent_id: solution.agent_id,
        subject_id: id,
        data: { solution_id: solutionId, policy_id: body.policy_id, stage_id: stage.stage_id, gate_id: gateId, status, resubmission_of: latest?.id ?? null },
      });
      this.ctx.changed();
      if (status === 'submitted') this.announce('gate_review.pending', id);
      return this.get(id);
    });
  }

  /** The policy's gate the submission answers, as the policy stands now; 409 when it is gone. */
  private gateOf(row: SubmissionRow): Gate {
    const policy = this.ctx.s.policy.get(row.policy_id);
    const gate = policy && (JSON.parse(policy.stages) as GatePolicy['stages']).flatMap((s) => s.gates).find((g) => g.id === row.gate_id);
    if (!gate || gate.type !== row.gate_type) throw conflict(`gate ${row.gate_id} is no longer part of gate policy ${row.policy_id} as submitted; submit it again`);
    return gate;
  }

  private checkOpen(row: SubmissionRow): void {
    if (row.superseded_by) throw new HttpError(409, 'already_resolved', `gate submission ${row.id} was replaced by ${row.superseded_by}`);
    if (row.status !== 'submitted') throw new HttpError(409, 'already_resolved', `gate submission ${row.id} is already ${row.status}`);
  }

  decide(id: string, operatorId: string, body: Decide, actor: string): GateSubmission {
    return immediate(this.ctx.db, () => {
      const row = this.row(id);
      this.checkOpen(row);
      const gate = this.gateOf(row);
      if (gate.type === 'evidence') throw conflict(`gate ${row.gate_id} passes on its evidence; there is nothing to decide`);
      if (this.ctx.s.decisionsOf.all(id).some((d) => d.operator_id === operatorId)) {
        throw new HttpError(409, 'already_resolved', `operator ${operatorId} has already decided on gate submission ${id}; another operator must decide`);
      }
      if (body.decision !== 'denied') this.checkMayApprove(row, operatorId);
      const now = toIso(this.ctx.clock.now());
      this.ctx.s.insertDecision.run({
        submission_id: id,
        operator_id: operatorId,
        decision: body.decision,
        comments: body.comments ?? null,
        conditions: JSON.stringify(body.conditions ?? []),
        at: now,
      });
      const solution = recompute(this.ctx, row.solution_id).solution;
      const after = this.get(id);
      this.ctx.audit.append({
        event_type: body.decision === 'approved' ? 'gate.approved' : body.decision === 'denied' ? 'gate.denied' : 'gate.conditional',
        actor,
        agent_id: solution.agent_id,
        subject_id: id,
        data: {
          solution_id: row.solution_id,
          policy_id: row.policy_id,
          gate_id: row.gate_id,
          comments: body.comments ?? null,
          conditions: body.conditions ?? [],
          submission_status: after.status,
          solution_status: solution.status,
        },
      });
      this.ctx.changed();
      this.announce('gate_review.decided', id);
      return after;
    });
  }

  /**
   * The submitter never counts toward its own gate; with allow_self_approval off, neither does
   * the operator who made the solution. Either may still deny.
   */
  private checkMayApprove(row: SubmissionRow, operatorId: string): void {
    const me = `operator:${operatorId}`;
    if (row.submitted_by === me) {
      throw new HttpError(403, 'insufficient_scope', 'the operator who submitted a gate cannot approve it; another operator must (deny is still possible)');
    }
    if (!this.ctx.allowSelfApproval() && this.ctx.s.solution.get(row.solution_id)?.created_by === me) {
      throw new HttpError(403, 'insufficient_scope', 'allow_self_approval is off: the operator who made this solution cannot approve its gates (deny is still possible)');
    }
  }

  waive(id: string, reason: string, actor: string): GateSubmission {
    return immediate(this.ctx.db, () => {
      const row = this.row(id);
      if (row.superseded_by) throw new HttpError(409, 'already_resolved', `gate submission ${id} was replaced by ${row.superseded_by}`);
      if (row.status !== 'submitted' && row.status !== 'denied') throw new HttpError(409, 'already_resolved', `gate submission ${id} is already ${row.status}`);
      const now = toIso(this.ctx.clock.now());
      this.ctx.s.waive.run({ id, reason, by: actor, at: now });
      const solution = recompute(this.ctx, row.solution_id).solution;
      this.ctx.audit.append({
        event_type: 'gate.waived',
        actor,
        agent_id: solution.agent_id,
        subject_id: id,
        data: { solution_id: row.solution_id, policy_id: row.policy_id, gate_id: row.gate_id, reason, previous_status: row.status, solution_status: solution.status },
      });
      this.ctx.changed();
      this.announce('gate_review.decided', id);
      return this.get(id);
    });
  }

  list(query: z.output<typeof SubmissionQuery>): ListPage<GateSubmission> {
    const clauses: string[] = [];
    const args: unknown[] = [];
    for (const field of ['solution_id', 'policy_id', 'status'] as const) {
      if (query[field] === undefined) continue;
      clauses.push(`${field} = ?`);
      args.push(query[field]);
    }
    const after = decodeCursor(query.cursor, isNumber);
    if (after !== undefined) {
      clauses.push('seq < ?');
      args.push(after);
    }
    const rows = this.ctx.db
      .prepare<unknown[], SubmissionRow>(`SELECT * FROM gate_submissions ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...args, query.limit + 1);
    return page(rows, query.limit, (r) => submissionObject(this.ctx, r), (r) => r.seq);
  }

  /** Open submissions `operatorId` may still decide, oldest first. */
  pendingFor(operatorId: string, query: { limit: number; cursor?: string }): ListPage<GateSubmission> {
    const me = `operator:${operatorId}`;
    const after = decodeCursor(query.cursor, isNumber) ?? 0;
    const rows = this.ctx.db
      .prepare<[string, number, string, string, number, number], SubmissionRow>(
        `SELECT g.* FROM gate_submissions g JOIN solutions s ON s.id = g.solution_id
         WHERE g.status = 'submitted' AND g.superseded_by IS NULL AND g.gate_type <> 'evidence'
           AND g.submitted_by <> ? AND (? = 1 OR s.created_by <> ?)
           AND NOT EXISTS (SELECT 1 FROM gate_decisions d WHERE d.submission_id = g.id AND d.operator_id = ?)
           AND g.seq > ?
         ORDER BY g.seq LIMIT ?`,
      )
      .all(me, this.ctx.allowSelfApproval() ? 1 : 0, me, operatorId, after, query.limit + 1);
    return page(rows, query.limit, (r) => submissionObject(this.ctx, r), (r) => r.seq);
  }
}
