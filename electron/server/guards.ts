/**
 * DNS-rebinding and cross-origin guards. A page on evil.example that resolves its name to
 * 127.0.0.1 still sends `Host: evil.example`; a page on any other origin sends its `Origin`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Installs the guards on every request and returns the check itself, for the few answers Fastify
 * gives before its hooks run (malformed URLs).
 */
export function installHostGuards(app: FastifyInstance, configuredHost: string): (request: FastifyRequest) => void {
  let allowedHosts: Set<string> | undefined;
  const hosts = () => {
    if (allowedHosts) return allowedHosts;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const names = new Set(LOOPBACK_NAMES);
    if (!['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(configuredHost)) {
      names.add(configuredHost.includes(':') ? `[${configuredHost}]` : configuredHost);
    }
    allowedHosts = new Set([...names].map((n) => `${n}:${port}`.toLowerCase()));
    return allowedHosts;
  };

  const check = (request: FastifyRequest): void => {
    const host = (request.headers.host ?? '').toLowerCase();
    if (!hosts().has(host)) {
      throw new HttpError(403, 'forbidden_host', `host ${JSON.stringify(request.headers.host ?? '')} is not this server; use 127.0.0.1 or localhost`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !hosts().has(origin.replace(/^http:\/\//i, '').toLowerCase())) {
      throw new HttpError(403, 'forbidden_origin', `requests from origin ${origin} are not allowed`);
    }
  };
  app.addHook('onRequest', async (request) => check(request));
  return check;
}
