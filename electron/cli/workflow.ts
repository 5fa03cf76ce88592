/**
 * `warden workflow apply|list|show|versions|rollback|import|delete`: workflow definitions and their
 * versions. The file is sent as written (the server keeps it verbatim and validates it whole);
 * errors come back as one line naming the path in the definition. Runs add their own
 * subcommands to the command `workflowCommands` returns.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { WardenApiError, type WardenClient } from '../../shared/client.js';
import { describeError, withConnection, withGlobalOptions, type Connection } from './context.js';
import { CliError, type CliIO } from './io.js';
import { printTable, shortTime, truncate, writeJson, writeLine } from './output.js';

function readDefinitionFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The `name` the file declares, when it parses and has one (the server reports any other fault). */
function declaredName(text: string): string | undefined {
  try {
    const data: unknown = parseYaml(text);
    const name = data && typeof data === 'object' ? (data as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function parseVersion(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a version number (1 or more), got ${JSON.stringify(value)}`);
  return n;
}

/** An API error about the file, as one line naming the file. */
async function aboutFile<T>(path: string, conn: Connection, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof WardenApiError && !err.unreachable && err.status === 400) throw new CliError(`${path}: ${describeError(err, conn)}`);
    throw err;
  }
}

async function exists(client: WardenClient, name: string): Promise<boolean> {
  try {
    await client.call('getWorkflow', { params: { name } });
    return true;
  } catch (err) {
    if (err instanceof WardenApiError && err.status === 404) return false;
    throw err;
  }
}

function printWarnings(io: CliIO, warnings: readonly { param: string; message: string }[]): void {
  for (const w of warnings) writeLine(io, `  warning: ${w.param}: ${w.message}`);
}

/** Registers `warden workflow …` and returns the command, so runs can add their subcommands to it. */
export function workflowCommands(program: Command, io: CliIO): Command {
  // Found or made: the runs' subcommands may have registered the command first.
  const workflow = (program.commands.find((c) => c.name() === 'workflow') ?? program.command('workflow')).description(
    'workflows: deploy, inspect, version and roll back governed procedures, and run them',
  );

  withGlobalOptions(
    workflow
      .command('apply <file>')
      .description('deploy a definition (YAML or JSON): creates the workflow, or its next version when it changed')
      .option('-m, --message <text>', 'why this version (kept with it)'),
  ).action((file: string, opts: { message?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const text = readDefinitionFile(file);
      const name = declaredName(text);
      const body = { definition: text, message: opts.message };
      const result = await aboutFile(file, conn, async () =>
        name !== undefined && (await exists(conn.client, name))
          ? conn.client.call('deployWorkflow', { params: { name }, body })
          : conn.client.call('createWorkflow', { body }),
      );
      if (conn.json) return writeJson(io, result);
      if (!result.changed) writeLine(io, `Workflow ${result.name} is unchanged (version ${result.version}); no version was made.`);
      else writeLine(io, `Workflow ${result.name} deployed as version ${result.version}.`);
      printWarnings(io, result.changed ? result.warnings : []);
    }),
  );

  withGlobalOptions(
    workflow
      .command('import <file>')
      .description("convert the reference product's workflow YAML to Warden's form and create it, naming whatever could not be carried")
      .option('--workflow <name>', 'which workflow to import when the file holds several')
      .option('-m, --message <text>', 'why (kept with version 1)'),
  ).action((file: string, opts: { workflow?: string; message?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const text = readDefinitionFile(file);
      const result = await aboutFile(file, conn, () =>
        conn.client.call('createWorkflow', { query: { format: 'flowgate', workflow: opts.workflow }, body: { definition: text, message: opts.message } }),
      );
      if (conn.json) return writeJson(io, result);
      writeLine(io, `Imported ${file} as workflow ${result.name}, version ${result.version}.`);
      const notes = result.import_notes ?? [];
      const dropped = notes.filter((n) => !n.carried);
      if (dropped.length) writeLine(io, `Not carried over (${dropped.length}):`);
      for (const n of dropped) writeLine(io, `  ${n.path}: ${n.message}`);
      const changed = notes.filter((n) => n.carried);
      if (changed.length) writeLine(io, `Carried with a change (${changed.length}):`);
      for (const n of changed) writeLine(io, `  ${n.path}: ${n.message}`);
      printWarnings(io, result.warnings.filter((w) => !w.message.startsWith('import: ')));
    }),
  );

  withGlobalOptions(
    workflow
      .command('list')
      .description('list workflows')
      .option('--deleted', 'include deleted workflows'),
  ).action((opts: { deleted?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const rows = [];
      for await (const w of conn.client.paginate('listWorkflows', { query: { limit: 500, include_deleted: opts.deleted ? 'true' : undefined } })) rows.push(w);
      if (conn.json) return writeJson(io, rows);
      printTable(
        io,
        ['NAME', 'VERSION', 'DEPLOYED', 'BY', 'STATUS', 'DESCRIPTION'],
        rows.map((w) => [w.name, w.version, shortTime(w.deployed_at), w.deployed_by, w.deleted_at ? 'deleted' : 'active', truncate(w.description ?? '', 60)]),
        'no workflows yet — deploy one with `warden workflow apply FILE`',
      );
    }),
  );

  withGlobalOptions(
    workflow
      .command('show <name>')
      .description('print a workflow definition as it was submitted (the latest version, or --version N)')
      .option('--version <n>', 'that version instead of the latest', parseVersion),
  ).action((name: string, opts: { version?: number }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const version = opts.version ?? (await conn.client.call('getWorkflow', { params: { name } })).version;
      const v = await conn.client.call('getWorkflowVersion', { params: { name, version } });
      if (conn.json) return writeJson(io, v);
      io.stdout.write(v.source.endsWith('\n') ? v.source : `${v.source}\n`);
    }),
  );

  withGlobalOptions(workflow.command('versions <name>').description('list the versions of a workflow, newest first')).action(
    (name: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const rows = [];
        for await (const v of conn.client.paginate('listWorkflowVersions', { params: { name }, query: { limit: 500 } })) rows.push(v);
        if (conn.json) return writeJson(io, rows);
        printTable(
          io,
          ['VERSION', 'DEPLOYED', 'BY', 'WARNINGS', 'MESSAGE'],
          rows.map((v) => [v.version, shortTime(v.deployed_at), v.deployed_by, v.warnings.length, truncate(v.message ?? '', 70)]),
        );
      }),
  );

  withGlobalOptions(
    workflow
      .command('rollback <name> <version>')
      .description("deploy an old version's definition as a new version (history is never rewritten)")
      .option('-m, --message <text>', 'why (kept with the new version)'),
  ).action((name: string, versionText: string, opts: { message?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      let version: number;
      try {
        version = parseVersion(versionText);
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const result = await conn.client.call('rollbackWorkflow', { params: { name, version }, body: { message: opts.message } });
      if (conn.json) return writeJson(io, result);
      writeLine(io, `Workflow ${name} rolled back to version ${result.rolled_back_from}'s definition as version ${result.new_version}.`);
    }),
  );

  withGlobalOptions(workflow.command('delete <name>').description('delete a workflow: no new runs start; its versions and running runs stay')).action(
    (name: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const deleted = await conn.client.call('deleteWorkflow', { params: { name } });
        if (conn.json) return writeJson(io, deleted);
        writeLine(io, `Workflow ${name} deleted: no new runs start; its ${deleted.version} version${deleted.version === 1 ? '' : 's'} and running runs stay.`);
      }),
  );

  return workflow;
}
