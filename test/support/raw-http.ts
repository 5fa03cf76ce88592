/**
 * node:http requests with full control of the headers (Host, Origin, Content-Length) that fetch
 * either forbids or fills in itself. For the guard and garbage tests.
 */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The one error shape: `{error: {code, message, param?}}` and nothing else. */
export function isErrorBody(body: unknown): body is { error: { code: string; message: string; param?: string } } {
  if (typeof body !== 'object' || body === null) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return false;
  const e = (body as { error: unknown }).error as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null) return false;
  const allowed = new Set(['code', 'message', 'param']);
  return (
    typeof e.code === 'string' &&
    /^[a-z_]+$/.test(e.code) &&
    typeof e.message === 'string' &&
    e.message.length > 0 &&
    (e.param === undefined || typeof e.param === 'string') &&
    Object.keys(e).every((k) => allowed.has(k))
  );
}
