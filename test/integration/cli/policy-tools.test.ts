/**
 * `warden policy apply` and the tools a file declares: a tool the server has only seen in
 * actions gets the file's categories (they decide approvals), shown as a diff and audited; a
 * declared tool the file describes differently fails the whole apply instead of being dropped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
let dir: string;

const tool = async (name: string) => (await t.api(t.op).call('listTools', { query: { limit: '100' } })).data.find((x: { name: string }) => x.name === name);
const declaredEvents = async () => (await t.api(t.op).call('listAudit', { query: { event_type: 'tool.declared', limit: '500' } })).data.length as number;
const writeFile = (name: string, doc: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, stringify(doc));
  return file;
};
/** What the policy layers decide for pay.x when every guardrail allows it. */
const decisionForPay = async () =>
  (await t.api(t.op).call('evaluateGuardrails', { body: { action: { tool: 'pay.x' }, policies: [{ rules: [{ tool: '*', decision: 'ALLOW' }] }] } })).decision;

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  dir = mkdtempSync(join(tmpdir(), 'warden-policy-tools-'));
  await t.api(t.op).call('updateGovernanceSettings', { body: { require_approval_for_external_comm: true } });
  await t.api(t.op).call('createTool', { body: { name: 'mail.send', description: 'outbound mail', categories: ['external_comm'] } });
  // pay.x enters the registry the way most tools do: an agent uses it.
  const agent = await t.agent('payer');
  expect((await t.api(agent.key).answer('createAction', { body: { tool: 'pay.x' } })).status).toBeLessThan(300);
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('policy apply and tools', () => {
  it('declares a seen tool with the file’s categories, shown as a diff and audited', async () => {
    expect(await tool('pay.x')).toMatchObject({ source: 'seen', categories: [] });
    expect(await decisionForPay()).toBe('ALLOW');
    const file = writeFile('pay.yaml', { tools: [{ name: 'pay.x', categories: ['external_comm'] }] });

    const dry = await cli(['policy', 'apply', file, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('tools:\n  ~ pay.x\n      source: seen → declared\n      categories: [] → ["external_comm"]\n');
    expect(dry.stdout).toContain('1 change, 0 unchanged.');
    expect((await tool('pay.x'))!.categories).toEqual([]);

    const before = await declaredEvents();
    const applied = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('declared pay.x');
    expect(await tool('pay.x')).toMatchObject({ source: 'declared', categories: ['external_comm'] });
    expect(await declaredEvents()).toBe(before + 1);
    // The categories now take effect: external communication needs approval.
    expect(await decisionForPay()).toBe('ALERT');

    const again = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(again.stdout).toMatch(/^0 changes, 1 unchanged\.\n$/);
  });

  it('leaves fields the file does not give alone, and compares categories as a set', async () => {
    await t.api(t.op).call('createTool', { body: { name: 'chat.post', categories: ['external_comm', 'public_writes'] } });
    const file = writeFile('same.yaml', { tools: [{ name: 'mail.send' }, { name: 'chat.post', categories: ['public_writes', 'external_comm'] }] });
    const r = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 changes, 2 unchanged\.\n$/);
  });

  it('refuses, changing nothing, when a declared tool differs from the file', async () => {
    const file = writeFile('declared.yaml', {
      tools: [{ name: 'mail.send', description: 'outbound mail', categories: ['external_comm', 'financial'] }],
      guardrails: [{ name: 'would-be-created', rules: [{ tool: 'x', decision: 'ALLOW' }] }],
    });
    const r = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tools[0]: mail.send is already declared and cannot be changed through the API');
    expect(r.stderr).toContain('categories: ["external_comm"] → ["external_comm","financial"]');
    expect((await tool('mail.send'))!.categories).toEqual(['external_comm']);
    expect((await t.api(t.op).call('listGuardrails')).data).toEqual([]);
  });
});
