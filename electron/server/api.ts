/**
 * Binds the route contract (`shared/api`) to handlers: authenticates, validates params, query
 * and body with the route's schemas, applies idempotency, and serializes the result. Domains
 * register their handlers with `api.handle(name, fn)`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ParsedInput, RouteDef, RouteOutput } from '../../shared/api/contract.js';
import { routes, type RouteName, type Routes } from '../../shared/api/index.js';
import { HttpError, fromZodError } from './errors.js';
import { IdempotencyStore } from './idempotency.js';
import { actorOf, authorize, type Principal } from './principal.js';
import { authorizeRole, checkRoleDeclared } from './role-access.js';
import { authorizeRows, checkRowAccess } from './row-access.js';
import type { RowLookups } from './row-owners.js';

export interface HandlerContext<D> extends ParsedInput<D> {
  principal: Principal | null;
  /** The audit actor string of the caller. */
  actor: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

export type Handler<D> = (ctx: HandlerContext<D>) => Promise<RouteOutput<D> | undefined> | RouteOutput<D> | undefined;

export type Authenticate = (key: string) => Principal | null;

export interface HandleOptions {
  /**
   * The route's success response carries a secret shown once (an API key, an operator token).
   * Its idempotency record keeps only the request hash and status, never the body; a replay is
   * 409 `idempotency_conflict`, its message ending with `renew`: how to get a new secret.
   */
  oneTimeSecret?: { renew: string };
}

/** The key a request presents: undefined when none, '' when the Authorization header is malformed. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

function parse<S extends z.ZodType | undefined>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error, where, value);
  return result.data;
}

/** A route that declares no body takes none: anything but nothing or `{}` could hide a mistake. */
function refuseBody(body: unknown): undefined {
  const empty = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) throw new HttpError(400, 'invalid_parameter', 'this route takes no body; send none');
  return undefined;
}

/** A route that declares no query takes none: `?wiat_s=30` must not pass silently. */
function refuseQuery(query: unknown): undefined {
  const key = query && typeof query === 'object' ? Object.keys(query)[0] : undefined;
  if (key !== undefined) throw new HttpError(400, 'invalid_parameter', `unknown query parameter ${key}; this route takes none`, key);
  return undefined;
}

export class Api {
  readonly handled = new Set<RouteName>();
  /** POSTs with an Idempotency-Key still running, by caller and key. */
  private readonly inflight = new Map<string, { hash: string; done: Promise<void> }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly authenticate: Authenticate,
    private readonly idempotency: IdempotencyStore,
    private readonly rows: RowLookups,
  ) {}

  /** The caller behind the request's key: null when none was sent; 401 when it is unknown. */
  principalOf(request: FastifyRequest): Principal | null {
    const key = presentedKey(request);
    if (key === undefined) return null;
    const principal = key ? this.authenticate(key) : null;
    if (!principal) throw new HttpError(401, 'unauthenticated', 'the key is not valid (unknown, revoked or malformed)');
    return principal;
  }

  /**
   * Runs `fn` when the server starts closing, before it waits for in-flight requests: for
   * responses that never finish on their own (event streams), which would otherwise hold
   * shutdown open forever.
   */
  onClose(fn: () => void): void {
    this.app.addHook('preClose', async () => {
      fn();
    });
  }

  handle<N extends RouteName>(name: N, handler: Handler<Routes[N]>, options: HandleOptions = {}): void {
    const def = routes[name] as RouteDef;
    if (this.handled.has(name)) throw new Error(`route ${name} registered twice`);
    checkRowAccess(name, def);
    checkRoleDeclared(name, def);
    this.handled.add(name);
    this.app.route({
      method: def.method,
      url: def.path,
      handler: async (request, reply) => {
        // A public route (health, the OpenAPI document) ignores any key: a stale one must not break it.
        const principal = def.auth === 'public' ? null : this.principalOf(request);
        authorize(def.auth, principal);
        authorizeRole(def, principal);
        const { params, query, body } = authorizeRows(
          def,
          principal,
          {
            params: parse(def.params, request.params, 'params'),
            query: def.query ? parse(def.query, request.query ?? {}, 'query') : refuseQuery(request.query),
            body: def.body ? parse(def.body, request.body, 'body') : refuseBody(request.body),
          },
          this.rows,
        );

        const idemKey = def.method === 'POST' ? request.headers['idempotency-key'] : undefined;
        let idem: { principal: string; key: string; hash: string } | undefined;
        let idemSlot: { slot: string; done: Promise<void>; finish: () => void } | undefined;
        if (typeof idemKey === 'string' && idemKey.length > 0) {
          if (idemKey.length > 255) throw new HttpError(400, 'invalid_parameter', 'Idempotency-Key is longer than 255 characters', 'Idempotency-Key');
          idem = { principal: actorOf(principal), key: idemKey, hash: IdempotencyStore.requestHash(def.method, request.url, request.body) };
          // A retry that arrives while the first request still runs (an agent timing out on a
          // long `wait_s`) waits for it, then replays its answer instead of doing it twice.
          const slot = `${idem.principal}\u0000${idem.key}`;
          for (let running = this.inflight.get(slot); running; running = this.inflight.get(slot)) {
            if (running.hash !== idem.hash) {
              throw new HttpError(409, 'idempotency_conflict', 'this Idempotency-Key is in use by a different request');
            }
            await running.done;
          }
          const stored = this.idempotency.lookup(idem.principal, idem.key, idem.hash);
          if (stored?.body === null) {
            const renew = options.oneTimeSecret?.renew ?? 'send a new request';
            const message = `this Idempotency-Key was already used; its answer held a secret that is shown once and never stored, so it cannot be replayed: ${renew}`;
            throw new HttpError(409, 'idempotency_conflict', message);
          }
          if (stored) {
            return reply.code(stored.status).header('idempotent-replayed', 'true').type('application/json').send(stored.body);
          }
          let finish = () => {};
          const done = new Promise<void>((resolve) => (finish = resolve));
          this.inflight.set(slot, { hash: idem.hash, done });
          idemSlot = { slot, done, finish };
        }

        const ctx = { params, query, body, principal, actor: actorOf(principal), request, reply } as HandlerContext<Routes[N]>;
        let status = def.status ?? 200;
        let payload: string;
        // What the idempotency record keeps of the answer: a one-time secret never reaches the database.
        let record: string | null;
        try {
          try {
            const result = await handler(ctx);
            if (def.raw || reply.sent) return reply;
            payload = JSON.stringify(result);
            record = options.oneTimeSecret ? null : payload;
          } catch (err) {
            if (!(err instanceof HttpError) || !idem || err.status >= 500) throw err;
            status = err.status;
            payload = JSON.stringify(err.toBody());
            record = payload;
          }
          if (idem) this.idempotency.save(idem.principal, idem.key, idem.hash, { status, body: record });
        } finally {
          // After the save, so a waiting retry finds the answer to replay. Not on the client's
          // disconnect: the work goes on, and a retry must not start it a second time.
          if (idemSlot) {
            if (this.inflight.get(idemSlot.slot)?.done === idemSlot.done) this.inflight.delete(idemSlot.slot);
            idemSlot.finish();
          }
        }
        return reply.code(status).type('application/json').send(payload);
      },
    });
  }
}
