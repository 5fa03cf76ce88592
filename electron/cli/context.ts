/**
 * How a command reaches Warden: the global options (`--url`, `--token`, `--data-dir`, `--json`),
 * their environment variables, the operator token found in the data dir, and the one-line
 * error messages every command prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { WardenApiError, WardenClient } from '../../shared/client.js';
import type { AgentScope } from '../../shared/vocabulary.js';
import { DEFAULT_PORT, TOKEN_FILE, defaultDataDir } from '../common/data-dir.js';
import { readServerUrl } from '../common/server-url-file.js';
import { CliError, type CliIO } from './io.js';

export const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

export interface GlobalOptions {
  url?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
}

/**
 * Adds the connection options to a command. They are declared on the program too, so both
 * `warden --json agent list` and `warden agent list --json` work.
 */
export function withGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', `Warden's base URL (env WARDEN_URL; default: the URL the running Warden recorded in DATA_DIR/server.url, else ${DEFAULT_URL})`))
    .addOption(new Option('--token <key>', 'operator token or agent key (env WARDEN_TOKEN or WARDEN_KEY; default: DATA_DIR/operator.token)'))
    .addOption(new Option('--data-dir <dir>', 'where to find operator.token (env WARDEN_DATA_DIR)'))
    .addOption(new Option('--json', 'print JSON for scripts instead of tables'));
}

/** Option values of `cmd` merged with its ancestors'; the nearest command that set one wins. */
export function globalsOf(cmd: Command): GlobalOptions {
  const merged: Record<string, unknown> = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const [k, v] of Object.entries(c.opts())) if (merged[k] === undefined && v !== undefined) merged[k] = v;
  }
  return merged as GlobalOptions;
}

export type TokenSource = '--token' | 'WARDEN_TOKEN' | 'WARDEN_KEY' | 'operator.token' | 'none';

export interface Connection {
  client: WardenClient;
  url: string;
  json: boolean;
  tokenSource: TokenSource;
  /** Whom the command acts as: `agent` for `warden hook` and `warden exec`, which ask as an agent. */
  role: 'operator' | 'agent';
  /** The data dir consulted for operator.token. */
  dataDir: string;
  io: CliIO;
}

/**
 * `--url`, then WARDEN_URL, then the URL the running Warden recorded in the data dir (a server on
 * a non-default port), then the default port.
 */
export function resolveUrl(opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const url = (opts.url ?? env.WARDEN_URL ?? readServerUrl(resolveDataDir(opts, env)) ?? DEFAULT_URL).trim();
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(`--url must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(url)}`, 2);
  }
  return url.replace(/\/+$/, '');
}

export function resolveDataDir(opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return opts.dataDir ?? defaultDataDir(env);
}

/** The operator token from the data dir, or undefined when there is none to read. */
export function readOperatorToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The key for operator commands: `--token`, then WARDEN_TOKEN, then WARDEN_KEY, then the
 * operator token of the local data dir.
 */
export function resolveOperatorKey(opts: GlobalOptions, env: NodeJS.ProcessEnv): { key?: string; source: TokenSource; dataDir: string } {
  const dataDir = resolveDataDir(opts, env);
  if (opts.token) return { key: opts.token, source: '--token', dataDir };
  if (env.WARDEN_TOKEN) return { key: env.WARDEN_TOKEN, source: 'WARDEN_TOKEN', dataDir };
  if (env.WARDEN_KEY) return { key: env.WARDEN_KEY, source: 'WARDEN_KEY', dataDir };
  const fromFile = readOperatorToken(dataDir);
  return fromFile ? { key: fromFile, source: 'operator.token', dataDir } : { source: 'none', dataDir };
}

/**
 * The key an agent acts with (`warden hook`, `warden exec`): `--token`, then WARDEN_KEY, then
 * WARDEN_TOKEN. Never the operator token file: an action must belong to an agent.
 */
export function resolveAgentKey(opts: GlobalOptions, env: NodeJS.ProcessEnv): { key?: string; source: TokenSource } {
  if (opts.token) return { key: opts.token, source: '--token' };
  if (env.WARDEN_KEY) return { key: env.WARDEN_KEY, source: 'WARDEN_KEY' };
  if (env.WARDEN_TOKEN) return { key: env.WARDEN_TOKEN, source: 'WARDEN_TOKEN' };
  return { source: 'none' };
}

export function connect(cmd: Command, io: CliIO, as: 'operator' | 'agent' = 'operator'): Connection {
  const opts = globalsOf(cmd);
  const url = resolveUrl(opts, io.env);
  const dataDir = resolveDataDir(opts, io.env);
  const { key, source } = as === 'operator' ? resolveOperatorKey(opts, io.env) : resolveAgentKey(opts, io.env);
  return { client: new WardenClient({ baseUrl: url, key }), url, json: Boolean(opts.json), tokenSource: source, role: as, dataDir, io };
}

export function unreachableMessage(url: string): string {
  return `cannot reach Warden at ${url} — start it with \`warden serve\` or the desktop app`;
}

/** The scopes `warden hook` and `warden exec` use: asking, and waiting for an approval. */
const AGENT_COMMAND_SCOPES: AgentScope[] = ['actions:write', 'approvals:read'];

/**
 * One line for any error a command throws, with the server's code and parameter when it sent them.
 * A scope error's hint depends on whom the command acts as: an agent command needs a better agent
 * key, an operator command the operator token.
 */
export function describeError(err: unknown, conn?: Pick<Connection, 'url' | 'tokenSource' | 'dataDir'> & Partial<Pick<Connection, 'role'>>): string {
  if (err instanceof WardenApiError) {
    if (err.unreachable) return unreachableMessage(conn?.url ?? err.message.replace(/^cannot reach Warden at (\S+?):.*$/, '$1'));
    const where = err.param ? `${err.code}, param ${err.param}` : err.code;
    let hint = '';
    if (conn && err.status === 401) {
      hint =
        conn.tokenSource === 'none'
          ? ` — no token: pass --token, set WARDEN_TOKEN, or run where ${join(conn.dataDir, TOKEN_FILE)} exists`
          : ` (the key came from ${conn.tokenSource})`;
    } else if (conn && err.code === 'insufficient_scope' && conn.role === 'agent') {
      const missing = /lacks the (\S+) scope/.exec(err.message)?.[1];
      const scopes = [...new Set([...AGENT_COMMAND_SCOPES, ...(missing ? [missing] : [])])].join(',');
      hint = ` (the agent key from ${conn.tokenSource} needs the ${missing ?? scopes} scope${missing ? '' : 's'}: issue one with \`warden key create AGENT --scopes ${scopes}\` and use it instead)`;
    } else if (conn && err.code === 'insufficient_scope' && conn.tokenSource === 'WARDEN_KEY') {
      hint = ' (the key came from WARDEN_KEY, an agent key; operator commands need the operator token: unset WARDEN_KEY or pass --token)';
    }
    return `${err.message} (${where})${hint}`;
  }
  return (err as Error).message ?? String(err);
}

/**
 * Runs a command body with a connection, turning API errors into one-line `CliError`s that name
 * where the key came from.
 */
export async function withConnection<T>(cmd: Command, io: CliIO, body: (conn: Connection) => Promise<T>, as: 'operator' | 'agent' = 'operator'): Promise<T> {
  const conn = connect(cmd, io, as);
  try {
    return await body(conn);
  } catch (err) {
    if (err instanceof WardenApiError) throw new CliError(describeError(err, conn));
    throw err;
  }
}
