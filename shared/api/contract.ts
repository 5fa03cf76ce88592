/**
 * The shape of a route declaration (method, path, who may call it and the zod schemas of its
 * params, query, body and response) and the types derived from it. Each domain declares its
 * routes once with `defineRoute` in its own file; `index.ts` gathers them. The server validates
 * with these schemas, `GET /openapi.json` is generated from them, and the typed client derives
 * its types from them — nothing describes the same shape twice.
 */
import type { z } from 'zod';
import type { AgentScope, OperatorRole } from '../vocabulary.js';

/**
 * Who may call a route: `public` needs no key, `authenticated` any valid key, `operator` the
 * operator token, a scope an agent key carrying it (or the operator token).
 */
export type RouteAuth = 'public' | 'authenticated' | 'operator' | AgentScope;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Kinds of row an agent can own, each named as its 404 names it (`no action with id …`). The
 * server keeps one owner lookup per kind (`electron/server/row-owners.ts`).
 */
export const ROW_OWNERS = ['action', 'receipt', 'approval', 'workflow_run', 'solution', 'gate_submission'] as const;
export type RowOwner = (typeof ROW_OWNERS)[number];

/**
 * How a route's rows are scoped for an agent key; the request pipeline enforces it, the operator
 * token sees everything. Every route an agent key can reach declares one (the server refuses to
 * start otherwise):
 * - `shared`: what every key reads alike (policies, tools, settings, budget caps): no agent's rows.
 * - `self`: answers about the caller only (`/v1/me`).
 * - `read`: one row named by the path's `:id`; another agent's row is 404 `not_found`, as if absent.
 * - `act`: the caller acts on one row named by `:id` (complete, withdraw); another agent's is 404.
 * - `list`: a list filtered to the caller's rows; `agent_id=` naming another agent is 403.
 * - `as`: the request names the agent it acts as or asks about in `field` of the query or body
 *   (default `agent_id`); omitted means the caller, another agent is 403. `may: 'self_or_leader'`
 *   also lets an agent name its own leader.
 */
export type RowAccess =
  | { kind: 'shared' }
  | { kind: 'self' }
  | { kind: 'read'; owner: RowOwner }
  | { kind: 'act'; owner: RowOwner }
  | { kind: 'list' }
  | { kind: 'as'; in: 'query' | 'body'; field?: string; may?: 'self' | 'self_or_leader' };

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Fastify-style path, e.g. `/v1/agents/:id`. */
  path: string;
  auth: RouteAuth;
  /** How the route's rows are scoped for an agent key; required unless `auth` is `public` or `operator`. */
  rows?: RowAccess;
  /**
   * The least operator role that may call the route with an operator token (viewer < member <
   * admin < owner). Reads default to `viewer`; every route that changes something declares it.
   */
  role?: OperatorRole;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Success status, 200 unless stated. */
  status?: number;
  /** The response is not JSON (SSE, file export); the handler writes it itself. */
  raw?: { contentType: string };
  /**
   * The body may also be source text sent as `Content-Type: application/yaml`; the route then
   * receives `{[field]: "<the text>"}` (other fields go in the query).
   */
  textBody?: { field: string };
}

/** Declares a route; the identity function exists to keep the generic types of each route. */
export function defineRoute<
  P extends z.ZodType = z.ZodNever,
  Q extends z.ZodType = z.ZodNever,
  B extends z.ZodType = z.ZodNever,
  R extends z.ZodType = z.ZodType,
>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

type Field<T, K extends string> = [T] extends [z.ZodNever] ? { [P in K]?: never } : { [P in K]: T };

/** What a caller passes to a route: the input side of each schema (defaults may be omitted). */
export type RouteInput<D> =
  D extends RouteDef<infer P, infer Q, infer B, z.ZodType>
    ? Field<z.input<P>, 'params'> & Partial<Field<z.input<Q>, 'query'>> & Field<z.input<B>, 'body'>
    : never;

/** What a route returns on success. */
export type RouteOutput<D> = D extends RouteDef<z.ZodType, z.ZodType, z.ZodType, infer R> ? z.output<R> : never;

/** The validated input the server hands to a route's handler. */
export interface ParsedInput<D> {
  params: D extends RouteDef<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.output<P> : never;
  query: D extends RouteDef<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.output<Q> : never;
  body: D extends RouteDef<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.output<B> : never;
}

/** Fills `:name` segments of a path. */
export function fillPath(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/:([a-z_]+)/gi, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
