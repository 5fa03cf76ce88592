/**
 * BLOCK rules and `always_ask` ALERT rules keep what they say through every way a policy is
 * written and read: create, read, versions, PATCH, `warden policy export` and `apply`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';
import { parse, stringify } from 'yaml';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let dir: string;

const RULES: RouteInput<Routes['createGuardrail']>['body']['rules'] = [
  { tool: 'shell.exec', expr: "$.args.command starts_with 'kubectl'", decision: 'ALERT', always_ask: true },
  { tool: 'fs.read', expr: "$.args.path contains '/.ssh/'", decision: 'BLOCK' },
  { tool: 'fs.read', decision: 'ALLOW' },
];

beforeAll(async () => {
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-decisions-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('BLOCK and always_ask rules round-trip', () => {
  let id: string;

  it('create and read return them as written; the first version has them too', async () => {
    const created = await t.api(t.op).answer('createGuardrail', { body: { name: 'ops-safety', rules: RULES } });
    expect(created.status).toBe(201);
    expect(created.body.rules).toEqual(RULES);
    id = created.body.id;
    expect((await t.api(t.op).answer('getGuardrail', { params: { id } })).body.rules).toEqual(RULES);
    expect((await t.api(t.op).answer('listGuardrailVersions', { params: { id } })).body.data[0]!.rules).toEqual(RULES);
  });

  it('PATCH mints a version; the older one still reads its BLOCK and always_ask rules', async () => {
    const next = [{ ...RULES[0]!, always_ask: false }, RULES[1]!, RULES[2]!];
    const patched = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { rules: next } });
    expect(patched.body.version).toBe(2);
    expect(patched.body.rules[0]!.always_ask).toBe(false);
    expect((await t.api(t.op).answer('getGuardrail', { params: { id }, query: { version: '1' } })).body.rules).toEqual(RULES);
    await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { rules: RULES } });
  });

  it('export writes them, apply of the export is no change, and apply changes always_ask and decisions', async () => {
    const env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
    const exported = await cli(['policy', 'export'], { env });
    expect(exported.code).toBe(0);
    const doc = parse(exported.stdout);
    const policy = doc.guardrails.find((g: { name: string }) => g.name === 'ops-safety');
    expect(policy.rules).toEqual(RULES);

    const file = join(dir, 'policies.yaml');
    writeFileSync(file, exported.stdout);
    const same = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 changes');

    policy.rules[2].decision = 'BLOCK';
    delete policy.rules[0].always_ask;
    writeFileSync(file, stringify(doc));
    const changed = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(changed.code).toBe(0);
    const read = (await t.api(t.op).answer('getGuardrail', { params: { id } })).body;
    expect(read.version).toBe(4);
    expect(read.rules[0]).toEqual({ tool: 'shell.exec', expr: "$.args.command starts_with 'kubectl'", decision: 'ALERT' });
    expect(read.rules[2]).toEqual({ tool: 'fs.read', decision: 'BLOCK' });

    policy.rules[2].always_ask = true;
    writeFileSync(file, stringify(doc));
    const refused = await cli(['policy', 'apply', file, '--yes'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('guardrails[0].rules[2].always_ask');
    expect((await t.api(t.op).answer('getGuardrail', { params: { id } })).body.version).toBe(4);
  });
});

describe('change notes', () => {
  it('a create and a rules change keep their note with the version; a note alone writes nothing', async () => {
    const created = await t.api(t.op).answer('createGuardrail', { body: { name: 'noted', rules: [{ tool: 'a.b', decision: 'ALERT' }], note: 'first cut' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const patched = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { rules: [{ tool: 'a.b', decision: 'BLOCK' }], note: '  a.b broke prod  ' } });
    expect(patched.body.version).toBe(2);
    const quiet = await t.api(t.op).answer('updateGuardrail', { params: { id }, body: { description: 'x', note: 'not a version' } });
    expect(quiet.body.version).toBe(2);
    const versions = (await t.api(t.op).answer('listGuardrailVersions', { params: { id } })).body.data;
    expect(versions.map((v: { version: number; version_note: string | null }) => [v.version, v.version_note])).toEqual([
      [2, 'a.b broke prod'],
      [1, 'first cut'],
    ]);
    const tooLong = await t.raw('PATCH', `/v1/guardrails/${id}`, { key: t.op, body: { rules: [{ tool: 'a.c', decision: 'BLOCK' }], note: 'x'.repeat(501) } });
    expect(tooLong.status).toBe(400);
    expect(errorBody(tooLong.body).error.param).toBe('note');
  });

  it('warden policy apply --note keeps the note with each version it writes', async () => {
    const env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
    const file = join(dir, 'noted.yaml');
    writeFileSync(file, stringify({ guardrails: [{ name: 'noted', rules: [{ tool: 'a.b', decision: 'ALLOW' }] }] }));
    const r = await cli(['policy', 'apply', file, '--yes', '--note', 'reviewed in PR 12'], { env });
    expect(r.code).toBe(0);
    const list = (await t.api(t.op).answer('listGuardrails')).body.data;
    const id = list.find((g: { name: string }) => g.name === 'noted')!.id;
    const latest = (await t.api(t.op).answer('listGuardrailVersions', { params: { id }, query: { limit: '1' } })).body.data[0];
    expect(latest).toMatchObject({ version: 3, version_note: 'reviewed in PR 12' });
  });
});
