/**
 * Runs the `warden` CLI against a real test server: in-process through `run()` with captured
 * streams (fast, exact exit codes), or as a real child process `node bin/warden.js …` once the
 * node build exists.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { z } from 'zod';
import { run } from '../../electron/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; with a schema, checked and typed by it. */
  json(): unknown;
  json<T>(schema: z.ZodType<T>): T;
}

export interface CliRunOptions {
  /** Environment of the command (nothing is inherited from the test process). */
  env?: Record<string, string | undefined>;
  /** Text on stdin; undefined leaves stdin empty (ended). */
  stdin?: string;
  stdinIsTTY?: boolean;
  signal?: AbortSignal;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
  return () => Buffer.concat(chunks).toString('utf8');
}

function result(code: number, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json<T>(schema?: z.ZodType<T>) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
      return schema ? schema.parse(parsed) : parsed;
    },
  };
}

/** `warden ARGS…` in-process. */
export async function cli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & { isTTY?: boolean };
  if (options.stdinIsTTY) stdin.isTTY = true;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env } as NodeJS.ProcessEnv;
  const code = await run(args, { stdout, stderr, stdin, env, inheritStdio: false, signal: options.signal });
  await new Promise((r) => setImmediate(r));
  return result(code, out(), err());
}

export const repoRoot = join(import.meta.dirname, '..', '..');
export const binPath = join(repoRoot, 'bin', 'warden.js');
const builtMain = join(repoRoot, 'dist', 'node', 'electron', 'cli', 'main.js');

/** Builds the node project (once per test file) so `bin/warden.js` runs the current sources. */
export async function buildCli(): Promise<void> {
  try {
    await promisify(execFile)('npx', ['tsc', '-b', 'tsconfig.node.json'], { cwd: repoRoot, timeout: 240_000 });
  } catch {
    // Type errors in someone else's in-progress file still emit JavaScript; only a missing build fails.
  }
  if (!existsSync(builtMain)) throw new Error(`build failed: ${builtMain} is missing`);
}

/** `node bin/warden.js ARGS…` as a real child process. */
export function cliProcess(args: string[], options: CliRunOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`warden ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(result(code ?? -1, stdout, stderr));
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
