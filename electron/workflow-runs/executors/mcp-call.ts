/**
 * An `action` step on a registered MCP server's tool (the importer maps the reference's `mcp`
 * executors to these): once the pipeline allowed the governed action, Warden calls the tool on
 * the server and the tool's result is the step's output (its structured content, else its text
 * parsed as JSON, else `{text}`). A tool error fails the step.
 */
import { wardenToolName } from '../../mcp/governance.js';
import type { UpstreamPool } from '../../mcp/upstreams.js';
import type { ExecutorResult } from '../engine.js';

export type McpToolCaller = (server: string, wardenTool: string, args: Record<string, unknown>) => Promise<ExecutorResult | null>;

interface ToolResult {
  isError?: boolean;
  structuredContent?: unknown;
  content?: { type: string; text?: string }[];
}

function outputOf(result: ToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const text = (result.content ?? []).filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { text };
  }
}

/** Calls the tool behind a governed `mcp.SERVER.TOOL` action; null when `server` is not a registered MCP server. */
export function mcpToolCaller(pool: UpstreamPool): McpToolCaller {
  return async (server, wardenTool, args) => {
    const client = await pool.client(server);
    if (!client) return null;
    const { tools } = await client.listTools();
    const tool = tools.find((t) => wardenToolName(server, t.name) === wardenTool);
    if (!tool) return { ok: false, reason: `MCP server ${server} has no tool behind ${wardenTool}` };
    const result = (await client.callTool({ name: tool.name, arguments: args })) as ToolResult;
    const output = outputOf(result);
    if (result.isError) return { ok: false, reason: `${wardenTool} answered an error: ${JSON.stringify(output).slice(0, 500)}`, output };
    return { ok: true, output };
  };
}
