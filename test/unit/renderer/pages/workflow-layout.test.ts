import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { edgePath, layoutStateMachine, type GraphDefinition } from '../../../../renderer/src/pages/workflows/layout';

const release = parse(readFileSync(new URL('../../../fixtures/workflows/release.yaml', import.meta.url), 'utf8')) as GraphDefinition;

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

describe('the state machine layout', () => {
  it('places every state once, without overlaps, inside the drawing', () => {
    const l = layoutStateMachine(release);
    expect(l.nodes.map((n) => n.id).sort()).toEqual(Object.keys(release.states).sort());
    for (const n of l.nodes) {
      expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
      expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width / 2).toBeLessThanOrEqual(l.width);
      expect(n.y + n.height / 2).toBeLessThanOrEqual(l.height);
      for (const m of l.nodes) if (m !== n) expect(overlaps(n, m)).toBe(false);
    }
    expect(l.nodes.find((n) => n.id === 'building')).toMatchObject({ initial: true, terminal: false });
    expect(l.nodes.find((n) => n.id === 'done')).toMatchObject({ initial: false, terminal: true });
  });

  it('ranks the initial state above what follows it', () => {
    const l = layoutStateMachine(release);
    const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
    expect(y('building')).toBeLessThan(y('testing'));
    expect(y('testing')).toBeLessThan(y('review'));
    expect(y('review')).toBeLessThan(y('done'));
  });

  it('draws one edge per transition, with its actor, guards and executor, ending at its target', () => {
    const l = layoutStateMachine(release);
    const approve = l.edges.find((e) => e.id === 'review.approve')!;
    expect(approve).toMatchObject({ from: 'review', to: 'deploying', actor: 'human', guarded: true });
    expect(l.edges.find((e) => e.id === 'testing.request_review')).toMatchObject({ executor: 'human', actor: 'agent' });
    const target = l.nodes.find((n) => n.id === 'deploying')!;
    const end = approve.points.at(-1)!;
    expect(Math.abs(end.y - (target.y - target.height / 2))).toBeLessThan(2);
    const count = Object.values(release.states).reduce((n, s) => n + Object.keys(s.transitions ?? {}).length, 0);
    expect(l.edges).toHaveLength(count);
  });

  it('keeps two transitions between the same states and a transition back to the same state', () => {
    const l = layoutStateMachine({
      initial_state: 'a',
      states: {
        a: { transitions: { go: { target: 'b' }, rush: { target: 'b' }, retry: { target: 'a' } } },
        b: { terminal: true },
      },
    });
    expect(l.edges.map((e) => e.id).sort()).toEqual(['a.go', 'a.retry', 'a.rush']);
    const [go, rush] = [l.edges.find((e) => e.id === 'a.go')!, l.edges.find((e) => e.id === 'a.rush')!];
    expect(go.label).not.toEqual(rush.label);
    // The loop leaves and re-enters its own box on the right, and its label fits in the drawing.
    const retry = l.edges.find((e) => e.id === 'a.retry')!;
    const a = l.nodes.find((n) => n.id === 'a')!;
    for (const p of [retry.points[0]!, retry.points.at(-1)!]) expect(p.x).toBeCloseTo(a.x + a.width / 2);
    expect(Math.max(...retry.points.map((p) => p.x))).toBeGreaterThan(a.x + a.width / 2 + 10);
    expect(retry.label.x).toBeLessThan(l.width);
  });

  it('turns points into a path that starts and ends on them', () => {
    expect(edgePath([{ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 20, y: 0 }])).toBe('M0,0 Q10,10 15,5 L20,0');
    expect(edgePath([])).toBe('');
  });
});
