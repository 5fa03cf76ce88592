/**
 * Guardrail policies: slug names, monotonic versions, every version readable,
 * PATCH replacing rules, DELETE keeping history. Each change bumps the policy epoch so compiled
 * caches rebuild, and is audited with the version it produced.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { GuardrailPolicyObject, GuardrailRuleInput, GuardrailVersionObject } from '../../shared/api/policies.js';
import { globMatch } from '../../shared/core/glob.js';
import type { GuardrailPolicy, GuardrailRule } from '../../shared/core/types.js';
import { toIso } from '../common/clock.js';
import { immediate } from '../db/connection.js';
import { HttpError, conflict, notFound } from '../server/errors.js';
import { decodeCursor, isNumber, isString, page } from '../server/pagination.js';
import { AgentNames } from './agent-names.js';
import { canonicalJson, type PolicyEpoch } from './rows.js';
import { hasMatcher, resolveAgentNames, safeStoredRule, withAgentNames } from './stored-rules.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';

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
  note: string | null;
}

/** Reference 002: empty rules is a missing parameter, not an invalid one. */
function requireRules(rules: readonly GuardrailRuleInput[]): void {
  if (rules.length === 0) throw new HttpError(400, 'missing_parameter', 'rules must hold at least one rule', 'rules');
}

export interface GuardrailCreate {
  name: string;
  /** `agent` names are resolved to ids here (an unknown name → 400 naming `rules[i].agent`). */
  rules: GuardrailRuleInput[];
  description?: string | null;
  status?: 'active' | 'disabled';
  /** Why, kept with version 1. */
  note?: string;
}

export interface GuardrailPatch {
  rules?: GuardrailRuleInput[];
  description?: string | null;
  status?: 'active' | 'disabled';
  /** Why, kept with the version a rules change writes. */
  note?: string;
}

export class GuardrailService extends RecordingService {
  private readonly byId;
  private readonly activeStmt;
  readonly agentNames: AgentNames;

  constructor(
    deps: RecordingDeps,
    private readonly epoch: PolicyEpoch,
  ) {
    super(deps);
    const db = deps.db;
    this.byId = db.prepare<[string], PolicyRow>('SELECT * FROM guardrail_policies WHERE id = ?');
    this.activeStmt = db.prepare<[], PolicyRow>(
      `SELECT * FROM guardrail_policies WHERE deleted_at IS NULL AND status = 'active' ORDER BY created_at, id`,
    );
    this.agentNames = new AgentNames(db);
  }

  /** The policy as the API returns it; `rules` (JSON) defaults to the row's current rules. */
  private toPolicy(r: PolicyRow, rules = r.rules): GuardrailPolicyObject {
    return {
      id: r.id,
      object: 'guardrail_policy',
      name: r.name,
      description: r.description,
      status: r.status,
      version: r.version,
      rules: withAgentNames(JSON.parse(rules) as GuardrailRule[], this.agentNames),
      created_at: r.created_at,
      updated_at: r.updated_at,
      deleted_at: r.deleted_at,
    };
  }

  private toVersion(p: PolicyRow, v: VersionRow): GuardrailVersionObject {
    return {
      ...this.toPolicy(p, v.rules),
      description: v.description,
      status: v.status,
      version: v.version,
      updated_at: v.created_at,
      version_created_at: v.created_at,
      version_actor: v.actor,
      version_note: v.note,
    };
  }

  /** Rules as stored, agent names resolved to ids; `param` prefixes the 400's param. */
  resolveRules(rules: readonly GuardrailRuleInput[], param = 'rules'): GuardrailRule[] {
    return resolveAgentNames(rules, this.agentNames, param);
  }

  private row(id: string): PolicyRow {
    const row = this.byId.get(id);
    if (!row) throw notFound('guardrail policy', id);
    return row;
  }

  create(input: GuardrailCreate, actor: string): GuardrailPolicyObject {
    requireRules(input.rules);
    return immediate(this.db, () => {
      const rules = this.resolveRules(input.rules);
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
        rules: JSON.stringify(rules),
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
      this.insertVersion(row, actor, input.note);
      this.epoch.changed();
      const policy = this.toPolicy(row);
      this.audit.append({ event_type: 'policy.created', actor, subject_id: row.id, data: { kind: 'guardrail', version: 1, policy } });
      return policy;
    });
  }

