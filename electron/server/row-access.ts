/**
 * The one row authorizer: what an agent key may see or touch, as each route declares it in
 * `rows` (see `RowAccess` in `shared/api/contract.ts`). The operator token sees everything.
 * - a read of another agent's row, or an act on it → 404 `not_found`, the answer for a row that
 *   does not exist, so an agent cannot learn which ids exist;
 * - a list → filtered to the caller (its `agent_id` filter is set to the caller);
 * - naming another agent in `agent_id` (a list filter, or the agent a request acts as) → 403
 *   `insufficient_scope`.
 */
import type { z } from 'zod';
import type { RouteDef } from '../../shared/api/contract.js';
import { HttpError, notFound } from './errors.js';
import type { Principal } from './principal.js';
import type { RowLookups } from './row-owners.js';

export interface RequestInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

/** The field names a schema that is a zod object declares; empty for anything else. */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/**
 * Throws unless a route's `rows` declaration fits it: every route an agent key can reach has
 * one, a `read`/`act` route names its row by `:id`, and the field a `list`/`as` route scopes is
 * one its schema takes.
 */
export function checkRowAccess(name: string, def: RouteDef): void {
  const access = def.rows;
  if (!access) {
    if (def.auth === 'public' || def.auth === 'operator') return;
    throw new Error(`route ${name} is reachable by an agent key but declares no rows scope`);
  }
  const needs = (where: 'query' | 'body', field: string) => {
    if (!fieldsOf(def[where]).includes(field)) throw new Error(`route ${name} is scoped by ${where}.${field}, which its schema lacks`);
  };
  if ((access.kind === 'read' || access.kind === 'act') && !fieldsOf(def.params).includes('id')) {
    throw new Error(`route ${name} reads one ${access.owner} but its path has no :id`);
  }
  if (access.kind === 'list') needs('query', 'agent_id');
  if (access.kind === 'as') needs(access.in, access.field ?? 'agent_id');
}

function foreignAgent(field: string, may: 'self' | 'self_or_leader' = 'self'): HttpError {
  const whom = may === 'self_or_leader' ? 'itself or its own leader' : 'its own agent (omit it to mean the caller)';
  return new HttpError(403, 'insufficient_scope', `an agent key can name only ${whom} in ${field}`, field);
}

/**
 * Applies a route's `rows` declaration to a validated request of `principal`; returns the input
 * the handler gets (a list's or an `as` route's agent filled in with the caller).
 */
export function authorizeRows(def: RouteDef, principal: Principal | null, input: RequestInput, lookups: RowLookups): RequestInput {
  if (principal?.kind !== 'agent') return input;
  const access = def.rows;
  // Unreachable (`checkRowAccess` refuses such a route at start), and closed all the same.
  if (!access) throw new HttpError(403, 'insufficient_scope', 'this route declares no row scope for agent keys');
  const me = principal.agentId;
  switch (access.kind) {
    case 'shared':
    case 'self':
      return input;
    case 'read':
    case 'act': {
      const id = (input.params as { id: string }).id;
      const owners = lookups.owners[access.owner](id);
      // An absent row is the handler's own 404; a foreign one gets the very same answer here.
      if (owners && !owners.includes(me)) throw notFound(access.owner, id);
      return input;
    }
    case 'list': {
      const query = input.query as Record<string, unknown>;
      if (query.agent_id !== undefined && query.agent_id !== me) throw foreignAgent('agent_id');
      return { ...input, query: { ...query, agent_id: me } };
    }
    case 'as': {
      const field = access.field ?? 'agent_id';
      const where = (input[access.in] ?? {}) as Record<string, unknown>;
      const named = where[field];
      const mayName = named === undefined || named === me || (access.may === 'self_or_leader' && named === lookups.leaderOf(me));
      if (!mayName) throw foreignAgent(field, access.may);
      return named === undefined ? { ...input, [access.in]: { ...where, [field]: me } } : input;
    }
  }
}
