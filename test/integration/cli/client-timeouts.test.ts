/**
 * Clients against a server that accepts and never answers, or answers nonsense: `warden exec`,
 * the hook and the typed client give up shortly after their wait and fail closed (exec refuses
 * with 126 and does not run the command; the hook denies), and a malformed reply is refused.
 * Each test's own timeout is far below the 120 s a hung exec used to wait.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenApiError, WardenClient } from '../../../shared/client.js';
import { cli } from '../../support/cli-harness.js';

let dir: string;
const servers: Server[] = [];
const sockets = new Set<import('node:net').Socket>();

/** A real HTTP server on port 0 with `handler`; returns its base URL. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let hung: string;
let stalledBody: string;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-client-timeouts-'));
  // Accepts, reads the request, never answers.
  hung = await serve((req) => {
    requests.push(`${req.method} ${req.url}`);
  });
  // Sends the headers of a 200, then nothing more.
  stalledBody = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id": "act_1", ');
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

const agentEnv = (url: string) => ({ WARDEN_URL: url, WARDEN_KEY: 'wk_agent_test' });

describe('a hung server', () => {
  it('warden exec --wait 5 gives up, exits 126 and does not run the command', { timeout: 30_000 }, async () => {
    const marker = join(dir, 'exec-ran');
    const r = await cli(['exec', '--wait', '5', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], {
      env: agentEnv(hung),
    });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^warden: Warden at http:\/\/127\.0\.0\.1:\d+ did not answer within .* \(timeout\); not running /);
    expect(existsSync(marker)).toBe(false);
    expect(requests).toContain('POST /v1/actions?wait_s=0');
  });

  it('the hook gives up and denies (exit 0 with a decision)', { timeout: 30_000 }, async () => {
    const event = { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'make deploy' }, tool_use_id: 'toolu_hung' };
    const r = await cli(['hook', 'claude-code', '--wait', '1', '--state-dir', join(dir, 'hs')], { env: agentEnv(hung), stdin: JSON.stringify(event) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
  });

  it('the typed client: ask() and call() end with a timeout error', { timeout: 30_000 }, async () => {
    const client = new WardenClient({ baseUrl: hung, key: 'wk_agent_test', timeoutMarginMs: 500, requestTimeoutMs: 500 });
    const asked = await client.ask({ tool: 'shell.exec', args: { command: 'ls' } }, { waitSeconds: 1 }).catch((e: unknown) => e);
    expect(asked).toBeInstanceOf(WardenApiError);
    expect((asked as WardenApiError).code).toBe('timeout');
    const health = await client.call('health').catch((e: unknown) => e);
    expect((health as WardenApiError).code).toBe('timeout');
  });

  it('a reply whose body never finishes times out too', { timeout: 30_000 }, async () => {
    const client = new WardenClient({ baseUrl: stalledBody, key: 'wk_agent_test', timeoutMarginMs: 500 });
    const asked = await client.ask({ tool: 'shell.exec' }, { waitSeconds: 1 }).catch((e: unknown) => e);
    expect((asked as WardenApiError).code).toBe('timeout');
    const marker = join(dir, 'stalled-ran');
    const r = await cli(['exec', '--wait', '1', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], {
      env: agentEnv(stalledBody),
    });
    expect(r.code).toBe(126);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('a malformed reply', () => {
  it.each([
    ['not JSON', 'text/html', '<html>oops</html>'],
    ['JSON that is not an action', 'application/json', '{}'],
    ['an action with an unknown status', 'application/json', '{"id": "act_1", "status": "maybe"}'],
    ['an action with no status', 'application/json', '{"id": "act_1", "decision": "ALLOW"}'],
  ])('%s: warden exec exits 126 and does not run the command; the hook denies', async (_what, type, body) => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const marker = join(dir, `malformed-${Math.random().toString(36).slice(2)}`);
    const r = await cli(['exec', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], { env: agentEnv(url) });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/malformed_response/);
    expect(existsSync(marker)).toBe(false);

    const event = { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_bad' };
    const h = await cli(['hook', 'claude-code', '--state-dir', join(dir, 'hs')], { env: agentEnv(url), stdin: JSON.stringify(event) });
    expect(JSON.parse(h.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
  });
});
