/** `warden status`: is Warden up, who am I to it, and is anything waiting or stopped? */
import type { Command } from 'commander';
import { withConnection, withGlobalOptions } from './context.js';
import type { CliIO } from './io.js';
import { writeJson, writeLine } from './output.js';

export function statusCommand(program: Command, io: CliIO): void {
  withGlobalOptions(
    program.command('status').description('check the connection: server version, who the key belongs to, kill-switch, pending approvals'),
  ).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const health = await conn.client.call('health');
      const me = await conn.client.call('me');
      const isAgent = me.object === 'agent';
      const killSwitch = await conn.client.call('getKillSwitch').catch(() => null);
      let pending: number | null = 0;
      try {
        for await (const _ of conn.client.paginate('listApprovals', { query: { status: 'pending', limit: 500 } })) pending++;
      } catch {
        pending = null; // a key without approvals:read
      }
      const status = {
        url: conn.url,
        version: health.version,
        key_source: conn.tokenSource,
        identity: isAgent ? { kind: 'agent', id: me.id, name: me.name, scopes: 'scopes' in me ? me.scopes : [] } : { kind: 'operator', id: me.id, name: me.name, role: me.object === 'operator' ? me.role : null },
        kill_switch: killSwitch ? { engaged: killSwitch.engaged, reason: killSwitch.reason } : null,
        pending_approvals: pending,
      };
      if (conn.json) return writeJson(io, status);
      writeLine(io, `Warden ${health.version} at ${conn.url}`);
      writeLine(io, `key:         ${isAgent ? `agent ${me.name} (${me.id})` : `operator ${me.name} (${me.id})`}, from ${conn.tokenSource}${me.object === 'operator' ? `, role ${me.role}` : ''}`);
      if (killSwitch) writeLine(io, `kill-switch: ${killSwitch.engaged ? `ON${killSwitch.reason ? ` — ${killSwitch.reason}` : ''}` : 'off'}`);
      if (pending !== null) writeLine(io, `pending:     ${pending} approval request${pending === 1 ? '' : 's'}${isAgent ? ' of this agent' : ''}`);
    }),
  );
}
