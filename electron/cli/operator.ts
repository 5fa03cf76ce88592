/**
 * `warden operator list|add|role|permissions|revoke|rotate`: the people who answer approvals, each
 * with a role (viewer < member < admin < owner); changes are the owner's.
 */
import type { Command } from 'commander';
import type { ListItem, WardenClient } from '../../shared/client.js';
import { withConnection, withGlobalOptions } from './context.js';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/vocabulary.js';
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

function parseRole(value: string): OperatorRole {
  const role = OPERATOR_ROLES.find((r) => r === value);
  if (!role) throw new CliError(`unknown role ${value}; one of ${OPERATOR_ROLES.join(', ')}`);
  return role;
}

export function operatorCommands(program: Command, io: CliIO): void {
  const operator = program.command('operator').description('manage operators: the people who answer approvals');

  withGlobalOptions(operator.command('list').description('list operators (never their tokens)')).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const operators = await allOperators(conn.client);
      if (conn.json) return writeJson(io, operators);
      printTable(
        io,
        ['ID', 'NAME', 'ROLE', 'PERMISSIONS', 'CREATED', 'REVOKED'],
        operators.map((o) => [o.id, o.name, o.role, o.permissions.join(',') || '-', shortTime(o.created_at), shortTime(o.revoked_at)]),
      );
    }),
  );

  withGlobalOptions(
    operator
      .command('add <name>')
      .description('add an operator (owner only); its token is shown once')
      .option('--role <role>', `what it may do: ${OPERATOR_ROLES.join(' < ')}`, 'member'),
  ).action((name: string, opts: { role: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const role = parseRole(opts.role);
      const created = await conn.client.call('createOperator', { body: { name, role } });
      if (conn.json) return writeJson(io, created);
      writeLine(io, `Operator ${created.name} (${created.id}) added as ${created.role}. Its token, shown only this once:`);
      writeLine(io);
      writeLine(io, `  ${created.token}`);
    }),
  );

  withGlobalOptions(
    operator.command('role <operator> <role>').description(`set an operator's role (owner only): ${OPERATOR_ROLES.join(' < ')}; the last owner cannot be demoted`),
  ).action((ref: string, roleName: string, _opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const role = parseRole(roleName);
      const target = await findOperator(conn.client, ref);
      const updated = await conn.client.call('updateOperator', { params: { id: target.id }, body: { role } });
      if (conn.json) return writeJson(io, updated);
      writeLine(io, `Operator ${updated.name} (${updated.id}) is now ${updated.role}${target.role === updated.role ? ' (unchanged)' : ` (was ${target.role})`}.`);
    }),
  );

  withGlobalOptions(
    operator
      .command('permissions <operator> [permission...]')
      .description('replace the permissions workflow guards check (owner only); none clears them'),
  ).action((ref: string, permissions: string[], _opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const target = await findOperator(conn.client, ref);
      const updated = await conn.client.call('updateOperator', { params: { id: target.id }, body: { permissions } });
      if (conn.json) return writeJson(io, updated);
      writeLine(io, `Operator ${updated.name} (${updated.id}) permissions: ${updated.permissions.join(', ') || 'none'}.`);
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
      if (rotated.name === 'owner') writeLine(io, '(also written to operator.token in the data folder)');
    }),
  );
}
