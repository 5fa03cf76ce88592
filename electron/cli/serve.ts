import type { Command } from 'commander';
import { globalsOf } from './context.js';
import { parsePort } from './options.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run Warden headless: the REST API and the operator UI for a browser')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'data folder (default: WARDEN_DATA_DIR or the per-user app-data folder)')
    .action(async (opts: { port?: number; host: string; dataDir?: string }, cmd: Command) => {
      // Loaded here, not at the top: every other command stays a light HTTP client that starts fast
      // (the hook runs before each tool call).
      const { runHeadless } = await import('../headless.js');
      // `warden --data-dir D serve` sets the program's option; `warden serve --data-dir D` this one.
      await runHeadless({ port: opts.port, host: opts.host, dataDir: opts.dataDir ?? globalsOf(cmd).dataDir });
    });
}
