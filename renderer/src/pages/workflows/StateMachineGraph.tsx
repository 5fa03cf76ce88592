/**
 * A workflow's state machine drawn as SVG from the dagre layout: the current state filled, the
 * states a run went through tinted, the transitions it may take now in the accent colour, human
 * steps dashed. The SVG scales down to its container's width; a text list beside it names the
 * same states for screen readers.
 */
import { useId, useMemo } from 'react';
import { edgePath, layoutStateMachine, type GraphDefinition } from './layout';

export interface GraphRunState {
  /** The run's current state. */
  current: string;
  /** States the run has been in (history). */
  visited?: ReadonlySet<string>;
  /** `from.transition` ids the run has taken. */
  taken?: ReadonlySet<string>;
  /** Transitions (names) it may take now. */
  legal?: ReadonlySet<string>;
}

const ACTOR_NOTE: Record<string, string> = { human: 'operator only', system: 'Warden only', deterministic: 'automatic', agent: '' };

export function StateMachineGraph({ definition, run, label }: { definition: GraphDefinition; run?: GraphRunState; label: string }) {
  const layout = useMemo(() => layoutStateMachine(definition), [definition]);
  const arrow = useId().replace(/:/g, '');
  if (layout.nodes.length === 0) return <p className="muted small">This definition has no states.</p>;
  return (
    <figure className="wf-graph" aria-label={label}>
      <svg
        role="group"
        aria-label={label}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        style={{ maxWidth: '100%', height: 'auto' }}
        xmlns="http://www.w3.org/2000/svg"
      >
        <defs>
          {(['plain', 'legal', 'taken'] as const).map((kind) => (
            <marker key={kind} id={`${arrow}-${kind}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className={`wf-arrow wf-arrow-${kind}`} />
            </marker>
          ))}
        </defs>
        {layout.edges.map((e) => {
          const legal = run && e.from === run.current && run.legal?.has(e.transition);
          const taken = run?.taken?.has(e.id);
          const kind = legal ? 'legal' : taken ? 'taken' : 'plain';
          const note = ACTOR_NOTE[e.actor];
          return (
            <g key={e.id} className={`wf-edge wf-edge-${kind} wf-actor-${e.actor}`} data-transition={e.id}>
              <title>
                {`${e.transition}: ${e.from} → ${e.to}${note ? ` (${note})` : ''}${e.guarded ? ', guarded' : ''}${e.executor ? `, runs ${e.executor}` : ''}`}
              </title>
              <path d={edgePath(e.points)} fill="none" markerEnd={`url(#${arrow}-${kind})`} />
              <text x={e.label.x} y={e.label.y} textAnchor="middle" dominantBaseline="central" className="wf-edge-label">
                {e.guarded ? '◆ ' : ''}
                {e.transition}
              </text>
            </g>
          );
        })}
        {layout.nodes.map((n) => {
          const current = run?.current === n.id;
          const visited = !current && run?.visited?.has(n.id);
          const cls = `wf-node${current ? ' wf-node-current' : visited ? ' wf-node-visited' : ''}${n.terminal ? ' wf-node-terminal' : ''}`;
          const what = [n.initial ? 'initial' : '', n.terminal ? 'terminal' : '', current ? 'current state' : visited ? 'visited' : ''].filter(Boolean).join(', ');
          return (
            <g key={n.id} className={cls} role="img" aria-label={what ? `${n.id}, ${what}` : n.id} aria-current={current ? 'step' : undefined} data-state={n.id}>
              <rect x={n.x - n.width / 2} y={n.y - n.height / 2} width={n.width} height={n.height} rx={n.terminal ? n.height / 2 : 6} />
              {n.terminal ? <rect className="wf-node-ring" x={n.x - n.width / 2 + 3} y={n.y - n.height / 2 + 3} width={n.width - 6} height={n.height - 6} rx={(n.height - 6) / 2} /> : null}
              <text x={n.x} y={n.y} textAnchor="middle" dominantBaseline="central">
                {n.initial ? '▸ ' : ''}
                {n.id}
                {n.onEnter ? ' ⚙' : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="wf-graph-legend muted small">
        <span>▸ initial</span> <span>◆ guarded</span> <span>⚙ runs on entering</span> <span className="wf-legend-human">- - operator only</span>
        {run ? <span className="wf-legend-legal">→ can take now</span> : null}
      </figcaption>
    </figure>
  );
}
