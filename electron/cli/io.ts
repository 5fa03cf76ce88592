/**
 * Where a command reads and writes. The real CLI uses the process's streams; tests run `run()`
 * in-process with their own streams and environment, so nothing touches global state.
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** True when child processes (`warden exec`) may inherit the real terminal. */
  inheritStdio: boolean;
  /** Stops long-running commands (`audit tail --follow`) when aborted; tests use it, people press Ctrl-C. */
  signal?: AbortSignal;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, inheritStdio: true };
}

/** Ends the command with an exit code, after it has printed what it had to say. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

/** A failure to report as one `warden: …` line on stderr. Exit 1 unless stated (2 = usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, 2);
}
