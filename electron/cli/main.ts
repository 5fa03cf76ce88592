/** The `warden` command line. Each command group lives in its own file and registers itself here. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../common/version.js';
import { serveCommand } from './serve.js';

export function buildProgram(): Command {
  const program = new Command('warden')
    .description('Warden: agents ask before side effects; you answer.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');
  serveCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(`warden: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
