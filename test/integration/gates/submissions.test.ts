/**
 * Gate submissions: stage order, checklist answers, evidence, decisions counted by distinct
 * operators (never the submitter; the solution's maker only with allow_self_approval), conditional
 * and waived passes, denials, resubmission, pending reviews, and two operators deciding at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardenEvent } from '../../../shared/events.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { onePolicy, securityPolicy } from './fixtures.js';

let t: TestApp;
let policyId: string;
/** Operators besides the owner: each decides with its own token. */
let alice: string;
let bob: string;
const events: WardenEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.app.bus.subscribe((e) => events.push(e));
  policyId = (await t.api(t.op).call('createGatePolicy', { body: securityPolicy() })).id;
  alice = ((await t.api(t.op).call('createOperator', { body: { name: 'alice' } })).token as string);
  bob = ((await t.api(t.op).call('createOperator', { body: { name: 'bob' } })).token as string);
});
afterAll(async () => {
  await t.close();
});

let servers = 0;
/** A solution the owner made holding a fresh MCP server. */
async function solution(key = t.op): Promise<string> {
  return (await t.api(key).call('createSolution', { body: { name: `server ${++servers}`, resources: [{ type: 'mcp_server', id: `srv-${servers}` }] } })).id;
}

const submit = (key: string, id: string, gate: string, data: Record<string, unknown> = {}, policy = policyId) =>
  t.raw('POST', `/v1/solutions/${id}/gates/${gate}/submit`, { key, body: { policy_id: policy, data } });
const decide = (key: string, id: string, body: Record<string, unknown>) => t.raw('POST', `/v1/gate-submissions/${id}/decision`, { key, body });
const statusOf = async (id: string) => (await t.api(t.op).call('getSolution', { params: { id } })).status;

describe('submitting', () => {
  it('opens a review of the open stage; a later stage answers 409 naming the open one', async () => {
    const id = await solution();
    const ahead = await submit(t.op, id, 'legal-check', { answers: { dpa: 'yes' } });
    expect(ahead.status).toBe(409);
    expect(errorBody(ahead.body).error).toMatchObject({ code: 'state_conflict' });
    expect(errorBody(ahead.body).error.message).toContain('stage 1 (Security review)');
    const sub = await submit(t.op, id, 'sec', { notes: 'please' });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ object: 'gate_submission', status: 'submitted', stage_id: 'security', gate_id: 'sec', decisions: [], conditions: [], required_approvals: 1 });
    expect(await statusOf(id)).toBe('in_review');
    expect(events.some((e) => e.type === 'gate_review.pending' && e.data.id === (sub.body as { id: string }).id)).toBe(true);
    // Awaiting review already: no second one.
    expect((await submit(t.op, id, 'sec')).status).toBe(409);
  });

  it('refuses unknown gates and policies that do not govern the solution', async () => {
    const id = await solution();
    expect((await submit(t.op, id, 'nope')).status).toBe(404);
    expect((await submit(t.op, id, 'sec', {}, 'gpol_nope')).status).toBe(404);
    const models = (await t.api(t.op).call('createGatePolicy', { body: onePolicy(['model']) })).id;
    const wrong = await submit(t.op, id, 'ok', {}, models);
    expect(wrong.status).toBe(400);
    expect(errorBody(wrong.body).error.param).toBe('policy_id');
    expect((await submit(t.op, 'sol_nope', 'sec')).status).toBe(404);
  });

  it('a checklist needs every required answer (400 naming it), then is reviewed like an approval', async () => {
    const id = await solution();
    const sub = (await submit(t.op, id, 'sec')).body as { id: string };
    await decide(alice, sub.id, { decision: 'approved' });
    const missing = await submit(t.op, id, 'legal-check', { answers: { notes: 'n/a' } });
    expect(missing.status).toBe(400);
    expect(errorBody(missing.body).error).toMatchObject({ code: 'missing_parameter', param: 'data.answers.dpa' });
    const blank = await submit(t.op, id, 'legal-check', { answers: { dpa: '   ' } });
    expect(errorBody(blank.body).error.param).toBe('data.answers.dpa');
    const unknown = await submit(t.op, id, 'legal-check', { answers: { dpa: 'yes', color: 'red' } });
    expect(errorBody(unknown.body).error.param).toBe('data.answers.color');
    const ok = await submit(t.op, id, 'legal-check', { answers: { dpa: 'signed 2026-01' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'submitted', stage_id: 'legal', data: { answers: { dpa: 'signed 2026-01' } } });
  });

  it('an evidence gate passes on evidence a workflow run recorded, checked against the run', async () => {
    const runs: Record<string, string[]> = { run_1: ['scan', 'test_report'], run_2: ['test_report'] };
    t.app.services.gates.useRunEvidence({ kindsOf: (id) => runs[id] });
    const evidence = (await t.api(t.op).call('createGatePolicy', {
      body: { name: 'scanned', category: 'security', severity: 'low', applicable_resource_types: ['workflow'], stages: [{ id: 'scan', name: 'Scan', gates: [{ id: 'proof', type: 'evidence', requires: ['scan'] }] }] },
    })).id;
    const id = (await t.api(t.op).call('createSolution', { body: { name: 'wf', resources: [{ type: 'workflow', id: 'wf_release' }] } })).id;
    const none = await submit(t.op, id, 'proof', {}, evidence);
    expect(errorBody(none.body).error).toMatchObject({ code: 'missing_parameter', param: 'data.evidence' });
    const unknownRun = await submit(t.op, id, 'proof', { evidence: [{ run_id: 'run_9', kind: 'scan' }] }, evidence);
    expect(errorBody(unknownRun.body).error.param).toBe('data.evidence[0].run_id');
    const wrongKind = await submit(t.op, id, 'proof', { evidence: [{ run_id: 'run_2', kind: 'scan' }] }, evidence);
    expect(errorBody(wrongKind.body).error.param).toBe('data.evidence[0].kind');
    const ok = await submit(t.op, id, 'proof', { evidence: [{ run_id: 'run_1', kind: 'scan' }] }, evidence);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'approved', gate_type: 'evidence' });
    expect(await statusOf(id)).toBe('approved');
    expect((await t.api(t.op).call('enforcementCheck', { query: { resource_type: 'workflow', resource_id: 'wf_release' } })).allowed).toBe(true);
  });
});

