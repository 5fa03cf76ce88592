/**
 * Guardrail policies (reference 002): slug names, monotonic versions, every version readable,
 * PATCH replacing rules, DELETE keeping history. Each change bumps the policy epoch so compiled
 * caches rebuild, and is audited with the version it produced.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { GuardrailPolicyObject, GuardrailVersionObject } from '../../shared/api/policies.js';
import { globMatch } from '../../shared/core/glob.js';
import type { GuardrailPolicy, GuardrailRule } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { HttpError, conflict, notFound } from '../server/errors.js';
import { decodeCursor, isNumber, isString, page } from '../server/pagination.js';
import { bumpEpoch, canonicalJson } from './rows.js';

interface PolicyRow {
  id: string;
  name: string;
  description: string | null;
  status: 'active' | 'disabled';
  version: number;
  rules: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

interface VersionRow {
  policy_id: string;
  version: number;
  name: string;
  description: string | null;
  status: 'active' | 'disabled';
  rules: string;
  created_at: string;
  actor: string;
}

const toPolicy = (r: PolicyRow): GuardrailPolicyObject => ({
  id: r.id,
  object: 'guardrail_policy',
  name: r.name,
  description: r.description,
  status: r.status,
  version: r.version,
  rules: JSON.parse(r.rules) as GuardrailRule[],
  created_at: r.created_at,
  updated_at: r.updated_at,
  deleted_at: r.deleted_at,
});

const toVersion = (p: PolicyRow, v: VersionRow): GuardrailVersionObject => ({
  ...toPolicy(p),
  description: v.description,
  status: v.status,
  version: v.version,
  rules: JSON.parse(v.rules) as GuardrailRule[],
  updated_at: v.created_at,
  version_created_at: v.created_at,
  version_actor: v.actor,
});

/** Reference 002: empty rules is a missing parameter, not an invalid one. */
function requireRules(rules: readonly GuardrailRule[]): void {
  if (rules.length === 0) throw new HttpError(400, 'missing_parameter', 'rules must hold at least one rule', 'rules');
}

export interface GuardrailCreate {
  name: string;
  rules: GuardrailRule[];
  description?: string | null;
  status?: 'active' | 'disabled';
}

export interface GuardrailPatch {
  rules?: GuardrailRule[];
  description?: string | null;
  status?: 'active' | 'disabled';
}

export class GuardrailService {
  private readonly byId;
  private readonly activeStmt;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {
    this.byId = db.prepare<[string], PolicyRow>('SELECT * FROM guardrail_policies WHERE id = ?');
    this.activeStmt = db.prepare<[], PolicyRow>(
      `SELECT * FROM guardrail_policies WHERE deleted_at IS NULL AND status = 'active' ORDER BY created_at, id`,
    );
  }

  private row(id: string): PolicyRow {
    const row = this.byId.get(id);
    if (!row) throw notFound('guardrail policy', id);
    return row;
  }

  create(input: GuardrailCreate, actor: string): GuardrailPolicyObject {
    requireRules(input.rules);
    return immediate(this.db, () => {
      const taken = this.db
        .prepare<[string], { id: string }>('SELECT id FROM guardrail_policies WHERE name = ? AND deleted_at IS NULL')
        .get(input.name);
      if (taken) throw conflict(`a guardrail policy named ${input.name} already exists (${taken.id})`, 'name');
      const now = toIso(this.clock.now());
      const row: PolicyRow = {
        id: this.ids.next('grd'),
        name: input.name,
        description: input.description ?? null,
        status: input.status ?? 'active',
        version: 1,
        rules: JSON.stringify(input.rules),
        created_at: now,
        updated_at: now,
        deleted_at: null,
      };
      this.db
        .prepare(
          `INSERT INTO guardrail_policies (id, name, description, status, version, rules, created_at, updated_at)
           VALUES (@id, @name, @description, @status, @version, @rules, @created_at, @updated_at)`,
        )
        .run(row);
      this.insertVersion(row, actor);
      bumpEpoch(this.db);
      const policy = toPolicy(row);
      this.audit.append({ event_type: 'policy.created', actor, subject_id: row.id, data: { kind: 'guardrail', version: 1, policy } });
      return policy;
    });
  }

