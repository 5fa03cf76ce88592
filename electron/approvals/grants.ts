/**
 * Allow-always grants: created by an `allow_always` decision, read by the snapshot assembly
 * (`GrantStore`), revoked by the operator. A revoked or expired grant stops applying at once
 * because every read filters on `now`.
 */
import type { Grant } from '../../shared/api/grants.js';
import type { ListPage } from '../../shared/api/common.js';
import type { GrantState } from '../../shared/core/types.js';
import { toIso } from '../common/clock.js';
import { immediate } from '../db/connection.js';
import type { GrantStore } from '../ports.js';
import { conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';

export interface GrantRow {
  id: string;
  agent_id: string;
  tool: string;
  connector: string | null;
  args_pattern: string | null;
  max_value: number | null;
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  approval_id: string | null;
  created_by: string;
}

const toState = (r: GrantRow): GrantState => ({
  id: r.id,
  agent_id: r.agent_id,
  tool: r.tool,
  connector: r.connector,
  args_pattern: r.args_pattern ? (JSON.parse(r.args_pattern) as Record<string, unknown>) : null,
  max_value: r.max_value,
  expires_at: r.expires_at,
  revoked_at: r.revoked_at,
});

export interface NewGrant {
  agent_id: string;
  tool: string;
  connector: string | null;
  args_pattern: Record<string, unknown> | null;
  max_value?: number | null;
  expires_at: string | null;
  approval_id: string | null;
}

export class GrantService extends RecordingService implements GrantStore {
  private readonly liveStmt;
  private readonly byId;

  constructor(deps: RecordingDeps) {
    super(deps);
    const db = deps.db;
    this.liveStmt = db.prepare<[string, string], GrantRow>(
      `SELECT * FROM grants WHERE agent_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
    );
    this.byId = db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE id = ?');
  }

  liveGrants(agentId: string, now: number): GrantState[] {
    return this.liveStmt.all(agentId, toIso(now)).map(toState);
  }

  toApi(r: GrantRow): Grant {
    const now = toIso(this.clock.now());
    return {
      ...toState(r),
      object: 'grant',
      created_at: r.created_at,
      approval_id: r.approval_id,
      created_by: r.created_by,
      live: r.revoked_at === null && (r.expires_at === null || r.expires_at > now),
    };
  }

  /** Creates a grant; call inside the decision's transaction. */
  create(input: NewGrant, actor: string): Grant {
    return immediate(this.db, () => {
      const row: GrantRow = {
        id: this.ids.next('gnt'),
        agent_id: input.agent_id,
        tool: input.tool,
        connector: input.connector,
        args_pattern: input.args_pattern ? JSON.stringify(input.args_pattern) : null,
        max_value: input.max_value ?? null,
        expires_at: input.expires_at,
        created_at: toIso(this.clock.now()),
        revoked_at: null,
        approval_id: input.approval_id,
        created_by: actor,
      };
      this.db
        .prepare(
          `INSERT INTO grants (id, agent_id, tool, connector, args_pattern, max_value, expires_at, created_at, revoked_at, approval_id, created_by)
           VALUES (@id, @agent_id, @tool, @connector, @args_pattern, @max_value, @expires_at, @created_at, @revoked_at, @approval_id, @created_by)`,
        )
        .run(row);
      const grant = this.toApi(row);
      this.audit.append({ event_type: 'grant.created', actor, agent_id: row.agent_id, subject_id: row.id, data: { grant } });
      return grant;
    });
  }

  get(id: string, visibleTo?: string): Grant {
    const row = this.byId.get(id);
    if (!row || (visibleTo && row.agent_id !== visibleTo)) throw notFound('grant', id);
    return this.toApi(row);
  }

  list(query: { limit: number; cursor?: string; agent_id?: string; tool?: string; state: 'live' | 'all' }): ListPage<Grant> {
    const after = decodeCursor(query.cursor, isString);
    const live = query.state === 'live';
    const rows = this.db
      .prepare<unknown[], GrantRow>(
        `SELECT * FROM grants
         WHERE (? IS NULL OR agent_id = ?) AND (? IS NULL OR tool = ?)
           AND (? = 0 OR (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)))
           AND (? IS NULL OR id < ?)
         ORDER BY id DESC LIMIT ?`,
      )
      .all(
        query.agent_id ?? null, query.agent_id ?? null,
        query.tool ?? null, query.tool ?? null,
        live ? 1 : 0, toIso(this.clock.now()),
        after ?? null, after ?? null,
        query.limit + 1,
      );
    return page(rows, query.limit, (r) => this.toApi(r), (r) => r.id);
  }

  revoke(id: string, actor: string): Grant {
    return immediate(this.db, () => {
      const row = this.byId.get(id);
      if (!row) throw notFound('grant', id);
      if (row.revoked_at) throw conflict(`grant ${id} is already revoked`);
      row.revoked_at = toIso(this.clock.now());
      this.db.prepare('UPDATE grants SET revoked_at = ? WHERE id = ?').run(row.revoked_at, id);
      const grant = this.toApi(row);
      this.audit.append({ event_type: 'grant.revoked', actor, agent_id: row.agent_id, subject_id: id, data: { grant } });
      return grant;
    });
  }
}
