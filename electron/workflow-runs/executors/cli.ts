/**
 * The `cli` executor: a local command run as argv (never through a shell), with a timeout, in a
 * working folder inside one the operator declared for workflows. Success (exit 0) records
 * `cli_output` evidence with the exit code and the ends of stdout and stderr.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Executor } from '../../../shared/workflows/definition.js';
import type { ExecutorResult } from '../engine.js';

type CliExecutor = Extract<Executor, { kind: 'cli' }>;

export const DEFAULT_CLI_TIMEOUT_MS = 60_000;
/** Characters of stdout and stderr kept in evidence (the last ones). */
export const CLI_OUTPUT_KEEP = 4096;

const tail = (text: string): string => (text.length > CLI_OUTPUT_KEEP ? `…${text.slice(-CLI_OUTPUT_KEEP)}` : text);

/** The real working folder for `cwd`, or why it is refused. */
export function workingFolder(cwd: string | undefined, declared: readonly string[]): { folder: string } | { refused: string } {
  if (declared.length === 0) return { refused: 'no working folder is declared for workflow cli steps (WARDEN_WORKFLOW_FOLDERS)' };
  const roots = declared.map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return null;
    }
  });
  const wanted = cwd === undefined ? declared[0]! : isAbsolute(cwd) ? cwd : resolve(declared[0]!, cwd);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return { refused: `the working folder ${wanted} does not exist` };
  }
  const inside = roots.some((root) => root !== null && (real === root || (!relative(root, real).startsWith('..') && !isAbsolute(relative(root, real)))));
  return inside ? { folder: real } : { refused: `the working folder ${wanted} is not inside a folder declared for workflows` };
}

export function runCli(executor: CliExecutor, declared: readonly string[], signal: AbortSignal): Promise<ExecutorResult> {
  const where = workingFolder(executor.cwd, declared);
  if ('refused' in where) return Promise.resolve({ ok: false, reason: where.refused });
  const [file, ...args] = executor.argv;
  const timeout = executor.timeout_ms ?? DEFAULT_CLI_TIMEOUT_MS;
  return new Promise((done) => {
    execFile(file!, args, { cwd: where.folder, timeout, signal, shell: false, maxBuffer: 8 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const failure = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      const exitCode = failure ? (typeof failure.code === 'number' ? failure.code : null) : 0;
      const data = { exit_code: exitCode, stdout: tail(String(stdout)), stderr: tail(String(stderr)), argv: executor.argv, cwd: where.folder };
      if (!failure) return done({ ok: true, output: data, evidence: { kind: 'cli_output', data } });
      const reason =
        failure.killed && !signal.aborted
          ? `${file} timed out after ${timeout} ms`
          : typeof failure.code === 'string'
            ? `${file} could not run: ${failure.code}`
            : `${file} exited with ${String(exitCode)}${data.stderr ? `: ${data.stderr.trim().split('\n').pop() ?? ''}` : ''}`;
      done({ ok: false, reason, output: data, details: { exit_code: exitCode, stderr: data.stderr } });
    });
  });
}
