/** Serves the built renderer at `/`, with a fallback to index.html for client-side routes. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * What every UI response carries, `/`, `/index.html` and each asset alike: a page framed by
 * another site or a leaked referrer is the same risk whichever path served it.
 */
const UI_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'referrer-policy': 'no-referrer',
};

export async function serveUi(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  const index = rendererDir ? join(rendererDir, 'index.html') : null;
  const hasUi = index !== null && existsSync(index);
  if (hasUi && rendererDir) {
    await app.register(fastifyStatic, {
      root: rendererDir,
      wildcard: false,
      index: false,
      setHeaders: (reply) => {
        void reply.headers(UI_HEADERS);
      },
    });
  }
  const html = hasUi && index ? readFileSync(index, 'utf8') : null;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (request.method !== 'GET' || path.startsWith('/v1/') || path === '/v1' || /\.[a-z0-9]+$/i.test(path)) {
      throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`);
    }
    void reply
      .type('text/html; charset=utf-8')
      .headers(UI_HEADERS)
      .header('cache-control', 'no-store')
      .send(html ?? '<!doctype html><title>Warden</title><p>The Warden UI is not built. Run <code>npm run build</code>; the API is up.</p>');
  });
}
