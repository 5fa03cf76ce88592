/** `warden agent add|list|disable|enable`: register agents and hand out their first key. */
import type { Command } from 'commander';
import { AGENT_SCOPES, type AgentScope } from '../../shared/vocabulary.js';
import { withConnection, withGlobalOptions, type Connection } from './context.js';
import { usageError, type CliIO } from './io.js';
import { printTable, shortTime, writeJson, writeLine } from './output.js';
import { claudeCodeSettings } from './claude-settings.js';
import { mcpClientSnippet } from '../mcp/wrap.js';
import { wardenProgram } from './mcp.js';
import { findAgent } from './resolve.js';

export function parseScopes(text: string): AgentScope[] {
  const scopes = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) {
    if (!(AGENT_SCOPES as readonly string[]).includes(s)) {
      throw usageError(`unknown scope ${JSON.stringify(s)}; expected some of ${AGENT_SCOPES.join(', ')}`);
    }
  }
  if (scopes.length === 0) throw usageError(`--scopes needs at least one of ${AGENT_SCOPES.join(', ')}`);
  return scopes as AgentScope[];
}

/** The lines to paste into an agent's environment. */
export function envSnippet(conn: Pick<Connection, 'url'>, apiKey: string): string[] {
  return [`export WARDEN_URL=${conn.url}`, `export WARDEN_KEY=${apiKey}`];
}

export function agentCommands(program: Command, io: CliIO): void {
  const agent = program.command('agent').description('register and manage agents');

  withGlobalOptions(
    agent
      .command('add <name>')
      .description('register an agent and print its API key (shown once) with an env snippet')
      .option('--role <role>', 'role, for role overrides and guardrail matchers')
      .option('--team <team>', 'team id, for team budgets')
      .option('--leader <agent>', 'leader agent (id or name), for delegation approvals')
      .option('--scopes <list>', `comma-separated key scopes (default: all of ${AGENT_SCOPES.join(',')})`)
      .option('--claude-code', 'also print the Claude Code settings block that wires `warden hook claude-code` (`warden connect claude-code` writes it for you)')
      .option('--mcp', 'also print an MCP client config entry that runs a server through `warden mcp proxy` with this key'),
  ).action((name: string, opts: { role?: string; team?: string; leader?: string; scopes?: string; claudeCode?: boolean; mcp?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const scopes = opts.scopes ? parseScopes(opts.scopes) : undefined;
      const leader = opts.leader ? (await findAgent(conn.client, opts.leader)).id : undefined;
      const created = await conn.client.call('createAgent', {
        body: { name, role: opts.role, team_id: opts.team, leader_agent_id: leader, scopes },
      });
      if (conn.json) return writeJson(io, created);
      writeLine(io, `Agent ${created.name} (${created.id}) registered.`);
      writeLine(io, `Its API key, shown only this once (scopes: ${created.key.scopes.join(', ')}):`);
      writeLine(io);
      writeLine(io, `  ${created.api_key}`);
      writeLine(io);
      writeLine(io, 'Paste into the agent’s environment:');
      writeLine(io);
      for (const line of envSnippet(conn, created.api_key)) writeLine(io, `  ${line}`);
      if (opts.claudeCode) {
        writeLine(io);
        writeLine(io, 'For Claude Code, put this in .claude/settings.local.json (keep it out of git: it holds the key),');
        writeLine(io, 'or let `warden connect claude-code --key KEY` merge it in and test it:');
        writeLine(io);
        writeLine(io, claudeCodeSettings(conn.url, created.api_key));
      }
      if (opts.mcp) {
        writeLine(io);
        writeLine(io, 'For an MCP client (.mcp.json of Claude Code, Cursor’s mcp.json, Claude Desktop’s config), run each server');
        writeLine(io, `through the proxy — or let \`warden mcp wrap FILE --key KEY\` rewrite the file you have:`);
        writeLine(io);
        writeLine(io, mcpClientSnippet(conn.url, created.api_key, wardenProgram()));
      }
    }),
  );

  withGlobalOptions(
    agent
      .command('list')
      .description('list agents')
      .option('--status <status>', 'only active or disabled agents'),
  ).action((opts: { status?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.status && opts.status !== 'active' && opts.status !== 'disabled') {
        throw usageError(`--status must be active or disabled, got ${JSON.stringify(opts.status)}`);
      }
      const agents = [];
      for await (const a of conn.client.paginate('listAgents', { query: { limit: 500, status: opts.status as 'active' | undefined } })) agents.push(a);
      if (conn.json) return writeJson(io, agents);
      printTable(
        io,
        ['ID', 'NAME', 'ROLE', 'TEAM', 'STATUS', 'CREATED', 'LAST SEEN'],
        agents.map((a) => [a.id, a.name, a.role, a.team_id, a.status, shortTime(a.created_at), a.last_seen_at ? shortTime(a.last_seen_at) : 'never']),
        'no agents yet — add one with `warden agent add NAME`',
      );
    }),
  );

  withGlobalOptions(
    agent
      .command('delete <agent>')
      .description('delete an agent: its keys are revoked at once, its history (audit, actions, spend) is kept')
      .option('--yes', 'confirm the deletion'),
  ).action((idOrName: string, opts: { yes?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const found = await findAgent(conn.client, idOrName);
      if (!opts.yes) throw usageError(`deleting agent ${found.name} revokes every key of it at once; run again with --yes to confirm`);
      const deleted = await conn.client.call('deleteAgent', { params: { id: found.id } });
      if (conn.json) return writeJson(io, deleted);
      writeLine(io, `Agent ${deleted.name} (${deleted.id}) is deleted: its keys are revoked, its history is kept.`);
    }),
  );

  for (const [verb, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    withGlobalOptions(
      agent
        .command(`${verb} <agent>`)
        .description(verb === 'disable' ? 'disable an agent (every action it asks for is BLOCKed)' : 'enable a disabled agent'),
    ).action((idOrName: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const found = await findAgent(conn.client, idOrName);
        const updated = await conn.client.call('updateAgent', { params: { id: found.id }, body: { status } });
        if (conn.json) return writeJson(io, updated);
        writeLine(io, `Agent ${updated.name} (${updated.id}) is ${updated.status}.`);
      }),
    );
  }
}
