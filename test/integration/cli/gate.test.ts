/** `warden gate policies|solutions|submit|review|waive|check` against a real server. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnforcementResult, GatePolicy, GateSubmission, Solution } from '../../../shared/api/gates.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
/** A second operator: the submitter never reviews its own submission. */
let reviewer: string;

const POLICY = {
  name: 'MCP server security review',
  category: 'security',
  severity: 'high',
  applicable_resource_types: ['mcp_server'],
  stages: [
    {
      id: 'security',
      name: 'Security review',
      gates: [
        { id: 'threat-model', type: 'checklist', questions: [{ id: 'paths', text: 'Which paths?', required: true }] },
        { id: 'security-signoff', type: 'approval', name: 'Security sign-off' },
      ],
    },
    { id: 'owner', name: 'Owner approval', gates: [{ id: 'owner-signoff', type: 'approval' }] },
  ],
};

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  reviewer = (await t.api(t.op).call('createOperator', { body: { name: 'security-lead' } })).token;
});
afterAll(async () => {
  await t?.close();
});

async function addPolicy(name: string, body: Record<string, unknown> = POLICY): Promise<z.infer<typeof GatePolicy>> {
  const path = join(t.dataDir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...body, name }));
  const r = await cli(['gate', 'policies', 'add', path, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return r.json(GatePolicy);
}

describe('warden gate', () => {
  it('policies add / list with filters / show; a bad policy is the server’s one line naming the field', async () => {
    const p = await addPolicy('prompt review', { ...POLICY, applicable_resource_types: ['prompt'] });
    const humanPath = join(t.dataDir, 'human.json');
    writeFileSync(humanPath, JSON.stringify({ ...POLICY, name: 'prompt review 2', applicable_resource_types: ['prompt', 'skill'], is_draft: true }));
    const human = await cli(['gate', 'policies', 'add', humanPath], { env });
    expect(human.stdout).toMatch(/^Created gate policy prompt review 2 \(gpol_\S+\), draft, governing prompt, skill\.\n$/);

    const list = await cli(['gate', 'policies', '--severity', 'high', '--active', 'true'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+CATEGORY\s+SEVERITY\s+GOVERNS\s+STAGES\s+STATE$/m);
    expect(list.stdout).toMatch(new RegExp(`^${p.id}\\s+prompt review\\s+security\\s+high\\s+prompt\\s+Security review → Owner approval\\s+active$`, 'm'));
    // A draft is listed as such (it gates nothing, whatever is_active says).
    expect(list.stdout).toMatch(/^gpol_\S+\s+prompt review 2\s+security\s+high\s+prompt,skill\s+.+\s+draft$/m);
    expect((await cli(['gate', 'policies', '--severity', 'low', '--json'], { env })).json()).toEqual([]);

    const show = await cli(['gate', 'policies', 'show', p.id], { env });
    expect(show.stdout).toContain('  stage 1 security "Security review"\n    threat-model checklist (paths), 1 approval\n    security-signoff "Security sign-off" approval, 1 approval\n');

    const badPath = join(t.dataDir, 'bad.json');
    writeFileSync(badPath, JSON.stringify({ ...POLICY, applicable_resource_types: ['spaceship'] }));
    const bad = await cli(['gate', 'policies', 'add', badPath], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^warden: .*\(invalid_parameter, param applicable_resource_types\[0\]\)\n$/);
  });

  it('a solution walks its stages: check blocks (exit 3), submit in order, review as another operator, conditional, then check allows', async () => {
    await addPolicy('walk review');
    const extra = await addPolicy('walk extra');
    const blocked = await cli(['gate', 'check', 'mcp_server', 'walkfs'], { env });
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toMatch(/^mcp_server walkfs: blocked\n/);
    expect(blocked.stdout).toContain('in no solution yet');

    const added = await cli(['gate', 'solutions', 'add', 'Walk', '--resource', 'mcp_server:walkfs', '--json'], { env });
    const sol = added.json(Solution);
    const show = await cli(['gate', 'solutions', 'show', 'Walk'], { env });
    expect(show.stdout).toMatch(/stage 1 security "Security review": open\n\s+threat-model \(checklist\): missing/);
    expect(show.stdout).toMatch(/stage 2 owner "Owner approval": locked/);

    // The gate id alone finds its policy when only one governing policy has it… but two do here.
    const ambiguous = await cli(['gate', 'submit', sol.id, 'threat-model', '--answer', 'paths=/srv'], { env });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^warden: gate "threat-model" is in several policies \(gpol_\S+, gpol_\S+\): pass --policy\n$/);

    const unanswered = await cli(['gate', 'submit', sol.id, 'threat-model', '--policy', 'walk review'], { env });
    expect(unanswered.code).toBe(1);
    expect(unanswered.stderr).toMatch(/^warden: .*param data\.answers\.paths\)\n$/);

    const tm = (await cli(['gate', 'submit', 'Walk', 'threat-model', '--policy', 'walk review', '--answer', 'paths=/srv read-only', '--json'], { env })).json(GateSubmission);
    expect(tm).toMatchObject({ status: 'submitted', data: { answers: { paths: '/srv read-only' } } });
    const early = await cli(['gate', 'submit', sol.id, 'owner-signoff', '--policy', 'walk review'], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^warden: .*before stage 1 \(Security review\) has passed \(state_conflict.*\)\n$/);

    const pending = await cli(['gate', 'review', '--token', reviewer], { env });
    expect(pending.stdout).toMatch(/^ID\s+SOLUTION\s+POLICY\s+STAGE\s+GATE\s+TYPE\s+SUBMITTED BY\s+AT$/m);
    expect(pending.stdout).toMatch(new RegExp(`^${tm.id}\\s+Walk\\s+walk review\\s+security\\s+threat-model\\s+checklist\\s`, 'm'));
    // The submitter's own list never holds its submission.
    expect((await cli(['gate', 'review', '--json'], { env })).json(z.array(GateSubmission)).map((s) => s.id)).not.toContain(tm.id);

    const approved = await cli(['gate', 'review', tm.id, 'approve', '--comment', 'paths checked', '--token', reviewer], { env });
    expect(approved.stdout).toMatch(new RegExp(`^${tm.id} Walk · walk review · security/threat-model: approved\\n$`));
    const twice = await cli(['gate', 'review', tm.id, 'deny', '--token', reviewer], { env });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^warden: .*\(already_resolved\)\n$/);

    const sign = (await cli(['gate', 'submit', sol.id, 'security-signoff', '--policy', 'walk review', '--json'], { env })).json(GateSubmission);
    await cli(['gate', 'review', sign.id, 'approve', '--token', reviewer], { env });
    const own = (await cli(['gate', 'submit', sol.id, 'owner-signoff', '--policy', 'walk review', '--json'], { env })).json(GateSubmission);
    const conditional = await cli(['gate', 'review', own.id, 'conditional', '--condition', 're-review on new tools', '--token', reviewer, '--json'], { env });
    expect(conditional.json(GateSubmission)).toMatchObject({ status: 'conditional', conditions: ['re-review on new tools'] });

    // The other policy governs mcp_server too and is not passed: still blocked, until it goes.
    const still = await cli(['gate', 'check', 'mcp_server:walkfs'], { env });
    expect(still.code).toBe(3);
    expect(still.stdout).toContain('walk extra (high) — Security review (stage 1 of 2), gate threat-model missing in solution');
    expect((await t.api(t.op).answer('deleteGatePolicy', { params: { id: extra.id } })).status).toBe(204);

    const allowed = await cli(['gate', 'check', 'mcp_server', 'walkfs', '--json'], { env });
    expect(allowed.code).toBe(0);
    expect(allowed.json(EnforcementResult)).toMatchObject({ allowed: true, solution_id: sol.id, conditions: ['re-review on new tools'] });
    const human = await cli(['gate', 'check', 'mcp_server', 'walkfs'], { env });
    expect(human.stdout).toBe(`mcp_server walkfs: allowed (through solution ${sol.id})\n  condition: re-review on new tools\n`);
    expect((await cli(['gate', 'solutions', '--status', 'approved_with_conditions'], { env })).stdout).toMatch(new RegExp(`^${sol.id}\\s+Walk\\s+approved_with_conditions\\s+mcp_server:walkfs\\s`, 'm'));
    const ungoverned = await cli(['gate', 'check', 'model', 'gpt-x'], { env });
    expect(ungoverned.stdout).toBe('model gpt-x: allowed (no active gate policy governs it)\n');
  });

  it('waive keeps its reason; a denied gate resubmits for a fresh review; show prints decisions', async () => {
    const p = await addPolicy('waive review', { ...POLICY, applicable_resource_types: ['model'], stages: [POLICY.stages[1]] });
    const sol = (await cli(['gate', 'solutions', 'add', 'Model X', '-r', 'model:x', '--json'], { env })).json(Solution);
    const first = (await cli(['gate', 'submit', sol.id, 'owner-signoff', '--json'], { env })).json(GateSubmission);
    expect(first.policy_id).toBe(p.id);
    const denied = await cli(['gate', 'review', first.id, 'deny', '--comment', 'no owner named', '--token', reviewer], { env });
    expect(denied.stdout).toContain(': denied');
    const shown = await cli(['gate', 'review', first.id], { env });
    expect(shown.stdout).toMatch(/\n {2}denied by security-lead at \S+ \S+ — no owner named\n/);

    const again = (await cli(['gate', 'submit', sol.id, 'owner-signoff', '--json'], { env })).json(GateSubmission);
    expect(again.id).not.toBe(first.id);
    const waived = await cli(['gate', 'waive', again.id, '--reason', 'owner is on leave, risk accepted'], { env });
    expect(waived.code, waived.stderr).toBe(0);
    expect(waived.stdout).toMatch(/: waived — reason kept in the audit\n$/);
    const json = (await cli(['gate', 'review', again.id, '--json'], { env })).json(GateSubmission);
    expect(json.waiver).toMatchObject({ reason: 'owner is on leave, risk accepted' });
    expect((await cli(['gate', 'check', 'model:x'], { env })).code).toBe(0);
  });
});
