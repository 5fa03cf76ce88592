/**
 * One solution: its resources and status, and for every active policy that governs them the stage
 * pipeline with each gate's state. Selecting a gate shows its latest submission (data, decisions,
 * conditions, waiver) with the review controls while it awaits review, or the submit form while it
 * is in the open stage and not yet passed. Live: a decision anywhere reloads it.
 */
import { useState } from 'react';
import type { GatePolicy, GateSubmission, Requirements, Solution } from '../../../../shared/api/gates.js';
import { api, errorMessage, idemKey } from '../../lib/api';
import { useLiveEvents } from '../../lib/hub';
import { dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { useRoute } from '../../stores/route';
import { toast } from '../../stores/toasts';
import { Async } from '../../components/states';
import { SeverityPill } from './PoliciesTab';
import { ReviewDecision } from './ReviewDecision';
import { ResourceChips, SolutionStatusPill } from './SolutionsTab';
import { StagePipeline, type PipelineStage } from './StagePipeline';
import { SubmissionView } from './SubmissionView';
import { useActorName } from './actors';
import { SubmitGateForm } from './SubmitGateForm';

interface SolutionView {
  solution: Solution;
  requirements: Requirements;
  policies: Map<string, GatePolicy>;
}

async function loadSolution(id: string): Promise<SolutionView> {
  const [solution, requirements] = await Promise.all([api().call('getSolution', { params: { id } }), api().call('getRequirements', { params: { id } })]);
  const policies = new Map<string, GatePolicy>();
  await Promise.all(
    requirements.policies.map(async (p) => {
      policies.set(p.policy_id, await api().call('getGatePolicy', { params: { id: p.policy_id } }));
    }),
  );
  return { solution, requirements, policies };
}

export function SolutionDetail({ id }: { id: string }) {
  const go = useRoute((s) => s.go);
  const view = useResource(() => loadSolution(id), [id]);
  const actorText = useActorName();
  useLiveEvents((e) => {
    if ((e.type === 'gate_review.pending' || e.type === 'gate_review.decided') && e.data.solution_id === id) view.reload();
  });

  async function recompute() {
    try {
      const r = await api().call('recomputeSolution', { params: { id } });
      toast.success(r.changed ? `Status now ${r.solution.status.replace(/_/g, ' ')}` : 'Nothing changed', 'Requirements recomputed against the policies as they are now.');
      view.reload();
    } catch (err) {
      toast.error('Could not recompute', errorMessage(err));
    }
  }
  async function remove(name: string) {
    if (!window.confirm(`Delete ${name}? What it allowed is closed again until another approved solution holds it.`)) return;
    try {
      await api().call('deleteSolution', { params: { id } });
      toast.success(`Deleted ${name}`);
      go('reviews');
    } catch (err) {
      toast.error(`Could not delete ${name}`, errorMessage(err));
    }
  }

  return (
    <>
      <p>
        <a href="#/reviews">← All solutions</a>
      </p>
      <Async {...view} what="the solution">
        {({ solution: s, requirements, policies }) => (
          <>
            <section className="card" aria-labelledby="solution-title">
              <div className="card-head">
                <h3 id="solution-title" className="card-title">
                  {s.name} <SolutionStatusPill status={s.status} />
                </h3>
                <button type="button" onClick={() => void recompute()}>
                  Recompute
                </button>
                <button type="button" className="danger" onClick={() => void remove(s.name)}>
                  Delete
                </button>
              </div>
              {s.description ? <p>{s.description}</p> : null}
              <p>
                <ResourceChips resources={s.resources} />
              </p>
              <p className="muted small">
                <span className="mono">{s.id}</span> · created by {actorText(s.created_by)} {dateTime(s.created_at)}
              </p>
            </section>
            <section className="card" aria-labelledby="requirements-title">
              <h3 id="requirements-title" className="card-title">
                Review stages
              </h3>
              {requirements.policies.length ? (
                requirements.policies.map((p) => <PolicyPipeline key={p.policy_id} solutionId={s.id} requirement={p} policy={policies.get(p.policy_id)} onChange={view.reload} />)
              ) : (
                <p className="muted">No active gate policy governs these resources: they need no review.</p>
              )}
            </section>
          </>
        )}
      </Async>
    </>
  );
}

type PolicyRequirement = Requirements['policies'][number];

function PolicyPipeline({ solutionId, requirement: p, policy, onChange }: { solutionId: string; requirement: PolicyRequirement; policy: GatePolicy | undefined; onChange(): void }) {
  const [selected, setSelected] = useState<string | null>(() => {
    const open = p.stages.find((s) => s.status === 'open');
    const gate = open?.gates.find((g) => g.status === 'submitted') ?? open?.gates.find((g) => g.status === 'missing' || g.status === 'denied');
    return open && gate ? `${open.stage_id}/${gate.gate_id}` : null;
  });
  const stages: PipelineStage[] = p.stages.map((s) => ({
    id: s.stage_id,
    name: s.name,
    status: s.status,
    gates: s.gates.map((g) => ({ id: g.gate_id, label: g.name ?? g.gate_id, type: g.type, status: g.status, missing: g.missing.join('; ') || null })),
  }));
  const [stageId, gateId] = selected?.split('/') ?? [];
  const stage = p.stages.find((s) => s.stage_id === stageId);
  const gateReq = stage?.gates.find((g) => g.gate_id === gateId);
  const gate = policy?.stages.find((s) => s.id === stageId)?.gates.find((g) => g.id === gateId) ?? null;
  const sub = gateReq?.submission ?? null;

  const decided = (result: GateSubmission, what: string) => {
    toast.success(`${what}: ${result.gate_id}`, result.status === 'submitted' ? `${result.required_approvals} distinct operators must approve; others decide next.` : undefined);
    onChange();
  };

  return (
    <div className="policy-block">
      <h4>
        <a href={`#/reviews/${encodeURIComponent(p.policy_id)}`}>{p.policy_name}</a> <SeverityPill severity={p.severity} />
        {p.passed ? <span className="pill pill-ok">passed</span> : null}
        <span className="muted small">governs {p.resources.map((r) => `${r.type}:${r.id}`).join(', ')}</span>
      </h4>
      <StagePipeline label={`Stages of ${p.policy_name}`} stages={stages} selectedGate={selected} onSelectGate={(s, g) => setSelected(`${s}/${g}`)} />
      {gateReq && stage ? (
        <div className="card gate-panel" aria-label={`Gate ${gateReq.name ?? gateReq.gate_id}`}>
          <h4 className="subhead">
            {gateReq.name ?? gateReq.gate_id} <span className="muted small">({gateReq.type}, stage {stage.position}: {stage.name})</span>
          </h4>
          {gate?.description ? <p className="muted">{gate.description}</p> : null}
          {sub ? <SubmissionView submission={sub} gate={gate} /> : <p className="muted">Nothing submitted yet.</p>}
          {sub && gateReq.status === 'submitted' ? (
            <ReviewDecision
              subject={`${p.policy_name} · ${gateReq.gate_id}`}
              onDecide={async (decision, body) => decided(await api().call('decideGateSubmission', { params: { id: sub.id }, body: { decision, ...body } }, { idempotencyKey: idemKey() }), decision)}
              onWaive={async (reason) => decided(await api().call('waiveGateSubmission', { params: { id: sub.id }, body: { reason } }, { idempotencyKey: idemKey() }), 'waived')}
            />
          ) : null}
          {stage.status === 'open' && gate && (gateReq.status === 'missing' || gateReq.status === 'denied') ? (
            <SubmitGateForm
              key={sub?.id ?? 'new'}
              solutionId={solutionId}
              policyId={p.policy_id}
              gate={gate}
              resubmit={gateReq.status === 'denied'}
              onSubmitted={(s) => {
                toast.success(`Submitted ${s.gate_id}`, 'It waits for review in the Inbox of the other operators.');
                onChange();
              }}
            />
          ) : null}
          {stage.status === 'locked' ? <p className="muted small">This stage opens once the stage before it has passed.</p> : null}
        </div>
      ) : null}
    </div>
  );
}
