/** `warden policy export|apply|test`: policies as code (placeholder until the policy routes land). */
import type { Command } from 'commander';
import type { CliIO } from './io.js';

export function policyCommands(program: Command, _io: CliIO): void {
  program.command('policy').description('policies as code: export, apply, test');
}
