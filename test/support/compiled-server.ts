/**
 * For tests that run Warden in a child process and kill it: the node sources compiled once per
 * test file into `dist/<name>` (so the shared `dist/` is untouched), and temporary data folders
 * removed after the file's tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Compiles the node project into `dist/<name>` before the file's tests; returns that folder. */
export function compiledServer(name: string, timeoutMs: number): string {
  const dist = join(ROOT, 'dist', name);
  beforeAll(() => {
    // tsc emits even where a type check would fail; only the server's modules need to load.
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.node.json', '--outDir', dist, '--tsBuildInfoFile', join(dist, '.tsbuildinfo')], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }, timeoutMs);
  return dist;
}

/** A maker of temporary folders (real paths) that are removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    dirs.push(d);
    return d;
  };
}
