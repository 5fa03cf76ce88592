/**
 * For an approval of an MCP tool call (`resource.type === "mcp_server"`): the server and, when
 * the server is registered with Warden, the tool's own description. Descriptions are read once
 * per server and kept for the session.
 */
import { useEffect, useState } from 'react';
import type { Approval } from '../../../shared/api/approvals.js';
import { api } from '../lib/api';

const descriptions = new Map<string, Promise<Map<string, string>>>();

/** `mcp.NAME.TOOL` → the description of TOOL, by Warden's name of it. */
function descriptionsOf(server: string): Promise<Map<string, string>> {
  let found = descriptions.get(server);
  if (!found) {
    found = (async () => {
      const byTool = new Map<string, string>();
      for await (const t of api().paginate('listMcpServerTools', { params: { name: server }, query: { limit: 500 } })) {
        if (t.description) byTool.set(t.warden_tool, t.description);
      }
      return byTool;
    })().catch(() => new Map<string, string>());
    descriptions.set(server, found);
  }
  return found;
}

/** One line of the card's meta row (`card`), or a paragraph in the detail pane (`detail`). */
export function McpCallContext({ approval: a, variant = 'card' }: { approval: Approval; variant?: 'card' | 'detail' }) {
  const server = a.action.resource?.type === 'mcp_server' ? a.action.resource.id : null;
  const [description, setDescription] = useState<string | null>(null);
  useEffect(() => {
    if (!server) return;
    let live = true;
    void descriptionsOf(server).then((byTool) => {
      if (live) setDescription(byTool.get(a.action.tool) ?? null);
    });
    return () => {
      live = false;
    };
  }, [server, a.action.tool]);
  if (!server) return null;
  const tool = a.action.tool.startsWith(`mcp.${server}.`) ? a.action.tool.slice(`mcp.${server}.`.length) : a.action.tool;
  if (variant === 'card') {
    // The card has a fixed height: one line in its meta row, cut with an ellipsis.
    return (
      <span className="mcp-context" title={description ?? undefined} style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', color: 'var(--muted)' }}>
        MCP {server}
        {description ? ` · ${description}` : ''}
      </span>
    );
  }
  return (
    <p className="mcp-context" aria-label="MCP call">
      <span className="chip">MCP</span> tool <strong className="mono">{tool}</strong> of server <strong>{server}</strong>
      {description ? <span className="muted"> — {description}</span> : null}
    </p>
  );
}
