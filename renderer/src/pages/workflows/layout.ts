/**
 * Places a workflow's state machine for drawing: states as boxes, transitions as labelled edges,
 * laid out by dagre (ranked top to bottom, crossings minimised, several transitions between the
 * same two states and transitions back to the same state kept apart). Pure: the SVG is drawn by
 * `StateMachineGraph.tsx` from what this returns.
 */
import dagre from '@dagrejs/dagre';
import type { TransitionActor, WorkflowDefinitionInput } from '../../../../shared/workflows/definition.js';

export interface Point {
  x: number;
  y: number;
}

export interface StateNode {
  /** The state's name. */
  id: string;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
  initial: boolean;
  terminal: boolean;
  /** It runs an executor on entering. */
  onEnter: boolean;
}

export interface TransitionEdge {
  /** `from.transition`, unique in the definition. */
  id: string;
  from: string;
  to: string;
  transition: string;
  actor: TransitionActor;
  /** Has guards (drawn with a marker). */
  guarded: boolean;
  /** Runs an executor (human, action, cli or rest) when taken. */
  executor: string | null;
  /** The path, from the source box to the target box. */
  points: Point[];
  /** Centre of the label. */
  label: Point;
}

export interface StateMachineLayout {
  nodes: StateNode[];
  edges: TransitionEdge[];
  width: number;
  height: number;
}

/** What the drawing needs of a definition (a parsed one or one as written). */
export type GraphDefinition = Pick<WorkflowDefinitionInput, 'initial_state' | 'states'>;

const CHAR_WIDTH = 7.4;
const NODE_HEIGHT = 34;
const NODE_PADDING = 28;
const LABEL_HEIGHT = 16;
const LABEL_CHAR_WIDTH = 6.4;

/** Roughly the rendered width of a name at the graph's font size. */
function textWidth(text: string, perChar: number): number {
  return Math.ceil(text.length * perChar);
}

export function layoutStateMachine(def: GraphDefinition): StateMachineLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 36, edgesep: 14, ranksep: 46, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));

  const states = Object.entries(def.states);
  for (const [name, state] of states) {
    const extra = state.terminal || name === def.initial_state ? 16 : 0;
    g.setNode(name, { width: Math.max(80, textWidth(name, CHAR_WIDTH) + NODE_PADDING + extra), height: NODE_HEIGHT });
  }
  const meta = new Map<string, Omit<TransitionEdge, 'points' | 'label'>>();
  for (const [from, state] of states) {
    for (const [transition, t] of Object.entries(state.transitions ?? {})) {
      // A target that does not exist is refused at definition time; a draft may still have one.
      if (!g.hasNode(t.target)) g.setNode(t.target, { width: Math.max(80, textWidth(t.target, CHAR_WIDTH) + NODE_PADDING), height: NODE_HEIGHT });
      const id = `${from}.${transition}`;
      g.setEdge(from, t.target, { width: textWidth(transition, LABEL_CHAR_WIDTH) + 8, height: LABEL_HEIGHT, labelpos: 'r', labeloffset: 6 }, id);
      meta.set(id, { id, from, to: t.target, transition, actor: t.actor ?? 'agent', guarded: (t.guards?.length ?? 0) > 0, executor: t.executor?.kind ?? null });
    }
  }

  dagre.layout(g);

  const nodes: StateNode[] = g.nodes().map((id) => {
    const n = g.node(id);
    const s = def.states[id];
    return { id, x: n.x ?? 0, y: n.y ?? 0, width: n.width, height: n.height, initial: id === def.initial_state, terminal: Boolean(s?.terminal), onEnter: Boolean(s?.on_enter) };
  });
  const graph = g.graph();
  let width = Math.ceil(graph.width ?? 0);
  const loops = new Map<string, number>();
  const edges: TransitionEdge[] = g.edges().map((e) => {
    const label = g.edge(e);
    const m = meta.get(e.name ?? '')!;
    if (e.v === e.w) {
      // A transition back to the same state: a loop on the box's right side, one further out per loop.
      const n = g.node(e.v);
      const k = loops.get(e.v) ?? 0;
      loops.set(e.v, k + 1);
      const right = (n.x ?? 0) + n.width / 2;
      const y = n.y ?? 0;
      const reach = 26 + k * 22;
      const points = [
        { x: right, y: y - 8 },
        { x: right + reach, y: y - 18 },
        { x: right + reach, y: y + 18 },
        { x: right, y: y + 8 },
      ];
      const labelWidth = textWidth(m.transition, LABEL_CHAR_WIDTH) + 8;
      const labelAt = { x: right + reach + 4 + labelWidth / 2, y: y + k * (LABEL_HEIGHT + 2) };
      width = Math.max(width, Math.ceil(labelAt.x + labelWidth / 2 + 12));
      return { ...m, points, label: labelAt };
    }
    const points = (label.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { ...m, points, label: { x: label.x ?? mid.x, y: label.y ?? mid.y } };
  });
  return { nodes, edges, width, height: Math.ceil(graph.height ?? 0) };
}

/**
 * An SVG path through the layout's points: straight to the first midpoint, then quadratic curves
 * through each bend, straight into the last point (where the arrowhead sits).
 */
export function edgePath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const f = (n: number) => Math.round(n * 10) / 10;
  const [first, ...rest] = points;
  if (rest.length === 0) return `M${f(first!.x)},${f(first!.y)}`;
  let d = `M${f(first!.x)},${f(first!.y)}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!;
    const next = rest[i + 1]!;
    d += ` Q${f(p.x)},${f(p.y)} ${f((p.x + next.x) / 2)},${f((p.y + next.y) / 2)}`;
  }
  const last = rest[rest.length - 1]!;
  return `${d} L${f(last.x)},${f(last.y)}`;
}
