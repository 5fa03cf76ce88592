/**
 * A solution's review progress in one line for the solutions list: each governing policy's stages
 * in order, passed (✓), open (with how many of its gates passed) or locked.
 */
import { api } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { gatePassed } from './StagePipeline';

export function MiniPipeline({ solutionId, refresh }: { solutionId: string; /** A new value (the reloaded list) reads the requirements again. */ refresh: unknown }) {
  const req = useResource(() => api().call('getRequirements', { params: { id: solutionId } }), [solutionId, refresh]);
  if (!req.data) return <span className="muted small">{req.error ? '—' : '…'}</span>;
  if (!req.data.policies.length) return <span className="muted small">no policy applies</span>;
  return (
    <div className="mini-pipelines">
      {req.data.policies.map((p) => (
        <ol key={p.policy_id} className="mini-pipeline" aria-label={`Stages of ${p.policy_name}`}>
          {p.stages.map((s) => {
            const passed = s.gates.filter((g) => gatePassed(g.status)).length;
            const text = s.status === 'passed' ? `✓ ${s.name}` : s.status === 'open' ? `${s.name} ${passed}/${s.gates.length}` : s.name;
            return (
              <li key={s.stage_id} className={`mini-stage mini-${s.status}`} title={s.gates.map((g) => `${g.name ?? g.gate_id}: ${g.status}`).join('\n')}>
                {text}
              </li>
            );
          })}
        </ol>
      ))}
    </div>
  );
}
