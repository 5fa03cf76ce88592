/**
 * On a receipt whose action was blocked `gate_pending`: the review gates that held it at that
 * moment (the gates layer's blocking policies), each linked to the solution that reviews the
 * resource (or to Reviews, to bundle one when no solution held it yet), and whether they hold it
 * still: the enforcement check runs again on open.
 */
import type { Action } from '../../../../shared/api/actions.js';
import type { BlockingGate } from '../../../../shared/api/gates.js';
import { api } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { solutionHref } from '../../stores/route';

/** The resources an action names that a gate policy may govern: its agent, its tool, its resource, its MCP server. */
export function actionResources(act: Pick<Action, 'agent_id' | 'action'>): { type: string; id: string }[] {
  const out = [{ type: 'agent', id: act.agent_id }, { type: 'tool', id: act.action.tool }];
  const resource = act.action.resource;
  if (resource) out.push({ type: resource.type, id: resource.id });
  const mcp = /^mcp\.([^.]+)\./.exec(act.action.tool);
  if (mcp && !out.some((r) => r.type === 'mcp_server')) out.push({ type: 'mcp_server', id: mcp[1]! });
  return out.filter((r, i) => out.findIndex((o) => o.type === r.type && o.id === r.id) === i);
}

/** Whether any of the action's resources is still held by a gate. */
async function stillBlocked(act: Pick<Action, 'agent_id' | 'action'>): Promise<boolean> {
  const results = await Promise.all(actionResources(act).map((r) => api().call('enforcementCheck', { query: { resource_type: r.type, resource_id: r.id } })));
  return results.some((r) => !r.allowed);
}

function BlockingLine({ b }: { b: BlockingGate }) {
  return (
    <>
      <strong>{b.policy_name}</strong> ({b.severity}){b.stage_name ? ` — ${b.stage_name} (stage ${b.stage_position} of ${b.stage_count})` : ''}
      {b.gate_id ? `, gate ${b.gate_id} ${b.status}` : ''} ·{' '}
      {b.solution_id ? <a href={solutionHref(b.solution_id)}>Open the solution</a> : <a href="#/reviews">No solution held it — create one on Reviews</a>}
    </>
  );
}

export function GateBlock({ action }: { action: Pick<Action, 'id' | 'agent_id' | 'action' | 'layers'> }) {
  const all = action.layers.find((l) => l.layer === 'gates')?.gates ?? [];
  // One line per policy gate and solution, however many of the action's resources it holds.
  const blocking = all.filter((b, i) => all.findIndex((o) => o.policy_id === b.policy_id && o.stage_id === b.stage_id && o.gate_id === b.gate_id && o.solution_id === b.solution_id) === i);
  const now = useResource(() => stillBlocked(action), [action.id]);
  return (
    <section className="card" aria-labelledby="r-gates">
      <h3 id="r-gates" className="card-title">
        Review gates
      </h3>
      <p>A resource of this action had not passed its review:</p>
      <ul aria-label="Blocking review gates">
        {blocking.map((b) => (
          <li key={`${b.policy_id}:${b.stage_id ?? ''}:${b.gate_id ?? ''}`}>
            <BlockingLine b={b} />
          </li>
        ))}
      </ul>
      {now.data === false ? <p className="muted">Its resources have passed their reviews since: the agent's next request is no longer held by a gate.</p> : null}
      {now.data === true ? <p className="muted small">Still held now.</p> : null}
    </section>
  );
}
