/**
 * docs/gates.md runs as written: its shell blocks, in order, in one bash session, with `warden`
 * the built CLI, against a fresh server. Each block must succeed and print what its `# →` lines
 * say.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { binPath, buildCli, repoRoot } from '../../support/cli-harness.js';
import { DocShell, expectationPattern, shellBlocks } from '../../support/doc-blocks.js';

const doc = readFileSync(join(repoRoot, 'docs', 'gates.md'), 'utf8');
let t: TestApp;
let work: string;
let shell: DocShell;

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  work = mkdtempSync(join(tmpdir(), 'warden-doc-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'warden'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
  chmodSync(join(bin, 'warden'), 0o755);
  // The reader's setup step, done for them: the server's URL and its data folder.
  shell = new DocShell({ cwd: work, env: { PATH: `${bin}:${process.env.PATH}`, HOME: work, WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir } });
}, 300_000);
afterAll(async () => {
  shell?.close();
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docs/gates.md', () => {
  it('has shell blocks with stated outputs', () => {
    const blocks = shellBlocks(doc);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((b) => b.expects.length).length).toBeGreaterThanOrEqual(6);
  });

  it('runs end to end: BLOCK gate_pending before the review, ALLOW after', async () => {
    for (const block of shellBlocks(doc)) {
      const r = await shell.run(block, 120_000);
      expect(r.exitCode, `block at docs/gates.md:${block.line} failed:\n${r.output}`).toBe(0);
      for (const e of block.expects) expect(r.output, `block at docs/gates.md:${block.line} should print “${e}”`).toMatch(expectationPattern(e));
    }
  }, 600_000);
});
