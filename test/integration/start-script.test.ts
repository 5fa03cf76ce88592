/**
 * `npm start`'s script (scripts/start.js) on a machine where Electron cannot run: one line says
 * why, then the headless server comes up with the usual ready lines, and SIGTERM stops both.
 * On a Node older than Electron's tooling supports, the reason names both versions.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../electron/common/version.js';
import { buildCli } from '../support/cli-harness.js';

const require = createRequire(import.meta.url);
const semver = require('semver') as { satisfies(version: string, range: string): boolean };
const electron = require('electron/package.json') as { version: string; engines?: { node?: string } };
const nodeTooOld = !!electron.engines?.node && !semver.satisfies(process.versions.node, electron.engines.node);

let dir = '';
beforeAll(async () => {
  await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'warden-start-'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start without Electron', () => {
  it('says why in one line, runs headless, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(packageRoot(), 'scripts', 'start.js'), '--port', '0', '--data-dir', dir], {
      cwd: packageRoot(),
      // No display: Electron could not open a window even where its binary exists.
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a failed test kills the headless server it started too.
      detached: true,
    });
    try {
      const lines: string[] = [];
      const rl = createInterface({ input: child.stdout! });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready lines: ${JSON.stringify(lines)}`)), 150_000);
        rl.on('line', (line) => {
          lines.push(line);
          if (lines.length === 3) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`start.js exited ${code}: ${JSON.stringify(lines)}`)));
      });
      expect(lines[0]).toMatch(/^warden: Electron is unavailable \(.+\); running headless — open the URL below in a browser\.$/);
      if (nodeTooOld) {
        expect(lines[0]).toContain(`Electron ${electron.version}'s tooling needs Node ${electron.engines!.node}, and this is Node ${process.versions.node}`);
      }
      const url = /^warden listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[1]!)?.[1];
      expect(url).toBeDefined();
      expect(lines[2]).toMatch(new RegExp(`^open ${url}/#token=wk_op_`));
      expect(await (await fetch(`${url}/v1/health`)).json()).toMatchObject({ ok: true });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 200_000);
});
