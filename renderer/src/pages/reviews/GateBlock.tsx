/**
 * On a receipt whose action was blocked `gate_pending`: which review gates stand in the way of its
 * resources now, each linked to the solution that reviews it (or to Reviews, to bundle one when no
 * solution holds the resource yet). The check runs again on open, so it also says when a review
 * has since cleared the resource.
 */
import type { Action } from '../../../../shared/api/actions.js';
import type { EnforcementResult } from '../../../../shared/api/gates.js';
import { api } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { solutionHref } from '../../stores/route';
import { Async } from '../../components/states';

/** The resources an action names that a gate policy may govern: its resource, its agent, its tool, its MCP server. */
export function actionResources(act: Pick<Action, 'agent_id' | 'action'>): { type: string; id: string }[] {
  const out = [{ type: 'agent', id: act.agent_id }, { type: 'tool', id: act.action.tool }];
  const resource = act.action.resource;
  if (resource) out.push({ type: resource.type, id: resource.id });
  const mcp = /^mcp\.([^.]+)\./.exec(act.action.tool);
  if (mcp && !out.some((r) => r.type === 'mcp_server')) out.push({ type: 'mcp_server', id: mcp[1]! });
  return out.filter((r, i) => out.findIndex((o) => o.type === r.type && o.id === r.id) === i);
}

async function checkAll(act: Pick<Action, 'agent_id' | 'action'>): Promise<EnforcementResult[]> {
  const results = await Promise.all(actionResources(act).map((r) => api().call('enforcementCheck', { query: { resource_type: r.type, resource_id: r.id } })));
  return results.filter((r) => r.governed);
}

export function GateBlock({ action }: { action: Pick<Action, 'id' | 'agent_id' | 'action'> }) {
  const checks = useResource(() => checkAll(action), [action.id]);
  return (
    <section className="card" aria-labelledby="r-gates">
      <h3 id="r-gates" className="card-title">
        Review gates
      </h3>
      <p>This action was blocked because a resource it uses has not passed its review yet.</p>
      <Async {...checks} what="the review gates">
        {(list) => {
          const blocked = list.filter((r) => !r.allowed);
          if (!blocked.length) return <p className="muted">Its resources have passed their reviews since: the agent's next request is no longer held by a gate.</p>;
          return (
            <ul aria-label="Blocking review gates">
              {blocked.flatMap((r) =>
                r.blocking.map((b) => (
                  <li key={`${r.resource.type}:${r.resource.id}:${b.policy_id}`}>
                    <span className="mono">
                      {r.resource.type} {r.resource.id}
                    </span>{' '}
                    is waiting for <strong>{b.policy_name}</strong>
                    {b.stage_name ? ` — ${b.stage_name} (stage ${b.stage_position} of ${b.stage_count})` : ''}
                    {b.gate_id ? `, gate ${b.gate_id} ${b.status}` : ''} ·{' '}
                    {b.solution_id ? <a href={solutionHref(b.solution_id)}>Open the solution</a> : <a href="#/reviews">No solution holds it yet — create one on Reviews</a>}
                  </li>
                )),
              )}
            </ul>
          );
        }}
      </Async>
    </section>
  );
}
