/**
 * Gate policies: create, list (filters, sort, cursor), read, change any subset, delete. Every
 * change recomputes the solutions it may affect in the same transaction, so an edit never
 * silently passes a resource, and is audited.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { GatePolicy, GatePolicyCreate, GatePolicyPatch } from '../../shared/api/gates.js';
import type { z } from 'zod';
import type { GatePolicyQuery } from '../../shared/api/gates.js';
import { toIso } from '../common/clock.js';
import { immediate } from '../db/connection.js';
import { notFound } from '../server/errors.js';
import { decodeCursor, isNumber, page } from '../server/pagination.js';
import type { GateContext } from './context.js';
import { recomputeAffected } from './recompute.js';
import { policyOf, type PolicyRow } from './store.js';

type PolicyQuery = z.output<typeof GatePolicyQuery>;

const SEVERITY_RANK = "CASE severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END";
const ORDER: Record<PolicyQuery['sort'], string> = {
  'created_at:desc': 'created_at DESC, id DESC',
  'created_at:asc': 'created_at ASC, id ASC',
  'updated_at:desc': 'updated_at DESC, id DESC',
  'updated_at:asc': 'updated_at ASC, id ASC',
  'name:asc': 'name COLLATE NOCASE ASC, id ASC',
  'name:desc': 'name COLLATE NOCASE DESC, id DESC',
  'severity:desc': `${SEVERITY_RANK} DESC, created_at DESC, id DESC`,
  'severity:asc': `${SEVERITY_RANK} ASC, created_at DESC, id DESC`,
};

function rowOf(p: GatePolicy): PolicyRow {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    category: p.category,
    severity: p.severity,
    applicable_resource_types: JSON.stringify(p.applicable_resource_types),
    stages: JSON.stringify(p.stages),
    is_active: p.is_active ? 1 : 0,
    is_draft: p.is_draft ? 1 : 0,
    created_by: p.created_by,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

export class GatePolicies {
  constructor(private readonly ctx: GateContext) {}

  get(id: string): GatePolicy {
    const row = this.ctx.s.policy.get(id);
    if (!row) throw notFound('gate policy', id);
    return policyOf(row);
  }

  list(query: PolicyQuery): ListPage<GatePolicy> {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (query.category !== undefined) {
      clauses.push('category = ?');
      args.push(query.category);
    }
    if (query.severity !== undefined) {
      clauses.push('severity = ?');
      args.push(query.severity);
    }
    if (query.is_active !== undefined) {
      clauses.push('is_active = ?');
      args.push(query.is_active ? 1 : 0);
    }
    if (query.is_draft !== undefined) {
      clauses.push('is_draft = ?');
      args.push(query.is_draft ? 1 : 0);
    }
    if (query.search !== undefined) {
      clauses.push("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
      const like = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like);
    }
    // The cursor is the position in this order: policies are few, and any sort pages the same way.
    const offset = decodeCursor(query.cursor, isNumber) ?? 0;
    const rows = this.ctx.db
      .prepare<unknown[], PolicyRow>(`SELECT * FROM gate_policies ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ${ORDER[query.sort]} LIMIT ? OFFSET ?`)
      .all(...args, query.limit + 1, offset);
    return page(rows, query.limit, policyOf, () => offset + query.limit);
  }

  create(input: GatePolicyCreate, actor: string): GatePolicy {
    return immediate(this.ctx.db, () => {
      const now = toIso(this.ctx.clock.now());
      const policy: GatePolicy = { id: this.ctx.ids.next('gpol'), object: 'gate_policy', ...input, created_by: actor, created_at: now, updated_at: now };
      this.ctx.s.insertPolicy.run(rowOf(policy));
      this.ctx.audit.append({ event_type: 'gate_policy.created', actor, subject_id: policy.id, data: { gate_policy: policy } });
      recomputeAffected(this.ctx, policy.applicable_resource_types, null);
      return policy;
    });
  }

  update(id: string, patch: GatePolicyPatch, actor: string): GatePolicy {
    return immediate(this.ctx.db, () => {
      const before = this.get(id);
      const after: GatePolicy = { ...before, ...definedOf(patch), updated_at: toIso(this.ctx.clock.now()) };
      this.ctx.s.updatePolicy.run(rowOf(after));
      this.ctx.audit.append({
        event_type: 'gate_policy.updated',
        actor,
        subject_id: id,
        data: { gate_policy: after, changed: Object.keys(definedOf(patch)) },
      });
      recomputeAffected(this.ctx, [...new Set([...before.applicable_resource_types, ...after.applicable_resource_types])], id);
      return after;
    });
  }

  delete(id: string, actor: string): void {
    immediate(this.ctx.db, () => {
      const before = this.get(id);
      // Its submissions go with it (ON DELETE CASCADE); the audit keeps the history.
      this.ctx.s.deletePolicy.run(id);
      this.ctx.audit.append({ event_type: 'gate_policy.deleted', actor, subject_id: id, data: { gate_policy: before } });
      recomputeAffected(this.ctx, before.applicable_resource_types, null);
    });
  }
}

/** The fields a patch sets (an absent key keeps its value). */
function definedOf(patch: GatePolicyPatch): Partial<GatePolicy> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<GatePolicy>;
}