describe('deciding', () => {
  it('counts distinct operators toward required_approvals; the same operator twice is 409 already_resolved', async () => {
    const two = (await t.api(t.op).call('createGatePolicy', {
      body: { ...onePolicy(['prompt']), stages: [{ id: 'review', name: 'Review', gates: [{ id: 'two', type: 'approval', required_approvals: 2 }] }] },
    })).id;
    const id = (await t.api(t.op).call('createSolution', { body: { name: 'prompt', resources: [{ type: 'prompt', id: 'system-v2' }] } })).id;
    const sub = (await submit(t.op, id, 'two', {}, two)).body as { id: string };
    const first = await decide(alice, sub.id, { decision: 'approved', comments: 'fine by me' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'submitted', decisions: [{ decision: 'approved', operator_name: 'alice', comments: 'fine by me' }] });
    const again = await decide(alice, sub.id, { decision: 'approved' });
    expect(again.status).toBe(409);
    expect(errorBody(again.body).error.code).toBe('already_resolved');
    expect(await statusOf(id)).toBe('in_review');
    const second = await decide(bob, sub.id, { decision: 'approved' });
    expect(second.body).toMatchObject({ status: 'approved', resolved_at: expect.any(String) });
    expect(await statusOf(id)).toBe('approved');
    const late = await decide(t.op, sub.id, { decision: 'denied' });
    expect(errorBody(late.body).error.code).toBe('already_resolved');
  });

  it('the submitter never counts; the solution’s maker counts only with allow_self_approval', async () => {
    const id = await solution(alice);
    const byAlice = (await submit(alice, id, 'sec')).body as { id: string };
    const own = await decide(alice, byAlice.id, { decision: 'approved' });
    expect(own.status).toBe(403);
    expect(errorBody(own.body).error.code).toBe('insufficient_scope');

    // An agent submits on alice's solution: alice made it, so she may not approve it…
    const agent = await t.agent('gated-agent');
    const forAgent = (await t.api(alice).call('createSolution', { body: { name: 'agent review', resources: [{ type: 'mcp_server', id: 'srv-agent' }], agent_id: agent.id } })).id;
    const byAgent = (await submit(agent.key, forAgent, 'sec')).body as { id: string; submitted_by: string };
    expect(byAgent.submitted_by).toBe(`agent:${agent.id}`);
    expect((await t.api(alice).call('pendingReviews')).data.map((s) => s.id)).not.toContain(byAgent.id);
    expect((await decide(alice, byAgent.id, { decision: 'approved' })).status).toBe(403);
    // …until the setting allows it.
    await t.api(t.op).call('updateGovernanceSettings', { body: { allow_self_approval: true } });
    try {
      expect((await t.api(alice).call('pendingReviews')).data.map((s) => s.id)).toContain(byAgent.id);
      expect((await decide(alice, byAgent.id, { decision: 'approved' })).status).toBe(200);
      // The submitter still never counts.
      expect((await decide(alice, byAlice.id, { decision: 'approved' })).status).toBe(403);
    } finally {
      await t.api(t.op).call('updateGovernanceSettings', { body: { allow_self_approval: false } });
    }
    expect((await decide(bob, byAlice.id, { decision: 'approved' })).status).toBe(200);
  });

  it('a conditional approval needs conditions and counts as a pass, with its conditions', async () => {
    const id = await solution();
    const sub = (await submit(t.op, id, 'sec')).body as { id: string };
    const bare = await decide(alice, sub.id, { decision: 'conditional' });
    expect(bare.status).toBe(400);
    expect(errorBody(bare.body).error.param).toBe('conditions');
    expect((await decide(alice, sub.id, { decision: 'approved', conditions: ['x'] })).status).toBe(400);
    const ok = await decide(alice, sub.id, { decision: 'conditional', conditions: ['read-only mounts'] });
    expect(ok.body).toMatchObject({ status: 'conditional', conditions: ['read-only mounts'] });
    const legal = (await submit(t.op, id, 'legal-check', { answers: { dpa: 'yes' } })).body as { id: string };
    await decide(bob, legal.id, { decision: 'approved' });
    expect(await statusOf(id)).toBe('approved_with_conditions');
    const check = await t.api(t.op).call('enforcementCheck', { query: { resource_type: 'mcp_server', resource_id: `srv-${servers}` } });
    expect(check).toMatchObject({ allowed: true, conditions: ['read-only mounts'], solution_id: id });
  });

  it('a denial rejects; resubmitting opens a fresh review; a passed gate cannot be resubmitted', async () => {
    const id = await solution();
    const first = (await submit(t.op, id, 'sec')).body as { id: string };
    const denied = await decide(alice, first.id, { decision: 'denied', comments: 'no threat model' });
    expect(denied.body).toMatchObject({ status: 'denied' });
    expect(await statusOf(id)).toBe('rejected');
    const reqs = await t.api(t.op).call('getRequirements', { params: { id } });
    expect(reqs.policies[0]!.stages[0]!.gates[0]!.missing[0]).toContain('denied');
    const fresh = await submit(t.op, id, 'sec', { notes: 'threat model attached' });
    expect(fresh.status).toBe(201);
    const freshId = (fresh.body as { id: string }).id;
    expect(freshId).not.toBe(first.id);
    expect((await t.api(t.op).call('getGateSubmission', { params: { id: first.id } })).superseded_by).toBe(freshId);
    expect(await statusOf(id)).toBe('in_review');
    // The old review is closed; alice may decide the fresh one.
    expect(errorBody((await decide(bob, first.id, { decision: 'approved' })).body).error.code).toBe('already_resolved');
    expect((await decide(alice, freshId, { decision: 'approved' })).status).toBe(200);
    const again = await submit(t.op, id, 'sec');
    expect(again.status).toBe(409);
    expect(errorBody(again.body).error.message).toContain('already passed');
  });

  it('a denial in a later stage rejects a solution whose first stage was approved', async () => {
    const id = await solution();
    const sec = (await submit(t.op, id, 'sec')).body as { id: string };
    await decide(alice, sec.id, { decision: 'approved' });
    const legal = (await submit(t.op, id, 'legal-check', { answers: { dpa: 'no' } })).body as { id: string };
    await decide(bob, legal.id, { decision: 'denied' });
    expect(await statusOf(id)).toBe('rejected');
    const check = await t.api(t.op).call('enforcementCheck', { query: { resource_type: 'mcp_server', resource_id: `srv-${servers}` } });
    expect(check.allowed).toBe(false);
    expect(check.blocking[0]).toMatchObject({ stage_id: 'legal', status: 'denied', solution_id: id });
  });

  it('answers 404 for an unknown submission and 403 for an agent key', async () => {
    expect((await decide(alice, 'gsub_nope', { decision: 'approved' })).status).toBe(404);
    const agent = await t.agent('not-a-reviewer');
    const id = await solution();
    const sub = (await submit(t.op, id, 'sec')).body as { id: string };
    expect((await decide(agent.key, sub.id, { decision: 'approved' })).status).toBe(403);
    expect((await t.raw('POST', `/v1/gate-submissions/${sub.id}/waive`, { key: agent.key, body: { reason: 'because I said so' } })).status).toBe(403);
  });
});

