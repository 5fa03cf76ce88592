/**
 * `warden mcp wrap`: rewrites an MCP client's config — Claude Code's `.mcp.json`, Cursor's
 * `mcp.json`, Claude Desktop's `claude_desktop_config.json`, all `{"mcpServers": {NAME: {command,
 * args, env}}}` — so each stdio server runs as `warden mcp proxy --name NAME -- COMMAND ARGS…`.
 *
 * The first wrap keeps the file as it was in `FILE.warden-backup`; `--undo` puts those bytes back
 * and removes the backup. Wrapping a wrapped server changes nothing, so a second wrap is a no-op.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Server names `warden mcp proxy --name` accepts (they become `mcp.NAME.TOOL`). */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const BACKUP_SUFFIX = '.warden-backup';

export interface WrapOptions {
  /** The command line that runs Warden's CLI in the client's environment (default `warden`). */
  program?: string[];
  /** Put into each wrapped server's `env` as WARDEN_KEY / WARDEN_URL, when given. */
  key?: string;
  url?: string;
  /**
   * Warden's base URL: with `key`, a server given by URL is pointed at `BASE/mcp/NAME` with the
   * key as its Bearer header (the caller registers the upstream URL first: `toRegister`).
   */
  gatewayUrl?: string;
}

export interface WrapReport {
  wrapped: string[];
  /** Servers given by URL now pointed at the gateway: their upstream URLs, to register as NAME. */
  toRegister: { name: string; url: string }[];
  already: string[];
  skipped: { name: string; why: string }[];
  backup: string;
}

interface ServerEntry {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  url?: unknown;
  headers?: unknown;
  type?: unknown;
  [k: string]: unknown;
}

/** True when the entry already runs through `warden mcp proxy`. */
export function isWrapped(entry: ServerEntry): boolean {
  const args = Array.isArray(entry.args) ? entry.args : [];
  const i = args.indexOf('mcp');
  return i >= 0 && args[i + 1] === 'proxy' && args.includes('--');
}

/** The proxy's name for a config key: characters it does not accept become `_`. */
export function proxyName(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'server';
}

/** The config with every stdio server wrapped; the input object is left untouched. */
export function wrapConfig(config: unknown, opts: WrapOptions = {}): { config: Record<string, unknown>; report: Omit<WrapReport, 'backup'> } {
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('the file is not a JSON object with "mcpServers"');
  const root = config as Record<string, unknown>;
  const servers = root.mcpServers;
  if (!servers || typeof servers !== 'object' || Array.isArray(servers)) throw new Error('the file has no "mcpServers" object (expected an MCP client config)');
  const report: Omit<WrapReport, 'backup'> = { wrapped: [], toRegister: [], already: [], skipped: [] };
  const gateway = opts.gatewayUrl ? `${opts.gatewayUrl.replace(/\/+$/, '')}/mcp/` : undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(servers as Record<string, unknown>)) {
    const entry = value as ServerEntry;
    out[name] = value;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      report.skipped.push({ name, why: 'not a server entry' });
    } else if (typeof entry.url === 'string' && (typeof entry.command !== 'string' || !entry.command)) {
      if (gateway && entry.url.startsWith(gateway)) {
        report.already.push(name);
      } else if (!gateway || !opts.key) {
        report.skipped.push({ name, why: 'given by URL: pass --key to register it with Warden and point it at /mcp/NAME' });
      } else {
        const headers = { ...(entry.headers && typeof entry.headers === 'object' ? (entry.headers as Record<string, string>) : {}) };
        // Any authorization header was the upstream's own: Warden now holds the URL, the client its key.
        for (const h of Object.keys(headers)) if (h.toLowerCase() === 'authorization') delete headers[h];
        out[name] = { ...entry, url: `${gateway}${proxyName(name)}`, headers: { ...headers, Authorization: `Bearer ${opts.key}` } };
        report.toRegister.push({ name: proxyName(name), url: entry.url });
        report.wrapped.push(name);
      }
    } else if (typeof entry.command !== 'string' || !entry.command) {
      report.skipped.push({ name, why: 'no command' });
    } else if (isWrapped(entry)) {
      report.already.push(name);
    } else {
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
      const env = { ...(entry.env && typeof entry.env === 'object' ? (entry.env as Record<string, string>) : {}) };
      if (opts.key) env.WARDEN_KEY = opts.key;
      if (opts.url) env.WARDEN_URL = opts.url;
      const [command, ...programArgs] = opts.program?.length ? opts.program : ['warden'];
      out[name] = {
        ...entry,
        command,
        args: [...programArgs, 'mcp', 'proxy', '--name', proxyName(name), '--', entry.command, ...args],
        ...(Object.keys(env).length ? { env } : {}),
      };
      report.wrapped.push(name);
    }
  }
  return { config: { ...root, mcpServers: out }, report };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** What wrapping `file` would write, and why; nothing is written yet. */
export function planWrap(file: string, opts: WrapOptions = {}): { config: Record<string, unknown>; report: WrapReport } {
  const { config, report } = wrapConfig(readJson(file), opts);
  return { config, report: { ...report, backup: file + BACKUP_SUFFIX } };
}

/** Writes a planned wrap in place; the first wrap that changes the file leaves a backup. */
export function writeWrap(file: string, plan: { config: Record<string, unknown>; report: WrapReport }): void {
  const { config, report } = plan;
  const backup = report.backup;
  if (report.wrapped.length === 0) return;
  if (!existsSync(backup)) writeFileSync(backup, readFileSync(file), { flag: 'wx', mode: 0o600 });
  const tmp = `${file}.warden-tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Wraps the servers of `file` in place (stdio servers only, unless `gatewayUrl` and `key`). */
export function wrapConfigFile(file: string, opts: WrapOptions = {}): WrapReport {
  const plan = planWrap(file, opts);
  writeWrap(file, plan);
  return plan.report;
}

/** Puts the bytes of the backup back in `file` and removes the backup; returns its path. */
export function unwrapConfigFile(file: string): string {
  const backup = file + BACKUP_SUFFIX;
  if (!existsSync(backup)) throw new Error(`no backup ${backup}: ${file} was not wrapped by warden mcp wrap (or was already restored)`);
  writeFileSync(file, readFileSync(backup));
  rmSync(backup);
  return backup;
}

/** An example client config: the filesystem server run through the proxy with this agent's key. */
export function mcpClientSnippet(url: string, key: string, program: string[] = ['warden']): string {
  const [command, ...programArgs] = program;
  const config = {
    mcpServers: {
      filesystem: {
        command,
        args: [...programArgs, 'mcp', 'proxy', '--name', 'filesystem', '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', '.'],
        env: { WARDEN_URL: url, WARDEN_KEY: key },
      },
    },
  };
  return JSON.stringify(config, null, 2);
}
