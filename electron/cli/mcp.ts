/**
 * `warden mcp proxy` and `warden mcp wrap`: govern the tools of any MCP client.
 *
 * `proxy` is an MCP server on stdio that runs the real server as its child and asks Warden
 * (as the agent of WARDEN_KEY) before each `tools/call`. Its stdout is the MCP channel: nothing
 * else is ever written there; its own messages go to stderr. It exits with the child's code.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { InvalidArgumentError, type Command } from 'commander';
import { ChildProcessTransport } from '../mcp/child-transport.js';
import { McpGovernor } from '../mcp/governance.js';
import { McpProxy } from '../mcp/proxy.js';
import { SERVER_NAME_PATTERN, planWrap, proxyName, unwrapConfigFile, writeWrap } from '../mcp/wrap.js';
import { parseWaitSeconds } from './ask.js';
import { wardenEntry } from './claude-settings.js';
import { WardenApiError } from '../../shared/client.js';
import { connect, globalsOf, resolveUrl, withConnection, withGlobalOptions } from './context.js';
import { CliError, CliExit, usageError, type CliIO } from './io.js';
import { writeLine } from './output.js';

function parseServerName(value: string): string {
  if (!SERVER_NAME_PATTERN.test(value)) throw new InvalidArgumentError(`expected letters, digits, _ or - (at most 64), got ${JSON.stringify(value)}`);
  return value;
}

function parseMicroUsd(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected whole micro-USD (0 or more), got ${JSON.stringify(value)}`);
  return n;
}

/** The child's environment: the proxy's, less Warden's credentials (the server must not act as the agent). */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^WARDEN_(KEY|TOKEN|URL)$/.test(k)) out[k] = v;
  return out;
}

interface ProxyOptions {
  name: string;
  wait: number;
  costMicroUsd?: number;
}

async function runProxy(cmd: Command, io: CliIO, argv: string[], opts: ProxyOptions): Promise<number> {
  const [command, ...args] = argv;
  if (!command) throw usageError('mcp proxy needs the server command after `--`, e.g. `warden mcp proxy --name fs -- npx @modelcontextprotocol/server-filesystem .`');
  const conn = connect(cmd, io, 'agent');
  if (conn.tokenSource === 'none') throw usageError('mcp proxy: no agent key — set WARDEN_KEY to the key printed by `warden agent add NAME --mcp`');
  const governor = new McpGovernor(conn.client, { server: opts.name, waitSeconds: opts.wait, costMicroUsd: opts.costMicroUsd });
  const upstream = new ChildProcessTransport({ command, args, env: childEnv(io.env) });
  const downstream = new StdioServerTransport(io.stdin, io.stdout);
  const log = (line: string) => io.stderr.write(`warden mcp proxy (${opts.name}): ${line}\n`);
  const proxy = new McpProxy(downstream, upstream, governor, { log });
  const exited = new Promise<number>((resolve) => {
    upstream.onexit = (code) => resolve(code);
  });
  try {
    await proxy.start();
  } catch (err) {
    throw usageError(`mcp proxy: cannot start ${command}: ${(err as Error).message}`);
  }
  // The client closing stdin ends the child; the child's exit ends the proxy.
  const onEnd = () => void proxy.close();
  io.stdin.once('end', onEnd);
  io.stdin.once('close', onEnd);
  const code = await exited;
  await proxy.close();
  return code;
}

/** How an MCP client should start this Warden: absolute Node and entry, so no PATH is needed. */
export function wardenProgram(override?: string): string[] {
  if (override) return [override];
  const entry = wardenEntry();
  return entry ? [process.execPath, entry] : ['warden'];
}

export function mcpCommands(program: Command, io: CliIO): void {
  const mcp = program.command('mcp').description('govern MCP servers: every tool call asks Warden first');

  withGlobalOptions(
    mcp
      .command('proxy')
      .description('an MCP server on stdio that runs COMMAND as the real server and asks Warden (WARDEN_KEY) before each tool call')
      .requiredOption('--name <name>', 'the server name Warden sees: tools are mcp.NAME.TOOL, connector NAME', parseServerName)
      .option('--wait <seconds>', 'how long a call waits for an operator on ALERT before it is refused', parseWaitSeconds, 50)
      .option('--cost-micro-usd <n>', 'cost estimate of each call in micro-USD, reported as its cost on completion', parseMicroUsd)
      .argument('<command...>', 'the server command and its arguments, after --')
      .passThroughOptions(),
  ).action(async (argv: string[], opts: ProxyOptions, cmd: Command) => {
    throw new CliExit(await runProxy(cmd, io, argv, opts));
  });

  withGlobalOptions(
    mcp
      .command('wrap <file>')
      .description("rewrite an MCP client config (Claude Code .mcp.json, Cursor mcp.json, Claude Desktop) so each stdio server runs through `warden mcp proxy`")
      .option('--key <key>', "also put this agent key into each wrapped server's env as WARDEN_KEY (with WARDEN_URL from --url); servers given by URL are then registered with Warden and pointed at /mcp/NAME with it")
      .option('--warden-command <path>', "how the client starts Warden's CLI (default: this Node and this Warden's bin/warden.js, absolute)")
      .option('--undo', 'restore the config from the backup made by the first wrap'),
  ).action(async (file: string, opts: { undo?: boolean; key?: string; wardenCommand?: string }, cmd: Command) => {
    if (opts.undo) {
      const restored = unwrapConfigFile(file);
      writeLine(io, `Restored ${file} from ${restored}.`);
      return;
    }
    const gatewayUrl = opts.key ? resolveUrl(globalsOf(cmd), io.env) : undefined;
    const plan = planWrap(file, { program: wardenProgram(opts.wardenCommand), key: opts.key, url: opts.key ? globalsOf(cmd).url : undefined, gatewayUrl });
    // Servers given by URL are registered (operator token) before the file points at /mcp/NAME.
    if (plan.report.toRegister.length) {
      await withConnection(cmd, io, async (conn) => {
        for (const { name, url } of plan.report.toRegister) {
          try {
            await conn.client.call('createMcpServer', { body: { name, url } });
          } catch (err) {
            if (!(err instanceof WardenApiError) || err.status !== 409) throw err;
            const existing = await conn.client.call('getMcpServer', { params: { name } });
            if (existing.url !== url) throw new CliError(`another MCP server named ${name} is registered with Warden (${existing.url ?? existing.command}); rename it in ${file} or unregister it`);
          }
        }
      });
    }
    writeWrap(file, plan);
    const report = plan.report;
    const viaGateway = new Set(report.toRegister.map((r) => r.name));
    for (const name of report.wrapped) writeLine(io, viaGateway.has(proxyName(name)) ? `  ${name}: registered with Warden; now reached at /mcp/${proxyName(name)}` : `  ${name}: now runs through warden mcp proxy`);
    for (const name of report.already) writeLine(io, `  ${name}: already wrapped`);
    for (const { name, why } of report.skipped) writeLine(io, `  ${name}: left as is (${why})`);
    writeLine(io, report.wrapped.length ? `Wrote ${file}; the original is in ${report.backup}.` : `Nothing to change in ${file}.`);
    if (report.wrapped.length) writeLine(io, 'Each wrapped server needs WARDEN_KEY (and WARDEN_URL if not the default) in the environment of the client.');
  });
}