describe('waiving', () => {
  it('needs a reason of 10 characters; the gate passes as waived, the reason kept and audited', async () => {
    const id = await solution();
    const sub = (await submit(t.op, id, 'sec')).body as { id: string };
    const short = await t.raw('POST', `/v1/gate-submissions/${sub.id}/waive`, { key: t.op, body: { reason: 'trust me' } });
    expect(short.status).toBe(400);
    expect(errorBody(short.body).error.param).toBe('reason');
    const waived = await t.api(t.op).answer('waiveGateSubmission', { params: { id: sub.id }, body: { reason: 'compensating control in SEC-1234' } });
    expect(waived.body).toMatchObject({ status: 'waived', waiver: { reason: 'compensating control in SEC-1234', by: expect.stringMatching(/^operator:/) } });
    expect((await t.raw('POST', `/v1/gate-submissions/${sub.id}/waive`, { key: t.op, body: { reason: 'once more, with feeling' } })).status).toBe(409);
    const reqs = await t.api(t.op).call('getRequirements', { params: { id } });
    expect(reqs.policies[0]!.stages.map((s) => s.status)).toEqual(['passed', 'open']);
    const audit = await t.api(t.op).call('listAudit', { query: { event_type: 'gate.waived' } });
    expect(audit.data[0]).toMatchObject({ subject_id: sub.id, entity_type: 'gate_submission', data: { reason: 'compensating control in SEC-1234' } });
  });
});

