/** The operator's routes for MCP server registrations and their tools' dry-run decisions. */
import type { McpToolPreview } from '../../shared/api/mcp.js';
import type { ActionService } from '../actions/service.js';
import type { Api } from '../server/api.js';
import { HttpError } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import { actionFor, categoriesOf, wardenToolName, type ToolAnnotations } from './governance.js';
import type { McpServerRegistry } from './registry.js';
import type { UpstreamPool } from './upstreams.js';

export function mcpRoutes(api: Api, registry: McpServerRegistry, pool: UpstreamPool, actions: ActionService): void {
  api.handle('createMcpServer', ({ body, actor }) => registry.create(body, actor));
  api.handle('listMcpServers', ({ query }) => registry.list(query));
  api.handle('getMcpServer', ({ params }) => registry.get(params.name));
  api.handle('updateMcpServer', ({ params, body, actor }) => registry.update(params.name, body, actor));
  api.handle('deleteMcpServer', ({ params, actor }) => registry.delete(params.name, actor));
  api.handle('listMcpServerTools', async ({ params, query }) => {
    registry.get(params.name);
    let tools: { name: string; description?: string; annotations?: ToolAnnotations & Record<string, unknown> }[] = [];
    try {
      const client = await pool.client(params.name);
      let cursor: string | undefined;
      do {
        const page = await client!.listTools(cursor ? { cursor } : undefined);
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    } catch (err) {
      throw new HttpError(502, 'internal_error', `cannot list the tools of ${params.name}: ${(err as Error).message}`);
    }
    const start = decodeCursor(query.cursor, isNumber) ?? 0;
    tools = tools.filter((t) => typeof t.name === 'string').slice(start, start + query.limit + 1);
    const previews: McpToolPreview[] = tools.map((t) => {
      const evaluation = actions.dryRun(actionFor({ server: params.name }, t.name, {}, t.annotations), query.agent_id ?? null);
      return {
        object: 'mcp_tool',
        name: t.name,
        description: t.description ?? null,
        warden_tool: wardenToolName(params.name, t.name),
        annotations: t.annotations ?? null,
        categories: categoriesOf(t.annotations),
        decision: evaluation.decision,
        status: evaluation.status,
        block_code: evaluation.block_code,
        explanation: evaluation.explanation,
      };
    });
    // The cursor is the position of the next tool in the server's own order.
    return page(previews, query.limit, (p) => p, () => start + query.limit);
  });
}
