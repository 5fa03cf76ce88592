/** The shape of a workflow definition: the spec's example parses, typos are refused with their path. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WorkflowDefinitionSchema } from '../../../shared/workflows/definition.js';

const release = parse(readFileSync(new URL('../../fixtures/workflows/release.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;

function issuesOf(definition: unknown): string[] {
  const parsed = WorkflowDefinitionSchema.safeParse(definition);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
}

describe('a workflow definition', () => {
  it('accepts the release example and fills the defaults', () => {
    const parsed = WorkflowDefinitionSchema.parse(release);
    expect(parsed.link_filter).toBe('all');
    expect(parsed.states.review?.transitions?.approve?.actor).toBe('human');
    expect(parsed.states.building?.transitions?.submit_tests?.actor).toBe('agent');
    expect(parsed.states.deploying?.on_enter?.executor.kind).toBe('action');
  });

  it('refuses an unknown key with its path', () => {
    const typo = structuredClone(release) as { states: { review: { transitions: { approve: Record<string, unknown> } } } };
    typo.states.review.transitions.approve.gaurds = [];
    expect(issuesOf(typo)).toEqual(['states.review.transitions.approve']);
  });

  it('refuses a nested guard of an unknown kind, however deep', () => {
    const deep = structuredClone(release) as { states: { testing: { transitions: { request_review: { guards: unknown[] } } } } };
    deep.states.testing.transitions.request_review.guards = [{ kind: 'not', guard: { kind: 'all_of', guards: [{ kind: 'vibes' }] } }];
    expect(issuesOf(deep)).toEqual(['states.testing.transitions.request_review.guards.0.guard.guards.0.kind']);
  });

  it('refuses a bad name and an evidence count of zero', () => {
    expect(issuesOf({ ...release, name: 'Release!' })).toEqual(['name']);
    const zero = structuredClone(release) as { states: { review: { transitions: { approve: { guards: { requires: { count: number }[] }[] } } } } };
    zero.states.review.transitions.approve.guards[0]!.requires[0]!.count = 0;
    expect(issuesOf(zero)).toEqual(['states.review.transitions.approve.guards.0.requires.0.count']);
  });
});
