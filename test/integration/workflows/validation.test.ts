/**
 * Whole-definition validation through POST /v1/workflows: one case per error class, each
 * checking `param` as a path into the definition, and that nothing was stored.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

const releaseYaml = readFileSync(new URL('../../fixtures/workflows/release.yaml', import.meta.url), 'utf8');
type Def = Record<string, any>;
const release = (): Def => parse(releaseYaml) as Def;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function refused(definition: unknown): Promise<{ code: string; param: string | undefined; message: string }> {
  const res = await t.raw('POST', '/v1/workflows', { key: t.op, body: { definition } });
  expect(res.status).toBe(400);
  const { error } = errorBody(res.body);
  return { code: error.code, param: error.param, message: error.message };
}

const cases: [string, (d: Def) => void, string, RegExp][] = [
  ['an unknown target', (d) => (d.states.review.transitions.approve.target = 'shipped'), 'states.review.transitions.approve.target', /no state named shipped/],
  ['initial_state missing from states', (d) => (d.initial_state = 'drafting'), 'initial_state', /not one of the states/],
  ['no terminal state reachable', (d) => {
    d.states.done.terminal = false;
    d.states.done.transitions = { again: { target: 'building' } };
    d.states.rejected.terminal = false;
    d.states.rejected.transitions = { again: { target: 'building' } };
  }, 'states', /no terminal state is reachable/],
  ['a bad expr', (d) => (d.states.testing.transitions.request_review.guards[0].expr = '$.context.tests_passed === true'), 'states.testing.transitions.request_review.guards[0].expr', /expr/],
  ['an expr reading a guardrail root', (d) => (d.states.testing.transitions.request_review.guards[0].expr = '$.agent.role == "dev"'), 'states.testing.transitions.request_review.guards[0].expr', /unknown path root "\$\.agent"/],
  ['a bad expr nested in not/all_of', (d) => (d.states.testing.transitions.request_review.guards = [{ kind: 'not', guard: { kind: 'all_of', guards: [{ kind: 'role', role: 'x' }, { kind: 'expr', expr: '$.context.x ==' }] } }]), 'states.testing.transitions.request_review.guards[0].guard.guards[1].expr', /expr/],
  ['a workflow input schema that does not compile', (d) => (d.input_schema = { type: 'objekt' }), 'input_schema', /not a valid JSON Schema/],
  ['a transition schema with an unknown keyword', (d) => (d.states.building.transitions.submit_tests.input_schema = { type: 'object', requierd: ['passed'] }), 'states.building.transitions.submit_tests.input_schema', /requierd/],
  ['an unknown guard kind', (d) => (d.states.review.transitions.approve.guards = [{ kind: 'vibes' }]), 'states.review.transitions.approve.guards[0].kind', /./],
  ['an unknown executor kind', (d) => (d.states.testing.transitions.request_review.executor = { kind: 'carrier_pigeon' }), 'states.testing.transitions.request_review.executor.kind', /./],
  ['an evidence count of zero', (d) => (d.states.review.transitions.approve.guards[0].requires[0].count = 0), 'states.review.transitions.approve.guards[0].requires[0].count', /./],
  ['a cycle of deterministic transitions', (d) => {
    d.states.deploying.transitions = { finish: { actor: 'deterministic', target: 'verifying' } };
    d.states.verifying = { transitions: { back: { actor: 'deterministic', target: 'deploying' }, done: { target: 'done' } } };
  }, 'states.deploying.transitions.finish.actor', /cycle \(deploying → verifying → deploying\)/],
  ['a terminal state with transitions', (d) => (d.states.done.transitions = { reopen: { target: 'building' } }), 'states.done.transitions', /terminal/],
  ['an unknown field', (d) => (d.states.review.transitions.approve.gaurds = []), 'states.review.transitions.approve.gaurds', /unknown field/],
  ['a set_context path with a typo', (d) => (d.states.building.transitions.submit_tests.set_context.tests_passed = '$.argument.passed'), 'states.building.transitions.submit_tests.set_context.tests_passed', /not a path a run has/],
  ['an executor arg path under no root', (d) => (d.states.deploying.on_enter.executor.args.service = '$.input.service'), 'states.deploying.on_enter.executor.args.service', /not a path a run has/],
  ['a prompt placeholder naming nothing', (d) => (d.states.testing.transitions.request_review.executor.prompt = 'Review {{inputs.service}}'), 'states.testing.transitions.request_review.executor.prompt', /placeholder \{\{inputs\.service\}\}/],
  ['a name the API reserves', (d) => (d.name = 'from-template'), 'name', /reserved/],
  ['output without an executor', (d) => (d.states.building.transitions.submit_tests.output = { x: '$.output.x' }), 'states.building.transitions.submit_tests.output', /no executor/],
];

describe('definition validation', () => {
  it.each(cases)('refuses %s with its param', async (_name, mutate, param, message) => {
    const d = release();
    mutate(d);
    const error = await refused(d);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(['invalid_parameter', 'missing_parameter']).toContain(error.code);
  });

  it('names a missing required field as missing_parameter', async () => {
    const d = release();
    delete d.states.review.transitions.approve.target;
    expect(await refused(d)).toMatchObject({ code: 'missing_parameter', param: 'states.review.transitions.approve.target' });
  });

  it('stored nothing for any refused definition', async () => {
    const list = await t.api(t.op).call('listWorkflows', { query: { include_deleted: 'true' } });
    expect(list.data).toEqual([]);
  });

  it('keeps unreachable states as warnings on the version, not errors', async () => {
    const d = release();
    d.name = 'release-warned';
    d.states.orphan = { transitions: { go: { target: 'done' } } };
    const created = await t.api(t.op).call('createWorkflow', { body: { definition: d } });
    expect(created.warnings).toEqual([{ param: 'states.orphan', message: expect.stringMatching(/cannot be reached from building/) as string }]);
    const versions = await t.api(t.op).call('listWorkflowVersions', { params: { name: 'release-warned' } });
    expect(versions.data[0]?.warnings).toEqual(created.warnings);
  });

  it('answers a YAML syntax error with its line', async () => {
    const broken = releaseYaml.replace('initial_state: building', 'initial_state: [building');
    const res = await t.raw('POST', '/v1/workflows', { key: t.op, rawBody: broken, headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
    const { error } = errorBody(res.body);
    expect(error.param).toBe('definition');
    expect(error.message).toMatch(/YAML does not parse: .*line \d+, column \d+/);
  });

  it.each([
    ['nesting thousands of levels deep', `name: deep\ninitial_state: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /nests deeper|does not parse/],
    ['an alias bomb', ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n'), /does not parse/],
  ])('refuses YAML %s as a 400, not a crash', async (_what, text, message) => {
    const res = await t.raw('POST', '/v1/workflows', { key: t.op, rawBody: text, headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ param: 'definition', message: expect.stringMatching(message) as string });
  });

  it('checks YAML bodies the same way, with the same param', async () => {
    const res = await t.raw('POST', '/v1/workflows', {
      key: t.op,
      rawBody: releaseYaml.replace('target: deploying', 'target: deploy'),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('states.review.transitions.approve.target');
  });
});
