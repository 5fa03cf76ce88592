/**
 * REST connections for `rest` executors: a name, a base URL and headers Warden adds to each call.
 * Header values are secrets: never returned, audited or copied into run data (only their names).
 */
import type { Connection } from '../../shared/api/workflow-runs.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { HttpError, notFound } from '../server/errors.js';

interface ConnectionRow {
  id: string;
  name: string;
  base_url: string;
  headers_json: string;
  created_at: string;
  updated_at: string;
}

export interface ResolvedConnection {
  base_url: string;
  headers: Record<string, string>;
}

function toApi(row: ConnectionRow): Connection {
  return {
    id: row.id,
    object: 'connection',
    name: row.name,
    base_url: row.base_url,
    header_names: Object.keys(JSON.parse(row.headers_json) as Record<string, string>),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class ConnectionService {
  private readonly byName;

  constructor(private readonly deps: { db: Db; audit: AuditService; clock: Clock; ids: Ids }) {
    this.byName = deps.db.prepare<[string], ConnectionRow>('SELECT * FROM workflow_connections WHERE name = ?');
  }

  list(): { object: 'list'; data: Connection[] } {
    const rows = this.deps.db.prepare<[], ConnectionRow>('SELECT * FROM workflow_connections ORDER BY name').all();
    return { object: 'list', data: rows.map(toApi) };
  }

  /** For the executor only: the base URL and the secret headers. */
  resolve(name: string): ResolvedConnection | undefined {
    const row = this.byName.get(name);
    return row ? { base_url: row.base_url, headers: JSON.parse(row.headers_json) as Record<string, string> } : undefined;
  }

  create(input: { name: string; base_url: string; headers: Record<string, string> }, actor: string): Connection {
    return immediate(this.deps.db, () => {
      if (this.byName.get(input.name)) throw new HttpError(409, 'state_conflict', `a connection named ${input.name} exists`, 'name');
      const now = toIso(this.deps.clock.now());
      const row: ConnectionRow = { id: this.deps.ids.next('con'), name: input.name, base_url: input.base_url, headers_json: JSON.stringify(input.headers), created_at: now, updated_at: now };
      this.deps.db
        .prepare('INSERT INTO workflow_connections (id, name, base_url, headers_json, created_at, updated_at) VALUES (@id, @name, @base_url, @headers_json, @created_at, @updated_at)')
        .run(row);
      this.deps.audit.append({ event_type: 'connection.created', actor, subject_id: row.id, data: { name: row.name, base_url: row.base_url, header_names: Object.keys(input.headers) } });
      return toApi(row);
    });
  }

  update(name: string, input: { base_url?: string | undefined; headers?: Record<string, string> | undefined }, actor: string): Connection {
    return immediate(this.deps.db, () => {
      const row = this.byName.get(name);
      if (!row) throw notFound('connection', name);
      const next: ConnectionRow = {
        ...row,
        base_url: input.base_url ?? row.base_url,
        headers_json: input.headers ? JSON.stringify(input.headers) : row.headers_json,
        updated_at: toIso(this.deps.clock.now()),
      };
      this.deps.db.prepare('UPDATE workflow_connections SET base_url = @base_url, headers_json = @headers_json, updated_at = @updated_at WHERE id = @id').run(next);
      this.deps.audit.append({ event_type: 'connection.updated', actor, subject_id: row.id, data: { name, base_url: next.base_url, header_names: toApi(next).header_names } });
      return toApi(next);
    });
  }

  remove(name: string, actor: string): { ok: true } {
    return immediate(this.deps.db, () => {
      const row = this.byName.get(name);
      if (!row) throw notFound('connection', name);
      this.deps.db.prepare('DELETE FROM workflow_connections WHERE id = ?').run(row.id);
      this.deps.audit.append({ event_type: 'connection.deleted', actor, subject_id: row.id, data: { name } });
      return { ok: true as const };
    });
  }
}
