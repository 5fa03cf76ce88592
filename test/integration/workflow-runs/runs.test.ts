/**
 * Runs over HTTP: start (input checked by its JSON Schema, pinned to the version), transitions
 * (409 state_conflict, 403 actor_mismatch, 422 guard_rejected, each with links), links with and
 * without by_guards, set_context, deterministic chains, evidence, cancel, history, row access.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowDefinitionInput } from '../../../shared/workflows/definition.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

const release: WorkflowDefinitionInput = {
  name: 'release',
  input_schema: { type: 'object', required: ['service', 'version'], properties: { service: { type: 'string' }, version: { type: 'string' } } },
  initial_state: 'building',
  initial_context: { tests_passed: false },
  states: {
    building: {
      transitions: {
        submit_tests: {
          title: 'Record the test run',
          target: 'testing',
          input_schema: { type: 'object', required: ['passed'], properties: { passed: { type: 'boolean' } } },
          set_context: { tests_passed: '$.arguments.passed' },
        },
      },
    },
    testing: {
      link_filter: 'by_guards',
      transitions: {
        request_review: { target: 'review', guards: [{ kind: 'expr', expr: '$.context.tests_passed == true' }] },
        retest: { target: 'building', guards: [{ kind: 'expr', expr: '$.context.tests_passed == false' }] },
        with_args: { target: 'review', guards: [{ kind: 'expr', expr: '$.arguments.ok == true' }] },
      },
    },
    review: {
      transitions: {
        approve: { actor: 'human', target: 'deploying', guards: [{ kind: 'evidence', requires: [{ kind: 'review_note' }] }] },
        reject: { actor: 'human', target: 'rejected' },
        guarded: { target: 'rejected', guards: [{ kind: 'not', guard: { kind: 'expr', expr: '$.context.missing == true' } }] },
      },
    },
    deploying: { transitions: { finish: { actor: 'deterministic', target: 'verifying' }, by_system: { actor: 'system', target: 'done' } } },
    verifying: { transitions: { verified: { actor: 'deterministic', target: 'done' } } },
    done: { terminal: true },
    rejected: { terminal: true },
  },
};

let t: TestApp;
let a: { id: string; key: string };
let b: { id: string; key: string };

beforeAll(async () => {
  t = await startTestApp();
  await t.api(t.op).answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  a = await t.agent('agent-a', { scopes: ['workflows:read', 'workflows:write'] });
  b = await t.agent('agent-b', { scopes: ['workflows:read', 'workflows:write'] });
  deployWorkflow(t.app, release);
}, 60_000);
afterAll(() => t.close());

const start = (key: string, input: Record<string, unknown> = { service: 'api', version: '1.0.0' }) =>
  t.api(key).answer('startWorkflowRun', { params: { name: 'release' }, body: { input } });
const step = (key: string, id: string, transition: string, args?: Record<string, unknown>) =>
  t.api(key).answer('takeWorkflowTransition', { params: { id, transition }, body: args ? { arguments: args } : {} });

describe('starting a run', () => {
  it('starts pinned to the current version, with its links', async () => {
    const res = await start(a.key);
    expect(res.status).toBe(201);
    const run = res.body;
    expect(run).toMatchObject({ object: 'workflow_run', workflow: 'release', version: 1, agent_id: a.id, state: 'building', status: 'active', context: { tests_passed: false } });
    expect(run.id).toMatch(/^run_/);
    expect(run.links).toEqual([{ transition: 'submit_tests', title: 'Record the test run', target: 'testing', actor: 'agent', method: 'POST', href: `/v1/workflow-runs/${run.id}/transitions/submit_tests` }]);
  });

  it('checks input against the JSON Schema: 400 with param inside input', async () => {
    const missing = await t.raw('POST', '/v1/workflows/release/runs', { key: a.key, body: { input: { service: 'api' } } });
    expect(missing.status).toBe(400);
    expect(errorBody(missing.body).error).toMatchObject({ code: 'missing_parameter', param: 'input.version' });
    const wrong = await t.raw('POST', '/v1/workflows/release/runs', { key: a.key, body: { input: { service: 3, version: '1' } } });
    expect(errorBody(wrong.body).error).toMatchObject({ code: 'invalid_parameter', param: 'input.service' });
  });

  it('404 for an unknown workflow; the operator must name the agent', async () => {
    const unknown = await t.raw('POST', '/v1/workflows/nope-nope/runs', { key: a.key, body: { input: {} } });
    expect(unknown.status).toBe(404);
    const noAgent = await t.raw('POST', '/v1/workflows/release/runs', { key: t.op, body: { input: { service: 'x', version: '1' } } });
    expect(errorBody(noAgent.body).error).toMatchObject({ code: 'missing_parameter', param: 'agent_id' });
    const forB = await t.raw('POST', '/v1/workflows/release/runs', { key: a.key, body: { input: { service: 'x', version: '1' }, agent_id: b.id } });
    expect(forB.status).toBe(403);
  });

  it('a run stays on its version when a new one is deployed', async () => {
    const run = (await start(a.key)).body;
    deployWorkflow(t.app, { ...release, initial_context: { tests_passed: false, v2: true } });
    const newer = (await start(a.key)).body;
    expect(newer.version).toBe(2);
    const after = await step(a.key, run.id, 'submit_tests', { passed: true });
    expect(after.body).toMatchObject({ version: 1, state: 'testing' });
    expect(after.body.context).not.toHaveProperty('v2');
  });
});

describe('transitions', () => {
  it('set_context from arguments; by_guards links leave out failing guards and those reading $.arguments', async () => {
    const run = (await start(a.key)).body;
    const tested = await step(a.key, run.id, 'submit_tests', { passed: true });
    expect(tested.status).toBe(200);
    expect(tested.body.context).toMatchObject({ tests_passed: true });
    expect(tested.body.links.map((l) => l.transition)).toEqual(['request_review']);
    const failed = (await start(a.key)).body;
    const retest = await step(a.key, failed.id, 'submit_tests', { passed: false });
    expect(retest.body.links.map((l) => l.transition)).toEqual(['retest']);
  });

  it('arguments are checked by the transition schema (400 param arguments.passed)', async () => {
    const run = (await start(a.key)).body;
    const res = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/submit_tests`, { key: a.key, body: { arguments: { passed: 'yes' } } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('arguments.passed');
  });

  it('409 state_conflict with links for a transition that does not leave the state', async () => {
    const run = (await start(a.key)).body;
    const res = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/approve`, { key: a.key, body: {} });
    expect(res.status).toBe(409);
    const body = res.body as { error: { code: string; links: { transition: string }[] } };
    expect(body.error.code).toBe('state_conflict');
    expect(body.error.links.map((l) => l.transition)).toEqual(['submit_tests']);
  });

  it('422 guard_rejected with the guard, its reason and the legal links; nothing moves', async () => {
    const run = (await start(a.key)).body;
    await step(a.key, run.id, 'submit_tests', { passed: false });
    const res = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, { key: a.key, body: {} });
    expect(res.status).toBe(422);
    const err = (res.body as { error: { code: string; param: string; details: { reason: string; guard: unknown }; links: { transition: string }[] } }).error;
    expect(err).toMatchObject({ code: 'guard_rejected', param: 'guards[0]' });
    expect(err.details.reason).toMatch(/is false/);
    expect(err.details.guard).toEqual({ kind: 'expr', expr: '$.context.tests_passed == true' });
    expect(err.links.map((l) => l.transition)).toEqual(['retest']);
    expect((await t.api(a.key).answer('getWorkflowRun', { params: { id: run.id } })).body.state).toBe('testing');
  });

  it('human transitions refuse agent keys (403 actor_mismatch) before guards; operators pass to the guards', async () => {
    const run = (await start(a.key)).body;
    await step(a.key, run.id, 'submit_tests', { passed: true });
    await step(a.key, run.id, 'request_review');
    const byAgent = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/approve`, { key: a.key, body: {} });
    expect(byAgent.status).toBe(403);
    expect(errorBody(byAgent.body).error.code).toBe('actor_mismatch');
    const history = (await t.api(a.key).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data;
    expect(history.some((h) => h.transition === 'approve')).toBe(false);
    // The operator meets the evidence guard.
    const byOp = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/approve`, { key: t.op, body: {} });
    expect(byOp.status).toBe(422);
    expect(errorBody(byOp.body).error.code).toBe('guard_rejected');
    await t.api(a.key).answer('recordWorkflowEvidence', { params: { id: run.id }, body: { kind: 'review_note', data: { text: 'ok' } } });
    const approved = await step(t.op, run.id, 'approve');
    // deploying → verifying → done by deterministic transitions, in one step.
    expect(approved.body).toMatchObject({ state: 'done', status: 'completed', links: [] });
    const kinds = (await t.api(t.op).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data.filter((h) => h.kind === 'transitioned').map((h) => `${h.transition}:${h.actor}`);
    expect(kinds).toEqual(['submit_tests:agent:' + a.id, 'request_review:agent:' + a.id, `approve:operator:${kinds[2]!.split(':operator:')[1]}`, 'finish:system', 'verified:system']);
  });

  it('system and deterministic transitions refuse every API caller', async () => {
    const run = (await start(a.key)).body;
    await step(a.key, run.id, 'submit_tests', { passed: true });
    await step(a.key, run.id, 'request_review');
    const res = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/guarded`, { key: a.key, body: {} });
    // An error inside not (a missing path) is a rejection.
    expect(res.status).toBe(422);
    expect(errorBody(res.body).error.code).toBe('guard_rejected');
  });

  it('an agent cannot record the evidence kinds Warden writes itself', async () => {
    const run = (await start(a.key)).body;
    for (const kind of ['human_approval', 'cli_output', 'action_allowed', 'rest_response']) {
      const res = await t.raw('POST', `/v1/workflow-runs/${run.id}/evidence`, { key: a.key, body: { kind, data: {} } });
      expect(res.status, kind).toBe(403);
    }
    const ok = await t.api(a.key).answer('recordWorkflowEvidence', { params: { id: run.id }, body: { kind: 'tests', data: { passed: 12 } } });
    expect(ok.status).toBe(201);
    expect(ok.body.evidence).toEqual([expect.objectContaining({ kind: 'tests', data: { passed: 12 }, recorded_by: `agent:${a.id}`, operator_id: null })]);
  });
});

describe('reading, cancelling, row access', () => {
  it('an agent sees only its own runs; another agent’s run is 404', async () => {
    const mine = (await start(a.key)).body;
    const theirs = (await start(b.key)).body;
    const list = await t.api(a.key).answer('listWorkflowRuns', { query: {} });
    expect(list.body.data.every((r) => r.agent_id === a.id)).toBe(true);
    expect(list.body.data.some((r) => r.id === mine.id)).toBe(true);
    expect((await t.raw('GET', `/v1/workflow-runs/${theirs.id}`, { key: a.key })).status).toBe(404);
    expect((await t.raw('POST', `/v1/workflow-runs/${theirs.id}/transitions/submit_tests`, { key: a.key, body: { arguments: { passed: true } } })).status).toBe(404);
    expect((await t.raw('GET', `/v1/workflow-runs?agent_id=${b.id}`, { key: a.key })).status).toBe(403);
    const all = await t.api(t.op).answer('listWorkflowRuns', { query: { workflow: 'release', agent_id: b.id } });
    expect(all.body.data.map((r) => r.id)).toContain(theirs.id);
  });

  it('the operator cancels (reason kept); agents cannot; a cancelled run takes no step', async () => {
    const run = (await start(a.key)).body;
    expect((await t.raw('POST', `/v1/workflow-runs/${run.id}/cancel`, { key: a.key, body: { reason: 'x' } })).status).toBe(403);
    const cancelled = await t.api(t.op).answer('cancelWorkflowRun', { params: { id: run.id }, body: { reason: 'wrong service' } });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'wrong service', links: [] });
    const again = await t.raw('POST', `/v1/workflow-runs/${run.id}/cancel`, { key: t.op, body: { reason: 'x' } });
    expect(again.status).toBe(409);
    const stepped = await t.raw('POST', `/v1/workflow-runs/${run.id}/transitions/submit_tests`, { key: a.key, body: { arguments: { passed: true } } });
    expect(stepped.status).toBe(409);
    const filtered = await t.api(t.op).answer('listWorkflowRuns', { query: { status: 'cancelled' } });
    expect(filtered.body.data.map((r) => r.id)).toContain(run.id);
  });

  it('history lists every step and guard evaluation in order; each is audited', async () => {
    const run = (await start(a.key)).body;
    await step(a.key, run.id, 'submit_tests', { passed: true });
    await step(a.key, run.id, 'request_review');
    const history = (await t.api(a.key).answer('getWorkflowRunHistory', { params: { id: run.id } })).body.data;
    expect(history.map((h) => h.kind)).toEqual(['started', 'transitioned', 'guard_evaluated', 'transitioned']);
    expect(history[2]).toMatchObject({ transition: 'request_review', data: { path: 'guards[0]', passed: true } });
    const audit = await t.api(t.op).answer('listAudit', { query: { agent_id: a.id, limit: 500 } });
    const types = audit.body.data.filter((e) => e.subject_id === run.id).map((e) => e.event_type);
    expect(types).toEqual(expect.arrayContaining(['workflow_run.started', 'workflow_run.transitioned', 'workflow.guard_evaluated']));
  });

  it('deterministic chains are bounded: a loop (which definitions refuse) fails the run instead of spinning', async () => {
    deployWorkflow(t.app, {
      name: 'loop-flow',
      initial_state: 'ping',
      states: {
        ping: { transitions: { to_pong: { actor: 'deterministic', target: 'pong' } } },
        pong: { transitions: { to_ping: { actor: 'deterministic', target: 'ping' } } },
        end: { terminal: true },
      },
    });
    const run = await t.api(a.key).answer('startWorkflowRun', { params: { name: 'loop-flow' }, body: { input: {} } });
    expect(run.body.status).toBe('failed');
    expect(run.body.reason).toMatch(/more than 32 deterministic transitions in a row/);
  });

  it('a deterministic transition whose guards fail waits; it fires once they pass on a later entry', async () => {
    deployWorkflow(t.app, {
      name: 'gate-flow',
      initial_state: 'open',
      initial_context: { ready: false },
      states: {
        open: { transitions: { arm: { target: 'armed', set_context: { ready: '$.arguments.ready' } } } },
        armed: { transitions: { go: { actor: 'deterministic', target: 'gone', guards: [{ kind: 'expr', expr: '$.context.ready == true' }] }, back: { target: 'open' } } },
        gone: { terminal: true },
      },
    });
    const run = (await t.api(a.key).answer('startWorkflowRun', { params: { name: 'gate-flow' }, body: { input: {} } })).body;
    const notYet = await step(a.key, run.id, 'arm', { ready: false });
    expect(notYet.body).toMatchObject({ state: 'armed', status: 'active' });
    await step(a.key, run.id, 'back');
    const fired = await step(a.key, run.id, 'arm', { ready: true });
    expect(fired.body).toMatchObject({ state: 'gone', status: 'completed' });
  });
});
