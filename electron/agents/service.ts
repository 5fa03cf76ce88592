/** Agents and their API keys. Keys are shown once and stored as SHA-256 hashes. */
import { AGENT_SCOPES, type AgentScope } from '../../shared/vocabulary.js';
import type { Agent, AgentKey } from '../../shared/api/agents.js';
import type { AgentContext } from '../../shared/core/types.js';
import type { ListPage } from '../../shared/api/common.js';
import { toIso } from '../common/clock.js';
import { hashSecret, newSecret } from '../common/ids.js';
import { immediate, onRollback } from '../db/connection.js';
import { conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { LastContact, later } from './last-contact.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';

interface AgentRow {
  id: string;
  name: string;
  role: string | null;
  team_id: string | null;
  leader_agent_id: string | null;
  status: 'active' | 'disabled';
  /** JSON list of permission names. */
  permissions: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
  deleted_at: string | null;
}

interface KeyRow {
  id: string;
  agent_id: string;
  key_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

const agentOf = (r: AgentRow, contact: LastContact): Agent => ({
  object: 'agent',
  ...r,
  permissions: JSON.parse(r.permissions) as string[],
  last_seen_at: later(contact.agentSeenAt(r.id), r.last_seen_at),
});
const keyOf = (r: KeyRow, contact: LastContact): AgentKey => ({
  id: r.id,
  object: 'agent_key',
  agent_id: r.agent_id,
  prefix: r.prefix,
  scopes: JSON.parse(r.scopes) as AgentScope[],
  created_at: r.created_at,
  revoked_at: r.revoked_at,
  last_used_at: later(contact.keyUsedAt(r.id), r.last_used_at),
});

/** What the decision core reads of an agent (the snapshot's `agent`). */
export function agentContext(a: Agent): AgentContext {
  return { id: a.id, name: a.name, role: a.role, team_id: a.team_id, leader_agent_id: a.leader_agent_id, status: a.status };
}

export interface AgentPatch {
  name?: string;
  status?: 'active' | 'disabled';
  role?: string | null;
  team_id?: string | null;
  leader_agent_id?: string | null;
  permissions?: readonly string[];
}

/** Who an agent key belongs to, as authentication needs it. */
export interface LiveKey {
  agentId: string;
  keyId: string;
  scopes: readonly AgentScope[];
}

/** An authenticated agent key with the permissions its agent carries now. */
export interface KeyHolder extends LiveKey {
  permissions: readonly string[];
}

export class AgentService extends RecordingService {
  private readonly byKeyHash;
  private readonly byId;
  /**
   * Keys already resolved, by key hash. Every authenticated request resolves its key, and the
   * read transaction of that lookup was a large share of a cheap request's CPU.
   * INVARIANT: one Warden owns the database (the data folder lock) and a key only ever changes by being
   * revoked here, which drops it first. Only committed rows are kept (never from inside a
   * transaction), and unknown keys are never kept, so random keys cannot grow it.
   */
  private readonly liveKeys = new Map<string, Readonly<LiveKey>>();
  /**
   * Agent rows already read, by id: every decision reads its agent.
   * The same INVARIANT as liveKeys: rows change only through create() and update() here, and
   * update() drops the row before writing it. A row read inside a transaction is dropped again
   * if that transaction (or savepoint) rolls back, so nothing uncommitted outlives it.
   */
  private readonly rows = new Map<string, AgentRow>();
  /** When each agent and key last authenticated (kept in memory, written every few seconds). */
  readonly contact: LastContact;

  constructor(deps: RecordingDeps) {
    super(deps);
    const db = deps.db;
    // One index lookup on every authenticated request (agent_keys.agent_id references agents).
    this.byKeyHash = db.prepare<[string], Pick<KeyRow, 'id' | 'agent_id' | 'scopes'>>(
      'SELECT id, agent_id, scopes FROM agent_keys WHERE key_hash = ? AND revoked_at IS NULL',
    );
    this.byId = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE id = ?');
    this.contact = new LastContact(db, deps.clock);
  }

  private toAgent(r: AgentRow): Agent {
    return agentOf(r, this.contact);
  }

  private toKey(r: KeyRow): AgentKey {
    return keyOf(r, this.contact);
  }

  find(id: string): Agent | undefined {
    let row = this.rows.get(id);
    if (!row) {
      row = this.byId.get(id);
      if (!row) return undefined;
      this.rows.set(id, row);
      if (this.db.inTransaction) onRollback(this.db, () => this.rows.delete(id));
    }
    return this.toAgent(row);
  }

  get(id: string): Agent {
    const agent = this.find(id);
    if (!agent) throw notFound('agent', id);
    return agent;
  }

  findByName(name: string): Agent | undefined {
    const row = this.db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE name = ?').get(name);
    return row ? this.toAgent(row) : undefined;
  }

  create(
    input: { name: string; role?: string; team_id?: string; leader_agent_id?: string; scopes?: AgentScope[] },
    actor: string,
  ): Agent & { api_key: string; key: AgentKey } {
    return immediate(this.db, () => {
      if (this.findByName(input.name)) throw conflict(`an agent named ${input.name} already exists`, 'name');
      if (input.leader_agent_id && !this.find(input.leader_agent_id)) {
        throw notFound('agent', input.leader_agent_id);
      }
      const now = toIso(this.clock.now());
      const row: AgentRow = {
        id: this.ids.next('agt'),
        name: input.name,
        role: input.role ?? null,
        team_id: input.team_id ?? null,
        leader_agent_id: input.leader_agent_id ?? null,
        status: 'active',
        permissions: '[]',
        created_at: now,
        updated_at: now,
        last_seen_at: null,
        deleted_at: null,
      };
      this.db
        .prepare(
          `INSERT INTO agents (id, name, role, team_id, leader_agent_id, status, created_at, updated_at)
           VALUES (@id, @name, @role, @team_id, @leader_agent_id, @status, @created_at, @updated_at)`,
        )
        .run(row);
      const agent = this.toAgent(row);
      this.audit.append({ event_type: 'agent.created', actor, agent_id: agent.id, subject_id: agent.id, data: { agent } });
      const { api_key, ...key } = this.issueKey(agent.id, input.scopes ?? [...AGENT_SCOPES], actor);
      return { ...agent, api_key, key };
    });
  }

  list(query: { limit: number; cursor?: string; status?: 'active' | 'disabled'; include_deleted?: boolean }): ListPage<Agent> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], AgentRow>(
        `SELECT * FROM agents WHERE (? = 1 OR deleted_at IS NULL) AND (? IS NULL OR status = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(query.include_deleted ? 1 : 0, query.status ?? null, query.status ?? null, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, (r) => this.toAgent(r), (r) => r.id);
  }

  update(id: string, patch: AgentPatch, actor: string): Agent {
    return immediate(this.db, () => {
      const before = this.get(id);
      if (before.deleted_at) throw conflict(`agent ${before.name} was deleted at ${before.deleted_at}`);
      if (patch.name !== undefined && patch.name !== before.name) {
        const holder = this.findByName(patch.name);
        if (holder) throw conflict(`an agent named ${patch.name} already exists (${holder.id})`, 'name');
      }
      if (patch.leader_agent_id) {
        if (patch.leader_agent_id === id) throw conflict('an agent cannot lead itself', 'leader_agent_id');
        if (!this.find(patch.leader_agent_id)) throw notFound('agent', patch.leader_agent_id);
      }
      const next: AgentRow = {
        ...before,
        name: patch.name ?? before.name,
        status: patch.status ?? before.status,
        role: patch.role === undefined ? before.role : patch.role,
        team_id: patch.team_id === undefined ? before.team_id : patch.team_id,
        leader_agent_id: patch.leader_agent_id === undefined ? before.leader_agent_id : patch.leader_agent_id,
        permissions: JSON.stringify(patch.permissions ? [...new Set(patch.permissions)] : before.permissions),
        updated_at: toIso(this.clock.now()),
      };
      this.rows.delete(id);
      this.db
        .prepare(
          `UPDATE agents SET name = @name, status = @status, role = @role, team_id = @team_id,
           leader_agent_id = @leader_agent_id, permissions = @permissions, updated_at = @updated_at WHERE id = @id`,
        )
        .run(next);
      const agent = this.toAgent(next);
      this.audit.append({ event_type: 'agent.updated', actor, agent_id: id, subject_id: id, data: { patch, agent } });
      return agent;
    });
  }

  /** An agent's keys, newest first (ids sort by creation time). */
  listKeys(agentId: string, query: { limit: number; cursor?: string }): ListPage<AgentKey> {
    this.get(agentId);
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], KeyRow>('SELECT * FROM agent_keys WHERE agent_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?')
      .all(agentId, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, (r) => this.toKey(r), (r) => r.id);
  }

  issueKey(agentId: string, scopes: readonly AgentScope[], actor: string): AgentKey & { api_key: string } {
    return immediate(this.db, () => {
      const agent = this.get(agentId);
      if (agent.deleted_at) throw conflict(`agent ${agent.name} was deleted at ${agent.deleted_at}; it gets no new keys`);
      const secret = newSecret('agent');
      const row: KeyRow = {
        id: this.ids.next('key'),
        agent_id: agentId,
        key_hash: hashSecret(secret),
        prefix: secret.slice(0, 13),
        scopes: JSON.stringify([...new Set(scopes)]),
        created_at: toIso(this.clock.now()),
        revoked_at: null,
        last_used_at: null,
      };
      this.db
        .prepare(
          `INSERT INTO agent_keys (id, agent_id, key_hash, prefix, scopes, created_at)
           VALUES (@id, @agent_id, @key_hash, @prefix, @scopes, @created_at)`,
        )
        .run(row);
      const key = this.toKey(row);
      this.audit.append({ event_type: 'key.created', actor, agent_id: agentId, subject_id: key.id, data: { key } });
      return { ...key, api_key: secret };
    });
  }

  revokeKey(agentId: string, keyId: string, actor: string): AgentKey {
    return immediate(this.db, () => {
      const row = this.db
        .prepare<[string, string], KeyRow>('SELECT * FROM agent_keys WHERE id = ? AND agent_id = ?')
        .get(keyId, agentId);
      if (!row) throw notFound('key', keyId);
      if (row.revoked_at) throw conflict(`key ${keyId} is already revoked`);
      row.revoked_at = toIso(this.clock.now());
      // Before the write: were it rolled back, the next lookup reads the key again from the file.
      this.liveKeys.delete(row.key_hash);
      this.db.prepare('UPDATE agent_keys SET revoked_at = ? WHERE id = ?').run(row.revoked_at, keyId);
      const key = this.toKey(row);
      this.audit.append({ event_type: 'key.revoked', actor, agent_id: agentId, subject_id: keyId, data: { key } });
      return key;
    });
  }

  /**
   * Deletes agent `id`: every live key is revoked (dropped from the key cache first), the agent
   * is disabled and marked deleted. Its row stays, so its history keeps its name.
   */
  remove(id: string, actor: string): Agent {
    return immediate(this.db, () => {
      const before = this.get(id);
      if (before.deleted_at) throw conflict(`agent ${before.name} was already deleted at ${before.deleted_at}`);
      const now = toIso(this.clock.now());
      const live = this.db.prepare<[string], KeyRow>('SELECT * FROM agent_keys WHERE agent_id = ? AND revoked_at IS NULL').all(id);
      // Before the writes: were they rolled back, the next lookup reads the keys again from the file.
      for (const k of live) this.liveKeys.delete(k.key_hash);
      this.rows.delete(id);
      this.db.prepare('UPDATE agent_keys SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL').run(now, id);
      this.db.prepare(`UPDATE agents SET status = 'disabled', deleted_at = ?, updated_at = ? WHERE id = ?`).run(now, now, id);
      const agent = this.get(id);
      this.audit.append({ event_type: 'agent.deleted', actor, agent_id: id, subject_id: id, data: { agent, keys_revoked: live.map((k) => k.id) } });
      return agent;
    });
  }

  /**
   * The agent behind a live key, or undefined. A disabled agent still authenticates (so it can
   * read its own state); the kill-switch layer is what BLOCKs its actions.
   */
  resolveKey(secret: string): Readonly<KeyHolder> | undefined {
    const hash = hashSecret(secret);
    let key = this.liveKeys.get(hash);
    if (!key) {
      const row = this.byKeyHash.get(hash);
      if (!row) return undefined;
      key = { agentId: row.agent_id, keyId: row.id, scopes: Object.freeze(JSON.parse(row.scopes) as AgentScope[]) };
      if (!this.db.inTransaction) this.liveKeys.set(hash, key);
    }
    this.contact.touch(key.agentId, key.keyId);
    // The agent's row is cached (see `rows`) and dropped on update, so a permissions change is seen at once.
    return { ...key, permissions: this.find(key.agentId)?.permissions ?? [] };
  }
}
