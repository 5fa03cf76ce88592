/**
 * The MCP gateway's registrations: upstream MCP servers the operator registers (a stdio command or
 * a Streamable HTTP URL), each served to agents at `/mcp/NAME` on Warden's own port. `env` values
 * are secrets: written once, never returned (only their names, `env_keys`) and never audited.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { ListQuery, Timestamp, listOf } from './common.js';
import { BlockCode, Verdict } from './vocabulary.js';

/** Letters, digits, `_` and `-`: the NAME of `mcp.NAME.TOOL` and of `/mcp/NAME`. */
export const McpServerName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"');

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name');
const Env = z.record(EnvName, z.string().max(8192)).refine((env) => Object.keys(env).length <= 64, 'at most 64 variables');
const Command = z.string().min(1).max(1024);
const Args = z.array(z.string().max(4096)).max(256);
const Cwd = z.string().min(1).max(1024);
const HttpUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const p = new URL(u);
      return p.protocol === 'http:' || p.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');

export const McpServerParams = z.strictObject({ name: McpServerName });

export const McpServerInput = z.union([
  z.strictObject({ name: McpServerName, command: Command, args: Args.optional(), env: Env.optional(), cwd: Cwd.optional() }),
  z.strictObject({ name: McpServerName, url: HttpUrl }),
]);
export type McpServerInput = z.infer<typeof McpServerInput>;

/** A change: `env` replaces every variable (values are never read back to merge with). */
export const McpServerPatch = z.strictObject({
  command: Command.optional(),
  args: Args.optional(),
  env: Env.optional(),
  cwd: Cwd.nullable().optional(),
  url: HttpUrl.optional(),
});
export type McpServerPatch = z.infer<typeof McpServerPatch>;

export const McpCalls = z.object({
  /** Actions asked through this server (`mcp.NAME.*`), by how they ended so far. */
  total: z.number().int(),
  allowed: z.number().int(),
  pending: z.number().int(),
  blocked: z.number().int(),
  denied: z.number().int(),
  last_at: Timestamp.nullable(),
});

export const McpServer = z.object({
  object: z.literal('mcp_server'),
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  command: z.string().nullable(),
  args: z.array(z.string()),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  /** The names of its secret environment variables; the values are never returned. */
  env_keys: z.array(z.string()),
  /** Where agents reach it: `/mcp/NAME` on Warden's port. */
  endpoint: z.string(),
  /** The upstream connection: `idle` until first used, `restarting` after its process exited. */
  state: z.enum(['idle', 'starting', 'running', 'restarting', 'failed']),
  calls: McpCalls,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type McpServer = z.infer<typeof McpServer>;

export const McpToolPreview = z.object({
  object: z.literal('mcp_tool'),
  name: z.string(),
  description: z.string().nullable(),
  /** `mcp.NAME.TOOL`: what guardrails and tool policies match. */
  warden_tool: z.string(),
  annotations: z.record(z.string(), z.unknown()).nullable(),
  categories: z.array(z.string()),
  /** The dry run of a call without arguments, for the agent asked about (or no agent). */
  decision: Verdict,
  status: z.enum(['allowed', 'pending_approval', 'blocked']),
  block_code: BlockCode.nullable(),
  explanation: z.string(),
});
export type McpToolPreview = z.infer<typeof McpToolPreview>;

export const mcpRoutes = {
  createMcpServer: defineRoute({
    method: 'POST', path: '/v1/mcp-servers', auth: 'operator', role: 'owner', tag: 'mcp', status: 201,
    summary: 'Register an upstream MCP server: `{name, command, args?, env?, cwd?}` (stdio) or `{name, url}` (Streamable HTTP). A taken name → 409.',
    body: McpServerInput, response: McpServer,
  }),
  listMcpServers: defineRoute({
    method: 'GET', path: '/v1/mcp-servers', auth: 'operator', tag: 'mcp',
    summary: 'Registered MCP servers by name, with their calls so far; env values are never returned.',
    query: ListQuery, response: listOf(McpServer),
  }),
  getMcpServer: defineRoute({
    method: 'GET', path: '/v1/mcp-servers/:name', auth: 'operator', tag: 'mcp',
    summary: 'One registered MCP server.', params: McpServerParams, response: McpServer,
  }),
  updateMcpServer: defineRoute({
    method: 'PATCH', path: '/v1/mcp-servers/:name', auth: 'operator', role: 'owner', tag: 'mcp',
    summary: 'Change a registration (fields of its own transport only); its running process is restarted on next use.',
    params: McpServerParams, body: McpServerPatch, response: McpServer,
  }),
  deleteMcpServer: defineRoute({
    method: 'DELETE', path: '/v1/mcp-servers/:name', auth: 'operator', role: 'admin', tag: 'mcp',
    summary: 'Unregister a server: `/mcp/NAME` answers 404 and its process stops. Its actions stay in the history.',
    params: McpServerParams, response: McpServer,
  }),
  listMcpServerTools: defineRoute({
    method: 'GET', path: '/v1/mcp-servers/:name/tools', auth: 'operator', tag: 'mcp',
    summary: "The server's tools (started if idle), each with the decision a call would get (dry run, for `agent_id` when given).",
    params: McpServerParams,
    query: ListQuery.extend({ agent_id: z.string().min(1).max(100).optional() }),
    response: listOf(McpToolPreview),
  }),
};