  private insertVersion(row: PolicyRow, actor: string, note?: string): void {
    this.db
      .prepare(
        `INSERT INTO guardrail_policy_versions (policy_id, version, name, description, status, rules, created_at, actor, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.version, row.name, row.description, row.status, row.rules, row.updated_at, actor, note?.trim() || null);
  }

  /** The current state, or version `version` verbatim (404 when the policy never had it). */
  get(id: string, version?: number): GuardrailPolicyObject {
    const row = this.row(id);
    if (version === undefined || version === row.version) return this.toPolicy(row);
    const v = this.db
      .prepare<[string, number], VersionRow>('SELECT * FROM guardrail_policy_versions WHERE policy_id = ? AND version = ?')
      .get(id, version);
    if (!v) throw new HttpError(404, 'not_found', `guardrail policy ${id} has no version ${version} (current is ${row.version})`, 'version');
    const { version_actor: _a, version_created_at: _c, version_note: _n, ...rest } = this.toVersion(row, v);
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
    return page(rows, query.limit, (v) => this.toVersion(row, v), (v) => v.version);
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
    return page(kept, query.limit, (r) => this.toPolicy(r), (r) => r.id);
  }

  update(id: string, patch: GuardrailPatch, actor: string): GuardrailPolicyObject {
    if (patch.rules) requireRules(patch.rules);
    return immediate(this.db, () => {
      const before = this.row(id);
      if (before.deleted_at) throw conflict(`guardrail policy ${id} is deleted; its history stays readable but it cannot change`);
      const next: PolicyRow = { ...before };
      const changed: string[] = [];
      const rules = patch.rules ? this.resolveRules(patch.rules) : undefined;
      if (rules && canonicalJson(rules) !== canonicalJson(JSON.parse(before.rules))) {
        next.rules = JSON.stringify(rules);
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
      if (changed.length === 0) return this.toPolicy(before);
      next.updated_at = toIso(this.clock.now());
      this.db
        .prepare(
          `UPDATE guardrail_policies SET description = @description, status = @status, version = @version,
           rules = @rules, updated_at = @updated_at WHERE id = @id`,
        )
        .run(next);
      if (next.version !== before.version) this.insertVersion(next, actor, patch.note);
      this.epoch.changed();
      const policy = this.toPolicy(next);
      this.audit.append({
        event_type: 'policy.updated',
        actor,
        subject_id: id,
        data: { kind: 'guardrail', version: next.version, previous_version: before.version, changed, ...(patch.note?.trim() ? { note: patch.note.trim() } : {}), policy },
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
      this.epoch.changed();
      const policy = this.toPolicy(row);
      this.audit.append({ event_type: 'policy.deleted', actor, subject_id: id, data: { kind: 'guardrail', version: row.version, policy } });
      return policy;
    });
  }

  /**
   * Active, not deleted policies in creation order, as the core reads them. A stored rule with
   * no matcher (saved before matchers were required, by a process not yet upgraded) is read as
   * `tool: "*"` asking, never as an allow-everything.
   */
  active(): GuardrailPolicy[] {
    return this.activeStmt.all().map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      status: r.status,
      rules: (JSON.parse(r.rules) as GuardrailRule[]).map(safeStoredRule),
    }));
  }

  /**
   * Rewrites live policies whose current rules the API would no longer accept as stored: a rule
   * with no matcher becomes `tool: "*"` with decision ALERT (the old New policy dialog saved
   * `{decision: ALLOW}`, which let every action of every agent run), and an `agent` name saved
   * without its id is resolved (or made to match no agent). Each such policy gets a new version
   * by `system`, and an audit row saying why; earlier versions stay readable as they were.
   * Runs at start; a no-op once nothing is left to rewrite.
   */
  upgradeStoredRules(): number {
    type StoredRule = GuardrailRule & { agent?: string };
    const upgradeRule = (rule: StoredRule): GuardrailRule => {
      if (rule.agent !== undefined) {
        // Stored by name: keep the id (the one given, else the name's), never the name.
        const id = rule.agent_id ?? this.agentNames.idOf(rule.agent);
        if (id !== undefined) {
          const { agent: _name, ...rest } = rule;
          return { ...rest, agent_id: id };
        }
      }
      return safeStoredRule(rule);
    };
    const live = this.db.prepare<[], PolicyRow>('SELECT * FROM guardrail_policies WHERE deleted_at IS NULL').all();
    let upgraded = 0;
    for (const { id } of live) {
      immediate(this.db, () => {
        const before = this.row(id);
        const original = JSON.parse(before.rules) as StoredRule[];
        const rewritten = original.map(upgradeRule);
        const changedRules = rewritten.flatMap((r, i) => (r === original[i] ? [] : [i]));
        if (changedRules.length === 0) return;
        const matcherless = original.flatMap((r, i) => (hasMatcher(r) ? [] : [i]));
        const list = (ix: number[]) => ix.map((i) => `[${i}]`).join(', ');
        const reasons = [
          ...(matcherless.length
            ? [`rules ${list(matcherless)} had no matcher and matched every action of every agent; they now say tool: "*" and ask (ALERT)`]
            : []),
          ...(changedRules.length > matcherless.length ? ['agent names are now stored as agent ids'] : []),
        ];
        const next: PolicyRow = { ...before, rules: JSON.stringify(rewritten), version: before.version + 1, updated_at: toIso(this.clock.now()) };
        this.db.prepare('UPDATE guardrail_policies SET version = @version, rules = @rules, updated_at = @updated_at WHERE id = @id').run(next);
        const reason = `${reasons.join('; ')}. Version ${before.version} keeps the rules as written.`;
        this.insertVersion(next, 'system', reason);
        this.epoch.changed();
        this.audit.append({
          event_type: 'policy.updated',
          actor: 'system',
          subject_id: id,
          data: {
            kind: 'guardrail',
            version: next.version,
            previous_version: before.version,
            changed: ['rules'],
            reason,
            rewritten_rules: changedRules,
            policy: this.toPolicy(next),
          },
        });
        upgraded++;
      });
    }
    return upgraded;
  }
}
