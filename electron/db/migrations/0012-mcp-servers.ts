import type { Migration } from '../migrate.js';

/**
 * Upstream MCP servers registered for the gateway (`/mcp/NAME`). `env_json` holds secrets: the
 * service never returns or audits its values, only their names.
 */
export const mcpServers: Migration = {
  version: 12,
  name: 'mcp-servers',
  up: `
    CREATE TABLE mcp_servers (
      name TEXT PRIMARY KEY,
      transport TEXT NOT NULL CHECK (transport IN ('stdio', 'http')),
      command TEXT,
      args_json TEXT NOT NULL DEFAULT '[]',
      env_json TEXT NOT NULL DEFAULT '{}',
      cwd TEXT,
      url TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((transport = 'stdio' AND command IS NOT NULL AND url IS NULL) OR (transport = 'http' AND url IS NOT NULL AND command IS NULL))
    );
  `,
};
