/** `warden policy export|apply|test` against a real server: policies as code, round trips and CI tables. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parse, stringify } from 'yaml';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
let dir: string;
let agentId: string;

async function guardrail(name: string) {
  const list = await t.api(t.op).call('listGuardrails', { query: { limit: '500' } });
  return list.data.find((g: { name: string }) => g.name === name);
}

async function auditCount(types: string) {
  const res = await t.api(t.op).call('listAudit', { query: { event_type: types, limit: '500' } });
  return res.data.length as number;
}

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  dir = mkdtempSync(join(tmpdir(), 'warden-policy-cli-'));
  agentId = (await t.agent('refund-bot', { role: 'support' })).id;
  await t.api(t.op).call('createTool', { body: { name: 'http.request', description: 'outbound HTTP' } });
  await t.api(t.op).call('createTool', { body: { name: 'shell.exec' } });
  await t.api(t.op).call('createToolPolicy', { body: { tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['api.example.com', '*.stripe.com'] } } });
  await t.api(t.op).call('createRoleOverride', { body: { role: 'intern', tool_name: 'shell.exec', allowed: false } });
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'refund-ceiling',
    description: 'refunds need a human; above $250 never',
    rules: [{ tool: 'order.refund', max_value: 250, decision: 'ALERT' }],
  } });
  await t.api(t.op).call('createGuardrail', { body: {
    name: 'shell-safe',
    rules: [
      { tool: 'shell.exec', expr: "$.args.command starts_with 'npm test'", decision: 'ALLOW' },
      { tool: 'fs.read', decision: 'ALLOW' },
    ],
  } });
  await t.api(t.op).call('updateGovernanceSettings', { body: { approval_ttl_seconds: 600, category_flags: { financial: true } } });
  await t.api(t.op).call('updateQuota', { body: { runs_per_hour: 120 } });
  await t.api(t.op).call('updateQuota', { body: { agent_id: agentId, concurrent_executions: 2 } });
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('policy export', () => {
  it('writes every guardrail, tool, tool policy, role override, setting and quota as one YAML file', async () => {
    const r = await cli(['policy', 'export'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Warden policies, exported from /);
    const doc = parse(r.stdout);
    expect(doc.warden_policy).toBe(1);
    expect(doc.guardrails.map((g: { name: string }) => g.name)).toEqual(['refund-ceiling', 'shell-safe']);
    expect(doc.guardrails[0]).toEqual({
      name: 'refund-ceiling',
      description: 'refunds need a human; above $250 never',
      status: 'active',
      rules: [{ tool: 'order.refund', max_value: 250, decision: 'ALERT' }],
    });
    expect(doc.guardrails[1].rules[0].expr).toBe("$.args.command starts_with 'npm test'");
    expect(doc.tool_policies).toEqual([{ tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['api.example.com', '*.stripe.com'] } }]);
    expect(doc.role_overrides).toEqual([{ role: 'intern', tool_name: 'shell.exec', allowed: false }]);
    expect(doc.tools).toEqual(expect.arrayContaining([{ name: 'http.request', description: 'outbound HTTP' }, { name: 'shell.exec' }]));
    expect(doc.settings).toMatchObject({ approval_ttl_seconds: 600, category_flags: { financial: true }, unmatched_decision: 'ALERT' });
    expect(doc.quota).toEqual({ overrides: { runs_per_hour: 120 }, agents: [{ agent: 'refund-bot', overrides: { concurrent_executions: 2 } }] });

    const toFile = await cli(['policy', 'export', '-o', join(dir, 'exported.yaml')], { env });
    expect(toFile.code).toBe(0);
    expect(parse(readFileSync(join(dir, 'exported.yaml'), 'utf8'))).toEqual(doc);
  });
});

describe('policy apply', () => {
  it('export → apply is a no-op: no change, no new version, no audit row', async () => {
    const file = join(dir, 'roundtrip.yaml');
    expect((await cli(['policy', 'export', '-o', file], { env })).code).toBe(0);
    const before = await auditCount('policy.*,settings.updated,quota.updated');
    const r = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 changes, \d+ unchanged\.\n$/);
    expect(await auditCount('policy.*,settings.updated,quota.updated')).toBe(before);
    expect((await guardrail('shell-safe'))!.version).toBe(1);
  });

  it('shows the diff, changes nothing on --dry-run, then applies: a new version only where rules changed', async () => {
    const doc = parse((await cli(['policy', 'export'], { env })).stdout);
    doc.guardrails[1].rules[0] = { tool: 'shell.exec', expr: "$.args.command starts_with 'npm run lint'", decision: 'ALLOW' };
    doc.guardrails.push({ name: 'mail-asks', rules: [{ tool: 'email.send', decision: 'ALERT' }] });
    doc.settings.approval_ttl_seconds = 900;
    doc.quota.overrides = {};
    const file = join(dir, 'changed.yaml');
    writeFileSync(file, stringify(doc));

    const dry = await cli(['policy', 'apply', file, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('guardrails:');
    expect(dry.stdout).toContain('~ shell-safe');
    expect(dry.stdout).toContain('rules changed: v1 → v2');
    expect(dry.stdout).toContain(`- rules[0]: {"decision":"ALLOW","expr":"$.args.command starts_with 'npm test'","tool":"shell.exec"}`);
    expect(dry.stdout).toContain(`+ rules[0]: {"decision":"ALLOW","expr":"$.args.command starts_with 'npm run lint'","tool":"shell.exec"}`);
    expect(dry.stdout).not.toContain('rules[1]');
    expect(dry.stdout).toContain('+ mail-asks (new)');
    expect(dry.stdout).toContain('approval_ttl_seconds: 600 → 900');
    expect(dry.stdout).toContain('runs_per_hour: 120 → (default)');
    expect(dry.stdout).not.toContain('refund-ceiling');
    expect(dry.stdout).toContain('4 changes');
    expect((await guardrail('shell-safe'))!.version).toBe(1);
    expect(await guardrail('mail-asks')).toBeUndefined();

    // Not a terminal and no --yes: refuses rather than guessing.
    const unconfirmed = await cli(['policy', 'apply', file], { env });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('refusing to apply without --yes');
    expect((await guardrail('shell-safe'))!.version).toBe(1);

    const applied = await cli(['policy', 'apply', file, '--yes', '--json'], { env });
    expect(applied.code).toBe(0);
    expect(applied.json()).toMatchObject({ applied: true, changes: expect.any(Array) });
    expect(applied.json(z.object({ changes: z.array(z.unknown()) })).changes).toHaveLength(4);
    expect((await guardrail('shell-safe'))!.version).toBe(2);
    expect((await guardrail('refund-ceiling'))!.version).toBe(1);
    expect((await guardrail('mail-asks'))!.version).toBe(1);
    expect((await t.api(t.op).call('getGovernanceSettings')).approval_ttl_seconds).toBe(900);
    expect((await t.api(t.op).call('getQuota')).overrides.runs_per_hour).toBeUndefined();

    const again = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(again.stdout).toMatch(/^0 changes/);
    expect((await guardrail('shell-safe'))!.version).toBe(2);
  });

  it('keeps what the file does not list unless --prune', async () => {
    const doc = parse((await cli(['policy', 'export'], { env })).stdout);
    doc.guardrails = doc.guardrails.filter((g: { name: string }) => g.name !== 'mail-asks');
    const file = join(dir, 'pruned.yaml');
    writeFileSync(file, stringify(doc));
    const kept = await cli(['policy', 'apply', file, '--dry-run'], { env });
    expect(kept.stdout).toContain('= guardrail mail-asks: not in the file, kept (--prune deletes it)');
    expect(kept.stdout).toContain('0 changes');
    const pruned = await cli(['policy', 'apply', file, '--yes', '--prune'], { env });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('- mail-asks (delete)');
    expect(await guardrail('mail-asks')).toBeUndefined();
  });

  it('rejects an invalid file with the path of the problem, and changes nothing', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'guardrails:\n  - name: bad-one\n    rules:\n      - tool: x\n        decision: DENY\n');
    const r = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warden: .*bad\.yaml:5: guardrails\[0\]\.rules\[0\]\.decision: /);
    expect(await guardrail('bad-one')).toBeUndefined();

    writeFileSync(file, 'tool_policies:\n  - { tool_name: no.such.tool, allowed: false }\nguardrails:\n  - name: would-be-created\n    rules: [{ tool: x, decision: ALLOW }]\n');
    const unknownTool = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(unknownTool.code).toBe(1);
    expect(unknownTool.stderr).toContain('tool_policies[0].tool_name: no.such.tool is not a tool Warden knows');
    expect(await guardrail('would-be-created')).toBeUndefined();

    writeFileSync(file, 'guardrails: [\n');
    expect((await cli(['policy', 'apply', file], { env })).stderr).toContain('is not valid YAML');
    expect((await cli(['policy', 'apply', join(dir, 'missing.yaml')], { env })).stderr).toContain('cannot read policy file');
  });
});

describe('policy test', () => {
  it('prints pass per case and exits 0 when every decision matches', async () => {
    const cases = join(dir, 'cases.yaml');
    writeFileSync(
      cases,
      stringify({
        cases: [
          { name: 'small refund asks a human', action: { tool: 'order.refund', value: 180 }, expect: 'ALERT' },
          { name: 'big refund is blocked', action: { tool: 'order.refund', value: 300 }, expect: { decision: 'BLOCK', block_code: 'constraint_failed', matched: ['refund-ceiling'] } },
          { name: 'lint runs', agent: 'refund-bot', action: { tool: 'shell.exec', args: { command: 'npm run lint' } }, expect: 'ALLOW' },
        ],
      }),
    );
    const r = await cli(['policy', 'test', cases], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^RESULT\s+CASE\s+EXPECTED\s+GOT\s+EXPLANATION$/);
    expect(r.stdout).toMatch(/PASS\s+big refund is blocked\s+BLOCK \(constraint_failed\) \[refund-ceiling\]\s+BLOCK \(constraint_failed\) \[refund-ceiling\]/);
    expect(r.stdout).toContain('3 cases: 3 passed, 0 failed');
  });

  it('exits 1 on a mismatch and says what it got', async () => {
    const cases = join(dir, 'failing.yaml');
    writeFileSync(
      cases,
      stringify([
        { name: 'refund 180 allowed?', action: { tool: 'order.refund', value: 180 }, expect: 'ALLOW' },
        { action: { tool: 'order.refund', value: 10 }, expect: 'ALERT' },
      ]),
    );
    const r = await cli(['policy', 'test', cases], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+refund 180 allowed\?\s+ALLOW\s+ALERT/);
    expect(r.stdout).toMatch(/PASS\s+case 2 \(order\.refund\)/);
    expect(r.stdout).toContain('2 cases: 1 passed, 1 failed');

    const json = await cli(['policy', 'test', cases, '--json'], { env });
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ passed: 1, failed: 1 });
  });

  it('--policies tests a policy file before it is applied', async () => {
    const doc = parse((await cli(['policy', 'export'], { env })).stdout);
    doc.guardrails[0].rules = [{ tool: 'order.refund', max_value: 500, decision: 'ALLOW' }];
    const policies = join(dir, 'proposed.yaml');
    writeFileSync(policies, stringify(doc));
    const cases = join(dir, 'proposed-cases.yaml');
    writeFileSync(cases, stringify({ policies: 'proposed.yaml', cases: [{ action: { tool: 'order.refund', value: 300 }, expect: 'ALLOW' }] }));
    const r = await cli(['policy', 'test', cases], { env });
    expect(r.stdout).toContain('1 case: 1 passed, 0 failed');
    expect(r.code).toBe(0);
    // The server itself still runs the stored policy.
    const live = await cli(['policy', 'test', cases, '--policies', join(dir, 'roundtrip.yaml')], { env });
    expect(live.code).toBe(1);
  });

  it('an agent key with guardrails:read can run the tests (for CI)', async () => {
    const { key } = await t.agent('ci-bot');
    const cases = join(dir, 'ci.yaml');
    writeFileSync(cases, stringify([{ action: { tool: 'order.refund', value: 300 }, expect: 'BLOCK' }]));
    const r = await cli(['policy', 'test', cases], { env: { WARDEN_URL: t.url, WARDEN_KEY: key } });
    expect(r.code).toBe(0);
  });
});
