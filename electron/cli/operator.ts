/** `warden operator list|add|revoke|rotate`: the people who answer approvals (owner only for changes). */
import type { Command } from 'commander';
import type { ListItem, WardenClient } from '../../shared/client.js';
import { withConnection, withGlobalOptions } from './context.js';
import { CliError, type CliIO } from './io.js';
import { printTable, shortTime, writeJson, writeLine } from './output.js';

type OperatorItem = ListItem<'listOperators'>;

async function allOperators(client: WardenClient): Promise<OperatorItem[]> {
  const out: OperatorItem[] = [];
  for await (const o of client.paginate('listOperators', { query: { limit: 500 } })) out.push(o);
  return out;
}

/** An operator by id (`opr_…`) or name. */
async function findOperator(client: WardenClient, ref: string): Promise<OperatorItem> {
  const found = (await allOperators(client)).find((o) => o.id === ref || o.name === ref);
  if (!found) throw new CliError(`no operator ${ref}; \`warden operator list\` shows them`);
  return found;
}

export function operatorCommands(program: Command, io: CliIO): void {
  const operator = program.command('operator').description('manage operators: the people who answer approvals');

  withGlobalOptions(operator.command('list').description('list operators (never their tokens)')).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const operators = await allOperators(conn.client);
      if (conn.json) return writeJson(io, operators);
      printTable(
        io,
        ['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'],
        operators.map((o) => [o.id, o.name, o.is_owner ? 'owner' : 'operator', shortTime(o.created_at), shortTime(o.revoked_at)]),
      );
    }),
  );

  withGlobalOptions(operator.command('add <name>').description('add an operator (owner only); its token is shown once')).action(
    (name: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const created = await conn.client.call('createOperator', { body: { name } });
        if (conn.json) return writeJson(io, created);
        writeLine(io, `Operator ${created.name} (${created.id}) added. Its token, shown only this once:`);
        writeLine(io);
        writeLine(io, `  ${created.token}`);
      }),
  );

  withGlobalOptions(operator.command('revoke <operator>').description('revoke an operator by id or name (owner only): its token is refused at once')).action(
    (ref: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const target = await findOperator(conn.client, ref);
        const revoked = await conn.client.call('revokeOperator', { params: { id: target.id } });
        if (conn.json) return writeJson(io, revoked);
        writeLine(io, `Operator ${revoked.name} (${revoked.id}) revoked at ${shortTime(revoked.revoked_at)}.`);
      }),
  );

  withGlobalOptions(
    operator.command('rotate <operator>').description("give an operator a new token (owner only); the owner's own is also written to operator.token"),
  ).action((ref: string, _opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const target = await findOperator(conn.client, ref);
      const rotated = await conn.client.call('rotateOperator', { params: { id: target.id } });
      if (conn.json) return writeJson(io, rotated);
      writeLine(io, `New token for ${rotated.name} (${rotated.id}); the old one is refused from now on. Shown only this once:`);
      writeLine(io);
      writeLine(io, `  ${rotated.token}`);
      if (rotated.is_owner) writeLine(io, '(also written to operator.token in the data folder)');
    }),
  );
}
