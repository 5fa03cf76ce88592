/**
 * Per-agent request rate limit, keyed by the agent behind the presented key (@fastify/rate-limit,
 * counted in memory). Operators, public routes and unknown keys are not limited here: an unknown
 * key is refused with 401 before it costs anything.
 *
 * The limiter counts fixed windows: at most `burst` requests per `burst / perSecond` seconds, so
 * an agent averages at most `perSecond` and may send `burst` at once; all agents together may have
 * a limit of their own the same way. Over either: 429 `rate_limited` with `Retry-After` (seconds
 * until the window ends), before the body is parsed.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

export interface RateLimit {
  /** Sustained requests per second per agent. */
  perSecond: number;
  /** Requests an agent may send at once. */
  burst: number;
  /**
   * All agents together, the same way (off unless set with WARDEN_RATE_LIMIT_TOTAL). Off by
   * default: a shared window lets busy agents get a quiet one refused, so the per-agent default
   * is set low enough instead that 64 agents at their limit leave the server most of its time.
   */
  total?: { perSecond: number; burst: number };
}

/**
 * 5 requests a second, 40 at once, per agent: a coding agent's tool call is up to three requests
 * (ask, wait, complete), so this is a tool call every 0.6 s sustained, with room for a dozen
 * parallel calls at once. 64 agents at this limit leave the server most of its time (the soak
 * bench); at twice the rate they saturate it.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 5, burst: 40 };
/** The largest `args` of an action, as serialized JSON (UTF-8 bytes). */
export const DEFAULT_MAX_ARGS_BYTES = 64 * 1024;

/**
 * `WARDEN_RATE_LIMIT` as `PER_SECOND/BURST` (`5/40`) or `off`; undefined when unset. Anything
 * else throws a one-line message.
 */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimit | false | undefined {
  const raw = env.WARDEN_RATE_LIMIT;
  const rawTotal = env.WARDEN_RATE_LIMIT_TOTAL;
  if (raw === 'off') return false;
  if ((raw === undefined || raw === '') && (rawTotal === undefined || rawTotal === '')) return undefined;
  const perAgent = raw ? pace('WARDEN_RATE_LIMIT', raw) : { perSecond: DEFAULT_RATE_LIMIT.perSecond, burst: DEFAULT_RATE_LIMIT.burst };
  const total = rawTotal === undefined || rawTotal === 'off' ? undefined : pace('WARDEN_RATE_LIMIT_TOTAL', rawTotal);
  return { ...perAgent, ...(total ? { total } : {}) };
}

function pace(name: string, raw: string): { perSecond: number; burst: number } {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(raw);
  const limit = m ? { perSecond: Number(m[1]), burst: Number(m[2]) } : null;
  if (!limit || limit.perSecond < 1 || limit.burst < limit.perSecond) {
    throw new Error(`${name}: expected PER_SECOND/BURST with BURST >= PER_SECOND >= 1 (e.g. 5/40) or off, got ${JSON.stringify(raw)}`);
  }
  return limit;
}

/** `WARDEN_MAX_ARGS_BYTES`: a positive integer; undefined when unset. */
export function maxArgsBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.WARDEN_MAX_ARGS_BYTES;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || n < 1) throw new Error(`WARDEN_MAX_ARGS_BYTES: expected a positive integer number of bytes, got ${JSON.stringify(raw)}`);
  return n;
}

/** The agent id behind a request's key, or null (no key, an operator token, an unknown key). */
export type AgentOf = (request: FastifyRequest) => string | null;

/** Installs the limits on every route registered after them. */
export async function installAgentRateLimit(app: FastifyInstance, limit: RateLimit, agentOf: AgentOf): Promise<void> {
  // The shared limit first: a request it refuses is not counted against its agent's own.
  if (limit.total) await installLimiter(app, limit.total, (request) => (agentOf(request) === null ? '' : 'all-agents'), 'all agents together');
  await installLimiter(app, limit, (request) => agentOf(request) ?? '', 'this agent');
}

async function installLimiter(
  app: FastifyInstance,
  limit: { perSecond: number; burst: number },
  keyOf: (request: FastifyRequest) => string,
  who: string,
): Promise<void> {
  if (!(Number.isSafeInteger(limit.perSecond) && limit.perSecond >= 1 && Number.isSafeInteger(limit.burst) && limit.burst >= limit.perSecond)) {
    throw new Error(`rateLimit: expected whole numbers with burst >= perSecond >= 1, got ${JSON.stringify(limit)}`);
  }
  const windowMs = Math.ceil((limit.burst / limit.perSecond) * 1000);
  await app.register(rateLimit, {
    global: true,
    max: limit.burst,
    timeWindow: windowMs,
    hook: 'onRequest',
    keyGenerator: keyOf,
    allowList: (_request, key) => key === '',
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        429,
        'rate_limited',
        `${who} sent more than ${limit.burst} requests in ${windowMs / 1000} s (limit ${limit.perSecond}/s, burst ${limit.burst}); retry after ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
      ),
  });
}
