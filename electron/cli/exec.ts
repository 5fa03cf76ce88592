/**
 * `warden exec [--tool NAME] -- CMD ARGS…`: asks Warden before running a command, runs it only
 * when allowed (at once or after an operator's approval), reports the outcome, and passes the
 * child's exit code through.
 *
 * Exit codes: the child's own code (128+N when killed by signal N); 126 when Warden did not
 * allow the command (BLOCK, denial, expiry, no answer in time: the request is then withdrawn) or
 * could not be asked (not running, not answering within --wait plus a few seconds, a malformed
 * reply, bad key, a command line too large to send whole) — the command did not run; 130 when
 * interrupted while waiting (the request is withdrawn); 127
 * when the command cannot be found; 2 for a usage error.
 */
import { spawn } from 'node:child_process';
import { constants as os } from 'node:os';
import type { Command } from 'commander';
import type { ActionInput } from '../../shared/api/vocabulary.js';
import { WardenApiError, type AskResult } from '../../shared/client.js';
import { actionTooLarge, commandLine, parseWaitSeconds } from './ask.js';
import { connect, describeError, unreachableMessage, withGlobalOptions } from './context.js';
import { CliExit, type CliIO } from './io.js';

export const EXIT_REFUSED = 126;
export const EXIT_NOT_FOUND = 127;
/** Interrupted (Ctrl-C) while waiting for Warden: 128 + SIGINT, as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

interface ExecOptions {
  tool: string;
  wait: number;
  mission?: string;
  connector?: string;
  value?: string;
  category?: string[];
}

function refuse(io: CliIO, message: string): never {
  io.stderr.write(`warden: ${message}\n`);
  throw new CliExit(EXIT_REFUSED);
}

/** Runs the child; resolves to its exit code (128+signal when killed). */
function runChild(io: CliIO, argv: string[]): Promise<{ code: number; spawnError?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: io.inheritStdio ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    if (!io.inheritStdio) {
      child.stdout?.on('data', (chunk: Buffer) => io.stdout.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    }
    // The terminal sends Ctrl-C to the child too; we stay alive to report the outcome.
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== 'SIGINT') child.kill(signal);
    };
    const handlers = io.inheritStdio ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const) : [];
    for (const [s, h] of handlers) process.on(s, h);
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.once('close', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      if (spawnError) return resolve({ code: spawnError.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_REFUSED, spawnError });
      resolve({ code: code ?? 128 + (signal ? (os.signals[signal] ?? 0) : 0) });
    });
  });
}

function refusal(result: AskResult, waitSeconds: number): string {
  const what = result.action.action.tool;
  switch (result.verdict) {
    case 'blocked':
      return `blocked ${what}: ${result.reason}`;
    case 'denied':
      return `${what} was ${result.reason}`;
    case 'expired':
      return `${result.approval?.id ?? 'the approval'} for ${what} expired before anyone answered`;
    case 'pending':
      return `no answer to ${result.approval?.id ?? 'the approval'} for ${what} within ${waitSeconds} s (${result.action.withdrawn_at ? 'request withdrawn' : 'it stays in the inbox until it expires'}; rerun with a longer --wait)`;
    case 'allowed':
      return '';
  }
}

export function execCommand(program: Command, io: CliIO): void {
  withGlobalOptions(
    program
      .command('exec')
      .description('ask Warden before running a command; run it only if allowed; pass its exit code through (126: refused)')
      .argument('<command...>', 'the command and its arguments (put them after --)')
      .option('--tool <name>', 'the tool name Warden sees', 'shell.exec')
      .option('--wait <seconds>', 'how long to wait for an operator when Warden asks one', parseWaitSeconds, 300)
      .option('--mission <id>', 'mission id, for mission budgets')
      .option('--connector <name>', 'connector, for guardrail matchers')
      .option('--value <number>', 'a value for max_value constraints (an amount, a count)')
      .option('--category <name>', 'a category such as external_comm (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
      .passThroughOptions(),
  ).action(async (argv: string[], opts: ExecOptions, cmd: Command) => {
    const conn = connect(cmd, io, 'agent');
    if (conn.tokenSource === 'none') refuse(io, 'no agent key: set WARDEN_KEY (create one with `warden agent add NAME`) or pass --token');
    let value: number | undefined;
    if (opts.value !== undefined) {
      value = Number(opts.value);
      if (!Number.isFinite(value)) refuse(io, `--value must be a number, got ${JSON.stringify(opts.value)}`);
    }
    const action: ActionInput = {
      tool: opts.tool,
      args: { command: commandLine(argv), argv, cwd: process.cwd() },
      ...(opts.connector ? { connector: opts.connector } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(opts.category?.length ? { categories: opts.category } : {}),
      ...(opts.mission ? { mission_id: opts.mission } : {}),
    };
    // Sent whole or not at all: Warden decides on the exact command line.
    const tooLarge = actionTooLarge(action);
    if (tooLarge) refuse(io, `the command is too large for Warden to evaluate (${tooLarge}); not running it`);

    let result: AskResult;
    // Ctrl-C (or a kill) while waiting for an operator: stop waiting, and the client withdraws the
    // request on the way out, so nobody allows a command nothing will run.
    const interrupted = new AbortController();
    const stopWaiting = () => interrupted.abort();
    const signals = io.inheritStdio ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : [];
    for (const s of signals) process.once(s, stopWaiting);
    try {
      result = await conn.client.ask(action, { waitSeconds: opts.wait, signal: interrupted.signal });
    } catch (err) {
      if (interrupted.signal.aborted) {
        io.stderr.write(`warden: interrupted while waiting for Warden; not running ${commandLine(argv)}\n`);
        throw new CliExit(EXIT_INTERRUPTED);
      }
      if (err instanceof WardenApiError && err.unreachable) refuse(io, `${unreachableMessage(conn.url)}; not running ${commandLine(argv)}`);
      refuse(io, `${describeError(err, conn)}; not running ${commandLine(argv)}`);
    } finally {
      for (const s of signals) process.off(s, stopWaiting);
    }
    if (result.verdict !== 'allowed') refuse(io, refusal(result, opts.wait));

    const { code, spawnError } = await runChild(io, argv);
    if (spawnError) io.stderr.write(`warden: cannot run ${argv[0]}: ${spawnError.code === 'ENOENT' ? 'command not found' : spawnError.message}\n`);
    try {
      await conn.client.call('completeAction', { params: { id: result.action.id }, body: { outcome: code === 0 ? 'succeeded' : 'failed' } });
    } catch (err) {
      io.stderr.write(`warden: could not report the outcome of ${result.action.id}: ${describeError(err, conn)}\n`);
    }
    if (code !== 0) throw new CliExit(code);
  });
}
