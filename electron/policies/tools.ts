/**
 * Tool access: the tool registry, tool policies and role overrides. Policies
 * and overrides may only name registered tools (422 with a hint otherwise), so a typo cannot
 * silently leave a tool ungoverned.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { RoleOverrideObject, ToolObject, ToolPolicyObject } from '../../shared/api/policies.js';
import type { RoleOverride, ToolPolicy } from '../../shared/core/types.js';
import { toIso } from '../common/clock.js';
import { immediate, onRollback } from '../db/connection.js';
import { conflict, notFound, unprocessable } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import type { PolicyEpoch } from './rows.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';

interface ToolRow {
  id: string;
  name: string;
  description: string | null;
  categories: string;
  source: 'declared' | 'seen';
  created_at: string;
  last_seen_at: string | null;
}

interface ToolPolicyRow {
  id: string;
  tool_name: string;
  allowed: 0 | 1;
  restrictions: string;
  created_at: string;
  updated_at: string;
}

interface OverrideRow {
  id: string;
  role: string;
  tool_name: string;
  allowed: 0 | 1;
  created_at: string;
}

type Restrictions = ToolPolicy['restrictions'];

const toTool = (r: ToolRow): ToolObject => ({
  id: r.id,
  object: 'tool',
  name: r.name,
  description: r.description,
  categories: JSON.parse(r.categories) as string[],
  source: r.source,
  created_at: r.created_at,
  last_seen_at: r.last_seen_at,
});

const toToolPolicy = (r: ToolPolicyRow): ToolPolicyObject => ({
  id: r.id,
  object: 'tool_policy',
  tool_name: r.tool_name,
  allowed: r.allowed === 1,
  restrictions: JSON.parse(r.restrictions) as Restrictions,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const toOverride = (r: OverrideRow): RoleOverrideObject => ({
  id: r.id,
  object: 'role_policy_override',
  role: r.role,
  tool_name: r.tool_name,
  allowed: r.allowed === 1,
  created_at: r.created_at,
});

/** Drops undefined keys so stored restrictions read back exactly as given. */
const cleanRestrictions = (r: Restrictions | undefined): Restrictions => {
  const out: Restrictions = {};
  if (r?.allowed_domains !== undefined) out.allowed_domains = [...r.allowed_domains];
  if (r?.max_response_size_kb !== undefined) out.max_response_size_kb = r.max_response_size_kb;
  return out;
};

/** How often a seen tool's `last_seen_at` is refreshed; keeps the action path free of writes. */
const SEEN_REFRESH_MS = 60_000;

export class ToolService extends RecordingService {
  private readonly seen = new Map<string, number>();
  private readonly byName;
  private readonly insertSeen;
  private readonly touchSeen;

