/**
 * `warden backup` and `warden restore FILE`. A backup asks the running server (it owns the
 * database) over HTTP; with no server on the folder it copies the file itself, under the folder's
 * lock. A restore works on the folder directly and refuses while a server runs on it.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { WardenApiError } from '../../shared/client.js';
import { globalsOf, resolveDataDir, withConnection, withGlobalOptions } from './context.js';
import { CliError, type CliIO } from './io.js';
import { writeJson, writeLine } from './output.js';

export function backupCommands(program: Command, io: CliIO): void {
  withGlobalOptions(
    program.command('backup').description('take a backup of the database now, into DATA_DIR/backups (the last 7 are kept)'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const dataDir = resolveDataDir(globalsOf(cmd), io.env);
    if (!existsSync(dataDir)) throw new CliError(`${dataDir} does not exist: there is nothing to back up (--data-dir or WARDEN_DATA_DIR names the folder)`);
    // Loaded here: every other command stays a light HTTP client.
    const { dataDirHolder } = await import('../common/data-dir-lock.js');
    const holder = dataDirHolder(dataDir);
    if (holder.held) {
      await withConnection(cmd, io, async (conn) => {
        try {
          const backup = await conn.client.call('createBackup');
          if (conn.json) writeJson(io, backup);
          else writeLine(io, `backup written: ${backup.file} (${backup.size_bytes} bytes, taken by the running Warden)`);
        } catch (err) {
          if (err instanceof WardenApiError && err.unreachable) {
            throw new CliError(
              `a Warden (${holder.pid === null ? 'pid unknown' : `pid ${holder.pid}`}) is running on ${dataDir} but does not answer at ${conn.url}: pass its address with --url`,
            );
          }
          throw err;
        }
      });
      return;
    }
    const { backupOffline } = await import('../db/restore.js');
    const backup = await backupOffline(dataDir).catch((err: unknown) => {
      throw new CliError((err as Error).message);
    });
    if (globalsOf(cmd).json) writeJson(io, { object: 'backup', ...backup });
    else writeLine(io, `backup written: ${backup.file} (${backup.size_bytes} bytes; no Warden was running, so the file was copied directly)`);
  });

  withGlobalOptions(
    program
      .command('restore')
      .description('replace the database with a backup (refused while Warden runs on the folder; the replaced one is kept in DATA_DIR/replaced)')
      .argument('<file>', 'a backup, e.g. DATA_DIR/backups/warden-….db'),
  ).action(async (file: string, _opts: unknown, cmd: Command) => {
    const dataDir = resolveDataDir(globalsOf(cmd), io.env);
    const { restoreDatabase } = await import('../db/restore.js');
    let result: Awaited<ReturnType<typeof restoreDatabase>>;
    try {
      result = restoreDatabase(dataDir, file);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (globalsOf(cmd).json) writeJson(io, result);
    else {
      writeLine(io, `restored ${file} into ${result.restored}`);
      if (result.replaced) writeLine(io, `the database it replaced is kept at ${result.replaced}`);
      writeLine(io, 'start Warden again (`warden serve` or the desktop app)');
    }
  });
}
