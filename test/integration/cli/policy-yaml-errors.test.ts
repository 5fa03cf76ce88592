/**
 * A typo in a policy file is reported where it is: the real `bin/warden.js` names the unknown
 * key and its line, and a wrong value its line, before anything is sent to the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { buildCli, cliProcess } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  dir = mkdtempSync(join(tmpdir(), 'warden-policy-yaml-'));
}, 300_000);
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('policy apply: YAML typos', () => {
  it('names an unknown key nested in a list with its line number', async () => {
    const path = file(
      'typo.yaml',
      ['warden_policy: 1', 'tool_policies:', '  - tool_name: shell.exec', '    allowed: true', '  - tool_name: fs.write', '    alowed: false', ''].join('\n'),
    );
    const r = await cliProcess(['policy', 'apply', path, '--dry-run'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${path}:6: unknown key "alowed" in tool_policies[1]`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names an unknown top-level key with its line number', async () => {
    const path = file('top.yaml', ['warden_policy: 1', '', 'guardrail:', '  - name: x', ''].join('\n'));
    const r = await cliProcess(['policy', 'apply', path, '--dry-run'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${path}:3: unknown key "guardrail"`);
  });

  it('a value of the wrong type names its path and line', async () => {
    const path = file('type.yaml', ['tool_policies:', '  - tool_name: shell.exec', '    allowed: "yes please"', ''].join('\n'));
    const r = await cliProcess(['policy', 'apply', path, '--dry-run'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${path.replace(/[.\\/]/g, '\\$&')}:3: tool_policies\\[0\\]\\.allowed: `));
  });
});
