/**
 * The `warden` command line. Each command group lives in its own file and registers itself here.
 *
 * Exit codes: 0 success, 1 failure (including errors from the server and an unreachable server),
 * 2 usage errors; `warden exec` also passes the child's code through and uses 126 when Warden
 * refuses the command (see docs/cli.md).
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../common/version.js';
import { agentCommands } from './agent.js';
import { approvalCommands } from './approvals.js';
import { auditCommands } from './audit.js';
import { backupCommands } from './backup.js';
import { budgetCommands } from './budget.js';
import { connectCommands } from './connect.js';
import { withGlobalOptions } from './context.js';
import { execCommand } from './exec.js';
import { gateCommands } from './gate.js';
import { hookCommands } from './hook.js';
import { CliError, CliExit, processIO, type CliIO } from './io.js';
import { keyCommands } from './key.js';
import { killSwitchCommands } from './kill-switch.js';
import { mcpCommands } from './mcp.js';
import { operatorCommands } from './operator.js';
import { policyCommands } from './policy.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { workflowCommands } from './workflow.js';
import { workflowRunCommands } from './workflow-runs.js';

export function buildProgram(io: CliIO = processIO()): Command {
  const program = new Command('warden')
    .description('Warden: agents ask before side effects; you answer.')
    .version(VERSION)
    // Settings before subcommands: each subcommand copies them when it is created.
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    // Program options before the command name, the command's own after it; both spellings work.
    .enablePositionalOptions();
  withGlobalOptions(program);
  serveCommand(program);
  statusCommand(program, io);
  agentCommands(program, io);
  keyCommands(program, io);
  operatorCommands(program, io);
  approvalCommands(program, io);
  budgetCommands(program, io);
  killSwitchCommands(program, io);
  auditCommands(program, io);
  backupCommands(program, io);
  policyCommands(program, io);
  hookCommands(program, io);
  connectCommands(program, io);
  execCommand(program, io);
  mcpCommands(program, io);
  workflowCommands(program, io);
  workflowRunCommands(program, io);
  gateCommands(program, io);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliExit) return err.exitCode;
    if (err instanceof CliError) {
      io.stderr.write(`warden: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`warden: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}

/** The process entry (bin/warden.js): runs and sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
}
