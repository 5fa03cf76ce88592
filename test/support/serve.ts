/**
 * `warden serve` as users run it, for tests: the built bin as a child process, its ready and
 * sign-in lines read from stdout. `serveHarness()` registers the hooks that build the bin once,
 * kill what a test left running and remove the temp folders.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { packageRoot } from '../../electron/common/version.js';

export interface ServeReady {
  url: string;
  token: string;
  /** Stdout's lines when it was ready: the listening line, then the sign-in line. */
  lines: string[];
}

export interface ServeRun {
  child: ChildProcess;
  /** Resolves once both ready lines are out; rejects when it exits first or after 20 s. */
  ready: Promise<ServeReady>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stderr(): string;
}

export interface ServeHarness {
  bin: string;
  tempDir(): string;
  /** Keeps `child` to kill after the test (a process the test started itself). */
  track<C extends ChildProcess>(child: C): C;
  /** `warden serve ARGS` with only PATH and HOME (plus `env`) in its environment. */
  serve(args: string[], env?: Record<string, string | undefined>): ServeRun;
  /** `warden ARGS` expected to exit on its own: its exit code, stdout and stderr. */
  runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function serveHarness(prefix: string): ServeHarness {
  const root = packageRoot();
  const bin = join(root, 'bin', 'warden.js');
  const dirs: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.node.json'], { cwd: root, stdio: 'pipe' });
  }, 120_000);
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const track = <C extends ChildProcess>(child: C): C => {
    children.push(child);
    return child;
  };
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

  return {
    bin,
    track,
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), `warden-${prefix}-`));
      dirs.push(d);
      return d;
    },
    serve(args, env = {}) {
      const child = track(spawn(process.execPath, [bin, 'serve', ...args], { cwd: tmpdir(), env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
      let stdout = '';
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
      );
      const ready = new Promise<ServeReady>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready lines; stdout ${JSON.stringify(stdout)} stderr ${JSON.stringify(stderr)}`)), 20_000);
        child.stdout!.on('data', (c: Buffer) => {
          stdout += c.toString();
          const lines = stdout.split('\n').filter(Boolean);
          if (lines.length >= 2) {
            clearTimeout(timer);
            const url = /^warden listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0]!)?.[1] ?? '';
            const token = /#token=(\S+)$/.exec(lines[1]!)?.[1] ?? '';
            resolve({ url, token, lines });
          }
        });
        void exited.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`warden serve exited ${code} before it was ready: ${stderr}`));
        });
      });
      ready.catch(() => undefined);
      return { child, ready, exited, stderr: () => stderr };
    },
    runToExit(args) {
      return new Promise((resolve) => {
        const child = track(spawn(process.execPath, [bin, ...args], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
  };
}