  constructor(
    deps: RecordingDeps,
    private readonly epoch: PolicyEpoch,
  ) {
    super(deps);
    const db = deps.db;
    this.byName = db.prepare<[string], ToolRow>('SELECT * FROM tools WHERE name = ?');
    this.insertSeen = db.prepare(
      `INSERT INTO tools (id, name, description, categories, source, created_at, last_seen_at)
       VALUES (?, ?, NULL, '[]', 'seen', ?, ?) ON CONFLICT(name) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
    );
    this.touchSeen = db.prepare('UPDATE tools SET last_seen_at = ? WHERE name = ?');
  }

  // -- registry --------------------------------------------------------------------------------

  listTools(query: { limit: number; cursor?: string }): ListPage<ToolObject> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], ToolRow>('SELECT * FROM tools WHERE (? IS NULL OR name > ?) ORDER BY name LIMIT ?')
      .all(after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, toTool, (r) => r.name);
  }

  declare(input: { name: string; description?: string | null; categories?: string[] }, actor: string): ToolObject {
    return immediate(this.db, () => {
      const existing = this.byName.get(input.name);
      if (existing?.source === 'declared') throw conflict(`tool ${input.name} is already declared`, 'name');
      const now = toIso(this.clock.now());
      const categories = JSON.stringify([...new Set(input.categories ?? [])]);
      let row: ToolRow;
      if (existing) {
        row = { ...existing, description: input.description ?? null, categories, source: 'declared' };
        this.db.prepare(`UPDATE tools SET description = ?, categories = ?, source = 'declared' WHERE id = ?`).run(row.description, categories, row.id);
      } else {
        row = { id: this.ids.next('tool'), name: input.name, description: input.description ?? null, categories, source: 'declared', created_at: now, last_seen_at: null };
        this.db
          .prepare(
            `INSERT INTO tools (id, name, description, categories, source, created_at, last_seen_at)
             VALUES (@id, @name, @description, @categories, @source, @created_at, @last_seen_at)`,
          )
          .run(row);
      }
      this.epoch.changed();
      const tool = toTool(row);
      this.audit.append({ event_type: 'tool.declared', actor, subject_id: row.id, data: { tool } });
      return tool;
    });
  }

  /** Adds a tool to the registry the first time an action names it (cheap after the first call). */
  recordSeen(name: string): void {
    const now = this.clock.now();
    const last = this.seen.get(name);
    if (last !== undefined && now - last < SEEN_REFRESH_MS) return;
    if (this.seen.size > 100_000) this.seen.clear();
    const at = toIso(now);
    // Its own savepoint: a caller may swallow a failure here and go on with its transaction.
    immediate(this.db, () => {
      if (last === undefined) this.insertSeen.run(this.ids.next('tool'), name, at, at);
      else this.touchSeen.run(at, name);
    });
    this.seen.set(name, now);
    // If the caller's transaction rolls back, so does the note that the row exists.
    onRollback(this.db, () => (last === undefined ? this.seen.delete(name) : this.seen.set(name, last)));
  }

  private requireTool(name: string): void {
    if (!this.byName.get(name)) {
      throw unprocessable(`unknown tool_name ${name}: check GET /v1/tools for registered tools, or declare it with POST /v1/tools`, 'tool_name');
    }
  }

  /** Declared categories by tool name (tools without categories are left out). */
  categories(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of this.db.prepare<[], { name: string; categories: string }>(`SELECT name, categories FROM tools WHERE categories != '[]'`).all()) {
      out[r.name] = JSON.parse(r.categories) as string[];
    }
    return out;
  }

  // -- tool policies ---------------------------------------------------------------------------

  listToolPolicies(query: { limit: number; cursor?: string }): ListPage<ToolPolicyObject> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], ToolPolicyRow>('SELECT * FROM tool_policies WHERE (? IS NULL OR tool_name > ?) ORDER BY tool_name LIMIT ?')
      .all(after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, toToolPolicy, (r) => r.tool_name);
  }

  private toolPolicyRow(id: string): ToolPolicyRow {
    const row = this.db.prepare<[string], ToolPolicyRow>('SELECT * FROM tool_policies WHERE id = ?').get(id);
    if (!row) throw notFound('tool policy', id);
    return row;
  }

  getToolPolicy(id: string): ToolPolicyObject {
    return toToolPolicy(this.toolPolicyRow(id));
  }

  createToolPolicy(input: { tool_name: string; allowed: boolean; restrictions?: Restrictions }, actor: string): ToolPolicyObject {
    return immediate(this.db, () => {
      this.requireTool(input.tool_name);
      const existing = this.db.prepare<[string], { id: string }>('SELECT id FROM tool_policies WHERE tool_name = ?').get(input.tool_name);
      if (existing) throw conflict(`tool ${input.tool_name} already has a policy (${existing.id}); PATCH it instead`, 'tool_name');
      const now = toIso(this.clock.now());
      const row: ToolPolicyRow = {
        id: this.ids.next('tpl'),
        tool_name: input.tool_name,
        allowed: input.allowed ? 1 : 0,
        restrictions: JSON.stringify(cleanRestrictions(input.restrictions)),
        created_at: now,
        updated_at: now,
      };
      this.db
        .prepare(
          `INSERT INTO tool_policies (id, tool_name, allowed, restrictions, created_at, updated_at)
           VALUES (@id, @tool_name, @allowed, @restrictions, @created_at, @updated_at)`,
        )
        .run(row);
      this.epoch.changed();
      const policy = toToolPolicy(row);
      this.audit.append({ event_type: 'policy.created', actor, subject_id: row.id, data: { kind: 'tool_policy', tool_policy: policy } });
      return policy;
    });
  }

  updateToolPolicy(id: string, patch: { allowed?: boolean; restrictions?: Restrictions }, actor: string): ToolPolicyObject {
    return immediate(this.db, () => {
      const before = this.toolPolicyRow(id);
      const next: ToolPolicyRow = {
        ...before,
        allowed: patch.allowed === undefined ? before.allowed : patch.allowed ? 1 : 0,
        restrictions: patch.restrictions === undefined ? before.restrictions : JSON.stringify(cleanRestrictions(patch.restrictions)),
      };
      if (next.allowed === before.allowed && next.restrictions === before.restrictions) return toToolPolicy(before);
      next.updated_at = toIso(this.clock.now());
      this.db.prepare('UPDATE tool_policies SET allowed = @allowed, restrictions = @restrictions, updated_at = @updated_at WHERE id = @id').run(next);
      this.epoch.changed();
      const policy = toToolPolicy(next);
      this.audit.append({ event_type: 'policy.updated', actor, subject_id: id, data: { kind: 'tool_policy', before: toToolPolicy(before), tool_policy: policy } });
      return policy;
    });
  }

  deleteToolPolicy(id: string, actor: string): ToolPolicyObject {
    return immediate(this.db, () => {
      const row = this.toolPolicyRow(id);
      this.db.prepare('DELETE FROM tool_policies WHERE id = ?').run(id);
      this.epoch.changed();
      const policy = toToolPolicy(row);
      this.audit.append({ event_type: 'policy.deleted', actor, subject_id: id, data: { kind: 'tool_policy', tool_policy: policy } });
      return policy;
    });
  }

  // -- role overrides --------------------------------------------------------------------------

  listOverrides(query: { limit: number; cursor?: string; role?: string }): ListPage<RoleOverrideObject> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], OverrideRow & { k: string }>(
        `SELECT *, role || char(31) || tool_name AS k FROM role_policy_overrides
         WHERE (? IS NULL OR role = ?) AND (? IS NULL OR role || char(31) || tool_name > ?)
         ORDER BY k LIMIT ?`,
      )
      .all(query.role ?? null, query.role ?? null, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, ({ k: _k, ...r }) => toOverride(r), (r) => r.k);
  }

  createOverride(input: { role: string; tool_name: string; allowed: boolean }, actor: string): RoleOverrideObject {
    return immediate(this.db, () => {
      this.requireTool(input.tool_name);
      const existing = this.db
        .prepare<[string, string], { id: string }>('SELECT id FROM role_policy_overrides WHERE role = ? AND tool_name = ?')
        .get(input.role, input.tool_name);
      if (existing) throw conflict(`role ${input.role} already has an override for ${input.tool_name} (${existing.id})`, 'tool_name');
      const row: OverrideRow = {
        id: this.ids.next('rpo'),
        role: input.role,
        tool_name: input.tool_name,
        allowed: input.allowed ? 1 : 0,
        created_at: toIso(this.clock.now()),
      };
      this.db
        .prepare('INSERT INTO role_policy_overrides (id, role, tool_name, allowed, created_at) VALUES (@id, @role, @tool_name, @allowed, @created_at)')
        .run(row);
      this.epoch.changed();
      const override = toOverride(row);
      this.audit.append({ event_type: 'policy.created', actor, subject_id: row.id, data: { kind: 'role_override', role_override: override } });
      return override;
    });
  }

  deleteOverride(id: string, actor: string): RoleOverrideObject {
    return immediate(this.db, () => {
      const row = this.db.prepare<[string], OverrideRow>('SELECT * FROM role_policy_overrides WHERE id = ?').get(id);
      if (!row) throw notFound('role policy override', id);
      this.db.prepare('DELETE FROM role_policy_overrides WHERE id = ?').run(id);
      this.epoch.changed();
      const override = toOverride(row);
      this.audit.append({ event_type: 'policy.deleted', actor, subject_id: id, data: { kind: 'role_override', role_override: override } });
      return override;
    });
  }

  // -- what the core reads ---------------------------------------------------------------------

  allToolPolicies(): ToolPolicy[] {
    return this.db
      .prepare<[], ToolPolicyRow>('SELECT * FROM tool_policies ORDER BY tool_name')
      .all()
      .map((r) => ({ id: r.id, tool_name: r.tool_name, allowed: r.allowed === 1, restrictions: JSON.parse(r.restrictions) as Restrictions }));
  }

  allOverrides(): RoleOverride[] {
    return this.db
      .prepare<[], OverrideRow>('SELECT * FROM role_policy_overrides ORDER BY role, tool_name')
      .all()
      .map((r) => ({ id: r.id, role: r.role, tool_name: r.tool_name, allowed: r.allowed === 1 }));
  }
}