  private insertVersion(row: PolicyRow, actor: string): void {
    this.db
      .prepare(
        `INSERT INTO guardrail_policy_versions (policy_id, version, name, description, status, rules, created_at, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.version, row.name, row.description, row.status, row.rules, row.updated_at, actor);
  }

  /** The current state, or version `version` verbatim (404 when the policy never had it). */
  get(id: string, version?: number): GuardrailPolicyObject {
    const row = this.row(id);
    if (version === undefined || version === row.version) return toPolicy(row);
    const v = this.db
      .prepare<[string, number], VersionRow>('SELECT * FROM guardrail_policy_versions WHERE policy_id = ? AND version = ?')
      .get(id, version);
    if (!v) throw new HttpError(404, 'not_found', `guardrail policy ${id} has no version ${version} (current is ${row.version})`, 'version');
    const { version_actor: _a, version_created_at: _c, ...rest } = toVersion(row, v);
    return rest;
  }

  versions(id: string, query: { limit: number; cursor?: string }): ListPage<GuardrailVersionObject> {
    const row = this.row(id);
    const before = decodeCursor(query.cursor, isNumber);
    const rows = this.db
      .prepare<[string, number, number], VersionRow>(
        'SELECT * FROM guardrail_policy_versions WHERE policy_id = ? AND version < ? ORDER BY version DESC LIMIT ?',
      )
      .all(id, before ?? Number.MAX_SAFE_INTEGER, query.limit + 1);
    return page(rows, query.limit, (v) => toVersion(row, v), (v) => v.version);
  }

  /**
   * Live policies, newest first. `tool` keeps policies with a rule that could match that tool:
   * an exact or glob `tool` matcher, or none.
   */
  list(query: { limit: number; cursor?: string; status?: 'active' | 'disabled'; tool?: string }): ListPage<GuardrailPolicyObject> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], PolicyRow>(
        `SELECT * FROM guardrail_policies WHERE deleted_at IS NULL AND (? IS NULL OR status = ?) AND (? IS NULL OR id < ?)
         ORDER BY id DESC`,
      )
      .all(query.status ?? null, query.status ?? null, after ?? null, after ?? null);
    const tool = query.tool;
    const kept: PolicyRow[] = [];
    for (const r of rows) {
      if (tool !== undefined) {
        const rules = JSON.parse(r.rules) as GuardrailRule[];
        if (!rules.some((rule) => rule.tool === undefined || globMatch(rule.tool, tool))) continue;
      }
      kept.push(r);
      if (kept.length > query.limit) break;
    }
    return page(kept, query.limit, toPolicy, (r) => r.id);
  }

  update(id: string, patch: GuardrailPatch, actor: string): GuardrailPolicyObject {
    if (patch.rules) requireRules(patch.rules);
    return immediate(this.db, () => {
      const before = this.row(id);
      if (before.deleted_at) throw conflict(`guardrail policy ${id} is deleted; its history stays readable but it cannot change`);
      const next: PolicyRow = { ...before };
      const changed: string[] = [];
      if (patch.rules && canonicalJson(patch.rules) !== canonicalJson(JSON.parse(before.rules))) {
        next.rules = JSON.stringify(patch.rules);
        next.version = before.version + 1;
        changed.push('rules');
      }
      if (patch.description !== undefined && patch.description !== before.description) {
        next.description = patch.description;
        changed.push('description');
      }
      if (patch.status !== undefined && patch.status !== before.status) {
        next.status = patch.status;
        changed.push('status');
      }
      if (changed.length === 0) return toPolicy(before);
      next.updated_at = toIso(this.clock.now());
      this.db
        .prepare(
          `UPDATE guardrail_policies SET description = @description, status = @status, version = @version,
           rules = @rules, updated_at = @updated_at WHERE id = @id`,
        )
        .run(next);
      if (next.version !== before.version) this.insertVersion(next, actor);
      bumpEpoch(this.db);
      const policy = toPolicy(next);
      this.audit.append({
        event_type: 'policy.updated',
        actor,
        subject_id: id,
        data: { kind: 'guardrail', version: next.version, previous_version: before.version, changed, policy },
      });
      return policy;
    });
  }

  delete(id: string, actor: string): GuardrailPolicyObject {
    return immediate(this.db, () => {
      const row = this.row(id);
      if (row.deleted_at) throw conflict(`guardrail policy ${id} is already deleted`);
      row.deleted_at = toIso(this.clock.now());
      this.db.prepare('UPDATE guardrail_policies SET deleted_at = ? WHERE id = ?').run(row.deleted_at, id);
      bumpEpoch(this.db);
      const policy = toPolicy(row);
      this.audit.append({ event_type: 'policy.deleted', actor, subject_id: id, data: { kind: 'guardrail', version: row.version, policy } });
      return policy;
    });
  }

  /** Active, not deleted policies in creation order, as the core reads them. */
  active(): GuardrailPolicy[] {
    return this.activeStmt.all().map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      status: r.status,
      rules: JSON.parse(r.rules) as GuardrailRule[],
    }));
  }
}
