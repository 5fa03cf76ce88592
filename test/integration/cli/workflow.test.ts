/**
 * `warden workflow apply|list|show|versions|rollback|import` against a real server: human output
 * and `--json`, one-line errors naming the file and the path in the definition, non-zero exits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

const releaseYaml = readFileSync(new URL('../../fixtures/workflows/release.yaml', import.meta.url), 'utf8');
const expensePath = new URL('../../fixtures/workflows/expense-approval.flowgate.yaml', import.meta.url).pathname;

let t: TestApp;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  dir = mkdtempSync(join(tmpdir(), 'warden-workflow-cli-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('warden workflow', () => {
  it('apply creates, deploys a changed file as the next version, and an unchanged one as none', async () => {
    const path = file('release.yaml', releaseYaml);
    const first = await cli(['workflow', 'apply', path, '-m', 'first'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('Workflow release deployed as version 1.\n');

    const same = await cli(['workflow', 'apply', path], { env });
    expect(same.stdout).toMatch(/unchanged \(version 1\)/);

    writeFileSync(path, releaseYaml.replace('Ship a change to production', 'Ship it'));
    const second = await cli(['workflow', 'apply', path, '--json', '-m', 'shorter'], { env });
    expect(second.code).toBe(0);
    expect(second.json(z.object({ version: z.number(), changed: z.boolean(), message: z.string() }))).toEqual({ version: 2, changed: true, message: 'shorter' });
  });

  it('apply reports a bad definition in one line naming the file and the path, exit 1', async () => {
    const path = file('bad.yaml', releaseYaml.replace('name: release', 'name: broken').replace('target: deploying', 'target: nowhere'));
    const r = await cli(['workflow', 'apply', path], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${path}: `);
    expect(r.stderr).toContain('param states.review.transitions.approve.target');
  });

  it('apply points a reference-format file at import', async () => {
    const r = await cli(['workflow', 'apply', expensePath], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warden workflow import FILE.*param workflows/);
  });

  it('apply reports a YAML syntax error with its line', async () => {
    const path = file('syntax.yaml', 'name: x\nstates: [a\n');
    const r = await cli(['workflow', 'apply', path], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line \d+, column \d+/);
  });

  it('apply refuses a file it cannot read', async () => {
    const r = await cli(['workflow', 'apply', join(dir, 'missing.yaml')], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warden: cannot read .*missing\.yaml: ENOENT\n$/);
  });

  it('list, versions and show', async () => {
    const list = await cli(['workflow', 'list'], { env });
    expect(list.stdout).toMatch(/^NAME\s+VERSION/);
    expect(list.stdout).toMatch(/release\s+2\s/);
    const listJson = await cli(['workflow', 'list', '--json'], { env });
    expect(listJson.json(z.array(z.object({ name: z.string() }))).map((w) => w.name)).toEqual(['release']);

    const versions = await cli(['workflow', 'versions', 'release'], { env });
    const lines = versions.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^2\s.*shorter$/);
    expect(lines[2]).toMatch(/^1\s.*first$/);

    const show = await cli(['workflow', 'show', 'release', '--version', '1'], { env });
    expect(show.stdout).toBe(releaseYaml);
    const showJson = await cli(['workflow', 'show', 'release', '--json'], { env });
    expect(showJson.json(z.object({ version: z.number(), source: z.string() })).version).toBe(2);
  });

  it('rollback makes a new version from the old one', async () => {
    const r = await cli(['workflow', 'rollback', 'release', '1', '-m', 'undo'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Workflow release rolled back to version 1's definition as version 3.\n");
    const json = await cli(['workflow', 'rollback', 'release', '2', '--json'], { env });
    expect(json.json(z.object({ new_version: z.number(), rolled_back_from: z.number() }))).toMatchObject({ new_version: 4, rolled_back_from: 2 });
    const bad = await cli(['workflow', 'rollback', 'release', 'two'], { env });
    expect(bad.code).toBe(2);
    const missing = await cli(['workflow', 'rollback', 'release', '99'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^warden: workflow release has no version 99 \(not_found, param version\)\n$/);
  });

  it('show of an unknown workflow fails in one line', async () => {
    const r = await cli(['workflow', 'show', 'nope'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warden: no workflow named nope (not_found)\n');
  });

  it('delete stops new runs and keeps the versions', async () => {
    const r = await cli(['workflow', 'delete', 'release'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Workflow release deleted: no new runs start; its 4 versions and running runs stay.\n');
    expect(t.app.services.workflows?.catalog.isDeleted('release')).toBe(true);
    const again = await cli(['workflow', 'delete', 'release'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^warden: workflow release was deleted at .* \(state_conflict, param name\)\n$/);
    expect((await cli(['workflow', 'list', '--deleted'], { env })).stdout).toMatch(/release\s+4\s.*deleted/);
  });

  it('import converts the reference format and names what it could not carry', async () => {
    const r = await cli(['workflow', 'import', expensePath], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('as workflow expense-approval, version 1.');
    expect(r.stdout).toMatch(/Not carried over \(\d+\):\n {2}workflows\.expense_approval\.states\.submitted\.onEnter\.executor\.connection: mcp executor: classifier is not an MCP server/);
    expect(r.stdout).toContain('workflows.expense_approval.states.reimbursement.onEnter.executor.connection: REST connection payroll is not declared');
  });
});
