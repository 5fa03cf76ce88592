/**
 * The Fastify instance with every API convention that is not a route: one JSON parser for any
 * content type, the 1 MiB limit, host/origin guards, and the one error shape on the wire.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HttpError, lowerFirst } from './errors.js';
import { installHostGuards } from './guards.js';

export const BODY_LIMIT = 1024 * 1024;
/**
 * How deeply objects and arrays may nest in a body. Validation (zod) and the code behind it
 * recurse, so a few thousand levels overflow the stack as a 500; no request needs more than a
 * few dozen (a guard nests at most 32 compositions).
 */
export const MAX_BODY_DEPTH = 64;
export const MAX_PARAM_LENGTH = 200;
/** How long stopping waits for in-flight requests before closing their connections. */
export const CLOSE_GRACE_MS = 1500;

export interface HttpOptions {
  host: string;
  logger?: boolean;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * True when objects and arrays in `value` nest deeper than `limit` (the body itself is level 1).
 * INVARIANT: iterative, with an explicit stack, so no depth of input can overflow it.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Maps anything thrown inside a request to the one error body on the wire. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = (err ?? {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'payload_too_large', `the body is larger than ${BODY_LIMIT} bytes`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'invalid_parameter', 'Content-Length does not match the body', 'content-length');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new HttpError(400, 'invalid_parameter', 'the URL is malformed (bad percent-encoding)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpError(400, 'invalid_parameter', `a path segment is longer than ${MAX_PARAM_LENGTH} characters`);
  }
  if (err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, 'invalid_parameter', lowerFirst(e.message ?? 'bad request'));
  }
  return new HttpError(500, 'internal_error', 'internal error; the request changed nothing that was not committed');
}

export function createHttpServer(options: HttpOptions): FastifyInstance {
  let guard: (request: FastifyRequest) => void = () => {};
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // On close: idle keep-alive sockets are closed at once, in-flight requests finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // Errors the router raises before any hook or the error handler (a malformed or over-long
    // URL) get the same guards and the same error shape as everything else.
    frameworkErrors: (err, request, reply) => {
      let httpError = toHttpError(err);
      try {
        guard(request);
      } catch (guardError) {
        httpError = toHttpError(guardError);
      }
      void (reply as unknown as FastifyReply).code(httpError.status).type('application/json').send(JSON.stringify(httpError.toBody()));
    },
  });

  // Agents send JSON with whatever Content-Type their HTTP library picks (curl -d sends
  // form-encoded); every body is parsed as JSON, with Fastify's prototype-poisoning protection.
  // Too deep a body is refused here, before any route validates it, so no route can forget to.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    jsonParser(request, body as string, (err, parsed) => {
      if (err) return done(err);
      if (nestsDeeperThan(parsed, MAX_BODY_DEPTH)) {
        return done(new HttpError(400, 'invalid_parameter', `the body nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays`));
      }
      done(null, parsed);
    });
  });

  guard = installHostGuards(app, options.host);
  // Closing waits for in-flight requests, but a socket a client opened and never used (fetch and
  // browsers pre-connect) would hold shutdown open until the client drops it. After a grace
  // period every connection still open is closed.
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });

  app.setErrorHandler((err, request, reply) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500) request.log.error({ err }, 'request failed');
    if (httpError.status >= 500 && !options.logger) console.error('warden: request failed:', err);
    void reply.code(httpError.status).type('application/json').send(JSON.stringify(httpError.toBody()));
  });

  return app;
}
