/**
 * Solutions: the resources under review. Create (an operator, or an agent for itself), list,
 * read, change, delete; requirements and recompute. An agent key names no agent but itself.
 */
import type { z } from 'zod';
import type { ListPage } from '../../shared/api/common.js';
import type { Requirements, ResourceRef, Solution, SolutionCreate, SolutionPatch, SolutionQuery } from '../../shared/api/gates.js';
import { toIso } from '../common/clock.js';
import { immediate } from '../db/connection.js';
import { HttpError, invalid, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import type { Principal } from '../server/principal.js';
import { resourcesOf, type GateContext } from './context.js';
import { recompute, type Recomputed } from './recompute.js';
import { solutionOf, type SolutionRow } from './store.js';

type ListQuery = z.output<typeof SolutionQuery>;

/** 403 when an agent key names an agent other than itself among the resources. */
function checkAgentResources(principal: Principal | null, resources: readonly ResourceRef[]): void {
  if (principal?.kind !== 'agent') return;
  resources.forEach((r, i) => {
    if (r.type === 'agent' && r.id !== principal.agentId) {
      throw new HttpError(403, 'insufficient_scope', 'an agent key can put only its own agent in a solution', `resources[${i}].id`);
    }
  });
}

/** The resources with the solution's agent among them. */
function withAgent(resources: readonly ResourceRef[], agentId: string | null): ResourceRef[] {
  if (!agentId || resources.some((r) => r.type === 'agent' && r.id === agentId)) return [...resources];
  return [{ type: 'agent', id: agentId }, ...resources];
}

export class Solutions {
  private readonly agentExists;

  constructor(private readonly ctx: GateContext) {
    this.agentExists = ctx.db.prepare<[string], { id: string }>('SELECT id FROM agents WHERE id = ?');
  }

  private row(id: string): SolutionRow {
    const row = this.ctx.s.solution.get(id);
    if (!row) throw notFound('solution', id);
    return row;
  }

  get(id: string): Solution {
    return solutionOf(this.row(id), resourcesOf(this.ctx, id));
  }

  list(query: ListQuery): ListPage<Solution> {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (query.status) {
      clauses.push('status = ?');
      args.push(query.status);
    }
    if (query.agent_id) {
      clauses.push('agent_id = ?');
      args.push(query.agent_id);
    }
    if (query.search) {
      clauses.push("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
      const like = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like);
    }
    if (query.resource) {
      const colon = query.resource.indexOf(':');
      if (colon <= 0) throw invalid('resource', 'expected TYPE:ID, e.g. mcp_server:filesystem');
      clauses.push('id IN (SELECT solution_id FROM solution_resources WHERE type = ? AND resource_id = ?)');
      args.push(query.resource.slice(0, colon), query.resource.slice(colon + 1));
    }
    const after = decodeCursor(query.cursor, isString);
    if (after !== undefined) {
      clauses.push('id < ?');
      args.push(after);
    }
    const rows = this.ctx.db
      .prepare<unknown[], SolutionRow>(`SELECT * FROM solutions ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, query.limit + 1);
    return page(rows, query.limit, (r) => solutionOf(r, resourcesOf(this.ctx, r.id)), (r) => r.id);
  }

  create(input: SolutionCreate, principal: Principal | null, actor: string): Solution {
    checkAgentResources(principal, input.resources);
    const named = input.agent_id ?? null;
    if (named !== null && !this.agentExists.get(named)) throw invalid('agent_id', `no agent with id ${named}`);
    const agents = input.resources.filter((r) => r.type === 'agent');
    const agentId = named ?? (agents.length === 1 ? agents[0]!.id : null);
    const resources = withAgent(input.resources, agentId);
    return immediate(this.ctx.db, () => {
      const now = toIso(this.ctx.clock.now());
      const row: SolutionRow = {
        id: this.ctx.ids.next('sol'),
        name: input.name,
        description: input.description,
        agent_id: agentId,
        status: 'draft',
        created_by: actor,
        created_at: now,
        updated_at: now,
      };
      this.ctx.s.insertSolution.run(row);
      resources.forEach((r, i) => this.ctx.s.insertResource.run(row.id, i, r.type, r.id));
      this.ctx.audit.append({ event_type: 'solution.created', actor, agent_id: agentId, subject_id: row.id, data: { solution: solutionOf(row, resources) } });
      this.ctx.changed();
      return recompute(this.ctx, row.id).solution;
    });
  }

  update(id: string, patch: SolutionPatch, principal: Principal | null, actor: string): Solution {
    if (patch.resources) checkAgentResources(principal, patch.resources);
    return immediate(this.ctx.db, () => {
      const row = this.row(id);
      const now = toIso(this.ctx.clock.now());
      this.ctx.s.updateSolution.run({ id, name: patch.name ?? row.name, description: patch.description ?? row.description, updated_at: now });
      if (patch.resources) {
        this.ctx.s.clearResources.run(id);
        withAgent(patch.resources, row.agent_id).forEach((r, i) => this.ctx.s.insertResource.run(id, i, r.type, r.id));
      }
      const { solution } = recompute(this.ctx, id);
      this.ctx.audit.append({
        event_type: 'solution.updated',
        actor,
        agent_id: row.agent_id,
        subject_id: id,
        data: { solution, changed: Object.keys(patch).filter((k) => patch[k as keyof SolutionPatch] !== undefined) },
      });
      this.ctx.changed();
      return solution;
    });
  }

  delete(id: string, actor: string): void {
    immediate(this.ctx.db, () => {
      const before = this.get(id);
      this.ctx.s.deleteSolution.run(id);
      this.ctx.audit.append({ event_type: 'solution.deleted', actor, agent_id: before.agent_id, subject_id: id, data: { solution: before } });
      this.ctx.changed();
    });
  }

  requirements(id: string): Requirements {
    this.row(id);
    // Computed fresh; statuses that moved are stored on the way.
    return immediate(this.ctx.db, () => recompute(this.ctx, id).requirements);
  }

  recompute(id: string, actor: string): Recomputed & { object: 'solution_recompute' } {
    return immediate(this.ctx.db, () => {
      const result = recompute(this.ctx, id);
      this.ctx.audit.append({
        event_type: 'solution.recomputed',
        actor,
        agent_id: result.solution.agent_id,
        subject_id: id,
        data: { status: result.solution.status, changed: result.changed },
      });
      return { object: 'solution_recompute', ...result };
    });
  }
}
