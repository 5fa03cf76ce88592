/** `warden kill-switch on|off|status`: "Stop all agents". */
import type { Command } from 'commander';
import type { KillSwitch } from '../../shared/api/budgets.js';
import { withConnection, withGlobalOptions } from './context.js';
import type { CliIO } from './io.js';
import { shortTime, writeJson, writeLine } from './output.js';

function describe(ks: KillSwitch): string {
  if (!ks.engaged) return `kill-switch off: agents may act${ks.changed_at ? ` (released ${shortTime(ks.changed_at)}${ks.changed_by ? ` by ${ks.changed_by}` : ''})` : ''}`;
  return `kill-switch ON: every action is BLOCKed${ks.reason ? ` — ${ks.reason}` : ''} (since ${shortTime(ks.changed_at)}${ks.changed_by ? ` by ${ks.changed_by}` : ''})`;
}

export function killSwitchCommands(program: Command, io: CliIO): void {
  const ks = program.command('kill-switch').description('the global kill-switch: stop every agent at once');

  withGlobalOptions(ks.command('on').description('engage: every action BLOCKs until released').option('--reason <text>', 'why, shown to agents and in the audit')).action(
    (opts: { reason?: string }, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const result = await conn.client.call('engageKillSwitch', { body: { reason: opts.reason } });
        if (conn.json) return writeJson(io, result);
        writeLine(io, describe(result));
      }),
  );

  withGlobalOptions(ks.command('off').description('release: agents may act again')).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const result = await conn.client.call('releaseKillSwitch');
      if (conn.json) return writeJson(io, result);
      writeLine(io, describe(result));
    }),
  );

  withGlobalOptions(ks.command('status').description('is the kill-switch engaged?')).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const result = await conn.client.call('getKillSwitch');
      if (conn.json) return writeJson(io, result);
      writeLine(io, describe(result));
    }),
  );
}
