/** `warden key create|list|revoke`: an agent's API keys. */
import type { Command } from 'commander';
import { withConnection, withGlobalOptions } from './context.js';
import { envSnippet, parseScopes } from './agent.js';
import type { ListItem } from '../../shared/client.js';
import type { CliIO } from './io.js';
import { printTable, shortTime, writeJson, writeLine } from './output.js';
import { findAgent } from './resolve.js';

export function keyCommands(program: Command, io: CliIO): void {
  const key = program.command('key').description("manage agents' API keys");

  withGlobalOptions(
    key
      .command('create <agent>')
      .description('issue a new key for an agent (id or name); the secret is shown once')
      .option('--scopes <list>', 'comma-separated scopes (default: all agent scopes)'),
  ).action((agentRef: string, opts: { scopes?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const scopes = opts.scopes ? parseScopes(opts.scopes) : undefined;
      const agent = await findAgent(conn.client, agentRef);
      const created = await conn.client.call('createAgentKey', { params: { id: agent.id }, body: scopes ? { scopes } : {} });
      if (conn.json) return writeJson(io, created);
      writeLine(io, `Key ${created.id} for ${agent.name} (scopes: ${created.scopes.join(', ')}), shown only this once:`);
      writeLine(io);
      writeLine(io, `  ${created.api_key}`);
      writeLine(io);
      for (const line of envSnippet(conn, created.api_key)) writeLine(io, `  ${line}`);
    }),
  );

  withGlobalOptions(key.command('list <agent>').description("list an agent's keys (never the secrets)")).action(
    (agentRef: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const agent = await findAgent(conn.client, agentRef);
        const keys: ListItem<'listAgentKeys'>[] = [];
        for await (const k of conn.client.paginate('listAgentKeys', { params: { id: agent.id }, query: { limit: 500 } })) keys.push(k);
        if (conn.json) return writeJson(io, keys);
        printTable(
          io,
          ['ID', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
          keys.map((k) => [k.id, k.prefix, k.scopes.join(','), shortTime(k.created_at), shortTime(k.last_used_at), shortTime(k.revoked_at)]),
        );
      }),
  );

  withGlobalOptions(key.command('revoke <agent> <key_id>').description('revoke a key: it answers 401 from then on')).action(
    (agentRef: string, keyId: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const agent = await findAgent(conn.client, agentRef);
        const revoked = await conn.client.call('revokeAgentKey', { params: { id: agent.id, key_id: keyId } });
        if (conn.json) return writeJson(io, revoked);
        writeLine(io, `Key ${revoked.id} of ${agent.name} revoked at ${shortTime(revoked.revoked_at)}.`);
      }),
  );
}
