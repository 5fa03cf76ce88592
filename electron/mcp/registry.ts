/**
 * Registered upstream MCP servers (`mcp_servers`): create, read, change, delete, each audited.
 *
 * SECURITY: `env` values are secrets. They are stored, handed to the server process, and never
 * leave this module otherwise: answers and audit rows carry only their names (`env_keys`).
 */
import type { McpServer, McpServerInput, McpServerPatch } from '../../shared/api/mcp.js';
import type { ListPage } from '../../shared/api/common.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import { HttpError, conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';

interface ServerRow {
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args_json: string;
  env_json: string;
  cwd: string | null;
  url: string | null;
  created_at: string;
  updated_at: string;
}

/** What starts an upstream: the whole registration, secrets included (never sent anywhere else). */
export interface UpstreamSpec {
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
}

export type UpstreamState = McpServer['state'];

const specOf = (r: ServerRow): UpstreamSpec => ({
  name: r.name,
  transport: r.transport,
  command: r.command,
  args: JSON.parse(r.args_json) as string[],
  env: JSON.parse(r.env_json) as Record<string, string>,
  cwd: r.cwd,
  url: r.url,
});

/** What may be shown of a registration: everything but the env values. */
function publicFields(r: ServerRow) {
  return {
    name: r.name,
    transport: r.transport,
    command: r.command,
    args: JSON.parse(r.args_json) as string[],
    cwd: r.cwd,
    url: r.url,
    env_keys: Object.keys(JSON.parse(r.env_json) as Record<string, string>).sort(),
  };
}

export class McpServerRegistry {
  /** Told (after commit) when a registration changed or went away, with its name. */
  private readonly changeListeners: ((name: string) => void)[] = [];
  /** The state of each upstream connection, given by the gateway. */
  stateOf: (name: string) => UpstreamState = () => 'idle';

  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor({ db, audit, clock }: { db: Db; audit: AuditService; clock: Clock }) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  onChange(fn: (name: string) => void): void {
    this.changeListeners.push(fn);
  }

  private row(name: string): ServerRow | undefined {
    return this.db.prepare<[string], ServerRow>('SELECT * FROM mcp_servers WHERE name = ?').get(name);
  }

  private toServer(r: ServerRow): McpServer {
    const prefix = `mcp.${r.name}.`;
    const counts = this.db
      .prepare<[number, string], { status: string; n: number; last_at: string | null }>(
        'SELECT status, COUNT(*) AS n, MAX(created_at) AS last_at FROM actions WHERE substr(tool, 1, ?) = ? GROUP BY status',
      )
      .all(prefix.length, prefix);
    const count = (...statuses: string[]) => counts.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + c.n, 0);
    const lastAt = counts.reduce<string | null>((max, c) => (c.last_at && (!max || c.last_at > max) ? c.last_at : max), null);
    return {
      object: 'mcp_server',
      ...publicFields(r),
      endpoint: `/mcp/${r.name}`,
      state: this.stateOf(r.name),
      calls: {
        total: count('allowed', 'completed', 'pending_approval', 'blocked', 'denied', 'expired'),
        allowed: count('allowed', 'completed'),
        pending: count('pending_approval'),
        blocked: count('blocked'),
        denied: count('denied', 'expired'),
        last_at: lastAt,
      },
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  private announce(name: string): void {
    onCommit(this.db, () => {
      for (const fn of this.changeListeners) fn(name);
    });
  }

  create(input: McpServerInput, actor: string): McpServer {
    return immediate(this.db, () => {
      if (this.row(input.name)) throw conflict(`an MCP server named ${input.name} is already registered`, 'name');
      const now = toIso(this.clock.now());
      const stdio = 'command' in input;
      const row: ServerRow = {
        name: input.name,
        transport: stdio ? 'stdio' : 'http',
        command: stdio ? input.command : null,
        args_json: JSON.stringify(stdio ? (input.args ?? []) : []),
        env_json: JSON.stringify(stdio ? (input.env ?? {}) : {}),
        cwd: stdio ? (input.cwd ?? null) : null,
        url: stdio ? null : input.url,
        created_at: now,
        updated_at: now,
      };
      this.db
        .prepare('INSERT INTO mcp_servers (name, transport, command, args_json, env_json, cwd, url, created_at, updated_at) VALUES (@name, @transport, @command, @args_json, @env_json, @cwd, @url, @created_at, @updated_at)')
        .run(row);
      this.audit.append({ event_type: 'mcp_server.created', actor, subject_id: row.name, data: { mcp_server: publicFields(row) } });
      this.announce(row.name);
      return this.toServer(row);
    });
  }

  list(query: { limit: number; cursor?: string }): ListPage<McpServer> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<[string, number], ServerRow>('SELECT * FROM mcp_servers WHERE name > ? ORDER BY name LIMIT ?')
      .all(after ?? '', query.limit + 1);
    return page(rows, query.limit, (r) => this.toServer(r), (r) => r.name);
  }

  get(name: string): McpServer {
    const row = this.row(name);
    if (!row) throw notFound('MCP server', name);
    return this.toServer(row);
  }

  /** The registration with its secrets, for starting it; undefined when not registered. */
  spec(name: string): UpstreamSpec | undefined {
    const row = this.row(name);
    return row ? specOf(row) : undefined;
  }

  update(name: string, patch: McpServerPatch, actor: string): McpServer {
    return immediate(this.db, () => {
      const row = this.row(name);
      if (!row) throw notFound('MCP server', name);
      const stdioFields = (['command', 'args', 'env', 'cwd'] as const).filter((k) => patch[k] !== undefined);
      if (row.transport === 'http' && stdioFields.length) {
        throw new HttpError(400, 'invalid_parameter', `${name} is reached by URL; ${stdioFields[0]} applies only to a stdio server`, stdioFields[0]);
      }
      if (row.transport === 'stdio' && patch.url !== undefined) {
        throw new HttpError(400, 'invalid_parameter', `${name} is a stdio server; url applies only to a server reached by URL`, 'url');
      }
      const next: ServerRow = {
        ...row,
        command: patch.command ?? row.command,
        args_json: patch.args ? JSON.stringify(patch.args) : row.args_json,
        env_json: patch.env ? JSON.stringify(patch.env) : row.env_json,
        cwd: patch.cwd === undefined ? row.cwd : patch.cwd,
        url: patch.url ?? row.url,
        updated_at: toIso(this.clock.now()),
      };
      this.db
        .prepare('UPDATE mcp_servers SET command = @command, args_json = @args_json, env_json = @env_json, cwd = @cwd, url = @url, updated_at = @updated_at WHERE name = @name')
        .run(next);
      const changed = Object.keys(patch).filter((k) => patch[k as keyof McpServerPatch] !== undefined);
      this.audit.append({ event_type: 'mcp_server.updated', actor, subject_id: name, data: { changed, mcp_server: publicFields(next) } });
      this.announce(name);
      return this.toServer(next);
    });
  }

  delete(name: string, actor: string): McpServer {
    return immediate(this.db, () => {
      const row = this.row(name);
      if (!row) throw notFound('MCP server', name);
      const server = this.toServer(row);
      this.db.prepare('DELETE FROM mcp_servers WHERE name = ?').run(name);
      this.audit.append({ event_type: 'mcp_server.deleted', actor, subject_id: name, data: { mcp_server: publicFields(row) } });
      this.announce(name);
      return server;
    });
  }
}
