import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowRun } from '../../../../renderer/src/pages/workflows/data';
import { runChanged, useWorkflows } from '../../../../renderer/src/stores/workflows';

function run(id: string, over: Partial<WorkflowRun> = {}): WorkflowRun {
  return {
    id, object: 'workflow_run', workflow: 'release', version: 1, agent_id: 'agt_1', mission_id: null, state: 'building', status: 'active', input: {}, context: {}, evidence: [], links: [],
    pending_transition: null, waiting_approval_id: null, reason: null, started_by: 'agent:agt_1', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', ...over,
  };
}

describe('the workflow runs store', () => {
  beforeEach(() => useWorkflows.setState({ runs: {}, listed: [], filters: {}, revision: {} }));

  it('puts a new run that fits the filters at the top of the list, and drops one that no longer fits', () => {
    useWorkflows.setState({ filters: { status: 'active' }, listed: ['run_a'], runs: { run_a: run('run_a') } });
    useWorkflows.getState().upsertRun(run('run_b'));
    expect(useWorkflows.getState().listed).toEqual(['run_b', 'run_a']);
    useWorkflows.getState().upsertRun(run('run_a', { status: 'completed', updated_at: '2026-01-01T00:00:01.000Z' }));
    expect(useWorkflows.getState().listed).toEqual(['run_b']);
    expect(useWorkflows.getState().runs.run_a!.status).toBe('completed');
    useWorkflows.getState().upsertRun(run('run_c', { workflow: 'other', status: 'waiting' }));
    expect(useWorkflows.getState().listed).toEqual(['run_b']);
  });

  it('never lets an older copy of a run replace a newer one, and counts each change', () => {
    useWorkflows.getState().upsertRun(run('run_a', { state: 'review', updated_at: '2026-01-01T00:00:05.000Z' }));
    useWorkflows.getState().upsertRun(run('run_a', { state: 'building', updated_at: '2026-01-01T00:00:01.000Z' }));
    expect(useWorkflows.getState().runs.run_a!.state).toBe('review');
    expect(useWorkflows.getState().revision.run_a).toBe(1);
  });

  it('takes a run from an event that carries one', () => {
    runChanged(run('run_e', { state: 'review' }));
    expect(useWorkflows.getState().runs.run_e!.state).toBe('review');
  });

  it('after a reconnection fetches again the runs still moving, and only those', async () => {
    const { workflowsApi } = await import('../../../../renderer/src/pages/workflows/data');
    const asked: string[] = [];
    const original = { run: workflowsApi.run, runs: workflowsApi.runs };
    workflowsApi.run = async (id: string) => (asked.push(id), run(id, { state: 'review', updated_at: '2026-01-01T00:01:00.000Z' }));
    workflowsApi.runs = async () => [];
    try {
      useWorkflows.setState({ runs: { run_a: run('run_a'), run_b: run('run_b', { status: 'completed' }), run_c: run('run_c', { status: 'waiting' }) } });
      useWorkflows.getState().resync();
      await new Promise((r) => setTimeout(r, 0));
      expect(asked.sort()).toEqual(['run_a', 'run_c']);
      expect(useWorkflows.getState().runs.run_a!.state).toBe('review');
    } finally {
      Object.assign(workflowsApi, original);
    }
  });
});
