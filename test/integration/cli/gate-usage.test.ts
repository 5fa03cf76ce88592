/** `warden gate …` refuses bad input with one line on stderr and exit 2, before asking the server anything. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
});
afterAll(async () => {
  await t?.close();
});

describe('warden gate: bad input', () => {
  it.each([
    [['gate', 'check', 'filesystem'], /^warden: a resource is TYPE:ID such as mcp_server:filesystem, got "filesystem"\n$/],
    [['gate', 'policies', '--severity', 'urgent'], /^warden: --severity must be one of low, medium, high, critical, got "urgent"\n$/],
    [['gate', 'policies', '--active', 'maybe'], /^warden: --active must be true or false, got "maybe"\n$/],
    [['gate', 'solutions', '--status', 'done'], /^warden: --status must be one of draft, in_review, approved, approved_with_conditions, rejected, got "done"\n$/],
    [['gate', 'solutions', 'add', 'x'], /^warden: name at least one --resource TYPE:ID\n$/],
    [['gate', 'solutions', 'add', 'x', '--resource', 'mcp_server'], /^warden: a resource is TYPE:ID such as mcp_server:filesystem, got "mcp_server"\n$/],
    [['gate', 'review', 'gsub_1', 'maybe'], /^warden: decision must be approve, deny or conditional, got "maybe"\n$/],
    [['gate', 'review', 'gsub_1', 'conditional'], /^warden: a conditional approval needs at least one --condition\n$/],
    [['gate', 'review', 'gsub_1', 'approve', '--condition', 'x'], /^warden: --condition goes with the decision conditional only\n$/],
    [['gate', 'review', '--comment', 'hi'], /^warden: --comment and --condition go with a submission id and a decision\n$/],
    [['gate', 'waive', 'gsub_1', '--reason', 'because'], /^warden: --reason must say why in at least 10 characters\n$/],
    [['gate', 'submit', 'sol_1', 'g1', '--answer', 'no-equals'], /^warden: an answer is QUESTION_ID=TEXT, got "no-equals"\n$/],
    [['gate', 'submit', 'sol_1', 'g1', '--evidence', 'wrun_1'], /^warden: evidence is RUN_ID:KIND such as wrun_123:sast_report, got "wrun_1"\n$/],
    [['gate', 'submit', 'sol_1', 'g1', '--data', '[1]'], /^warden: --data must be a JSON object\n$/],
    [['gate', 'policies', 'add', '/nonexistent/policy.json'], /^warden: cannot read policy file \/nonexistent\/policy.json: ENOENT\n$/],
  ])('%j', async (args, message) => {
    const r = await cli(args, { env });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a policy file that is not JSON is named with the parser’s complaint', async () => {
    const path = join(t.dataDir, 'bad-policy.json');
    writeFileSync(path, '{"name": ');
    const r = await cli(['gate', 'policies', 'add', path], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^warden: policy file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON: .+\\n$`));
  });

  it('waive without --reason is a usage error from the option parser', async () => {
    const r = await cli(['gate', 'waive', 'gsub_1'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--reason <text>' not specified");
  });
});