describe('pending reviews', () => {
  it('lists what the caller may still decide: not its own submissions, not what it decided', async () => {
    const id = await solution(bob);
    const sub = (await submit(bob, id, 'sec')).body as { id: string };
    const pending = async (key: string) => (await t.api(key).call('pendingReviews')).data.map((s) => s.id);
    expect(await pending(alice)).toContain(sub.id);
    expect(await pending(bob)).not.toContain(sub.id);
    await decide(alice, sub.id, { decision: 'approved' });
    expect(await pending(alice)).not.toContain(sub.id);
    expect(await pending(t.op)).not.toContain(sub.id);
    const agent = await t.agent('no-inbox');
    expect((await t.raw('GET', '/v1/gate-submissions/pending-reviews', { key: agent.key })).status).toBe(403);
    expect(events.some((e) => e.type === 'gate_review.decided' && e.data.id === sub.id && e.data.status === 'approved')).toBe(true);
  });
});

describe('two operators deciding one submission at once', () => {
  it('get exactly one outcome', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await solution();
      const sub = (await submit(t.op, id, 'sec')).body as { id: string };
      const [a, b] = await Promise.all([decide(alice, sub.id, { decision: 'approved' }), decide(bob, sub.id, { decision: 'denied', comments: 'no' })]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const winner = (a.status === 200 ? a : b).body as { status: string };
      const stored = await t.api(t.op).call('getGateSubmission', { params: { id: sub.id } });
      expect(stored.decisions).toHaveLength(1);
      expect(stored.status).toBe(winner.status);
      expect(await statusOf(id)).toBe(winner.status === 'approved' ? 'in_review' : 'rejected');
    }
  });
});
