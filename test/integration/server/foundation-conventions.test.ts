/**
 * The API's conventions over real HTTP: error shape and codes, invalid_json, 413, host and
 * origin guards, unknown fields, cursor lists, Idempotency-Key, health, and the OpenAPI document.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import type { RouteDef } from '../../../shared/api/contract.js';
import { VERSION } from '../../../electron/common/version.js';
import { errorBody, startTestApp, type Reply, type TestApp } from '../../support/app.js';
import { OpenApiDoc } from '../../support/openapi.js';
import { isErrorBody, rawRequest } from '../../support/raw-http.js';

let t: TestApp;
let port: string;
beforeAll(async () => {
  t = await startTestApp();
  port = new URL(t.url).port;
});
afterAll(async () => {
  await t.close();
});

const agentCount = () => (t.app.db.prepare('SELECT COUNT(*) AS n FROM agents').get() as { n: number }).n;

describe('error shape', () => {
  it('every error is {error: {code, message, param?}} with a JSON content type', async () => {
    const cases = [
      await t.raw('GET', '/v1/agents'),
      await t.raw('GET', '/v1/agents', { key: 'wk_op_not-a-real-token' }),
      await t.raw('GET', '/v1/agents/agt_missing', { key: t.op }),
      await t.raw('GET', '/v1/nope', { key: t.op }),
      await t.raw('POST', '/v1/agents', { key: t.op, body: {} }),
    ];
    expect(cases.map((c) => [c.status, errorBody(c.body).error.code])).toEqual([
      [401, 'unauthenticated'],
      [401, 'unauthenticated'],
      [404, 'not_found'],
      [404, 'not_found'],
      [400, 'missing_parameter'],
    ]);
    for (const c of cases) {
      expect(isErrorBody(c.body), JSON.stringify(c.body)).toBe(true);
      expect(c.headers.get('content-type')).toMatch(/^application\/json/);
      expect(errorBody(c.body).error.message).toMatch(/^[^A-Z]/); // lowercase messages
    }
  });

  it('a missing field is missing_parameter naming it; a wrong type is invalid_parameter naming it', async () => {
    const missing = await t.raw('POST', '/v1/agents', { key: t.op, body: { role: 'x' } });
    expect(errorBody(missing.body).error).toMatchObject({ code: 'missing_parameter', param: 'name' });
    const wrong = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 42 } });
    expect(wrong.status).toBe(400);
    expect(errorBody(wrong.body).error).toMatchObject({ code: 'invalid_parameter', param: 'name' });
    expect(errorBody(wrong.body).error.message).toMatch(/expected string/);
  });

  it('Authorization: Bearer and X-API-Key both authenticate; a malformed header is 401', async () => {
    expect((await t.raw('GET', '/v1/me', { headers: { 'x-api-key': t.op } })).status).toBe(200);
    expect((await t.raw('GET', '/v1/me', { headers: { authorization: `Bearer ${t.op}` } })).status).toBe(200);
    const odd = await t.raw('GET', '/v1/me', { headers: { authorization: `Basic ${t.op}` } });
    expect(odd.status).toBe(401);
    expect(errorBody(odd.body).error.code).toBe('unauthenticated');
  });
});

describe('bodies', () => {
  it('malformed JSON is 400 invalid_json, whatever the content type, and creates nothing', async () => {
    const before = agentCount();
    for (const [rawBody, type] of [
      ['{"name": "a"', 'application/json'],
      ['{"name": "a"}}', 'application/json'],
      ["{'name': 'a'}", 'application/json'],
      ['name=a', 'application/x-www-form-urlencoded'],
      ['{"name": "a"', 'text/plain'],
    ] as const) {
      const res = await t.raw('POST', '/v1/agents', { key: t.op, rawBody, headers: { 'content-type': type } });
      expect(res.status, rawBody).toBe(400);
      expect(errorBody(res.body).error.code, rawBody).toBe('invalid_json');
    }
    expect(agentCount()).toBe(before);
  });

  it('JSON with a proto-poisoning key is refused', async () => {
    const res = await t.raw('POST', '/v1/agents', { key: t.op, rawBody: '{"name":"p","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(isErrorBody(res.body)).toBe(true);
  });

  it('a body over 1 MiB is 413 payload_too_large; just under reaches validation', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
    const res = await t.raw('POST', '/v1/agents', { key: t.op, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(errorBody(res.body).error.code).toBe('payload_too_large');

    const under = JSON.stringify({ name: 'x'.repeat(1024 * 1024 - 100) });
    expect(Buffer.byteLength(under)).toBeLessThan(1024 * 1024);
    const ok = await t.raw('POST', '/v1/agents', { key: t.op, rawBody: under, headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(400);
    expect(errorBody(ok.body).error).toMatchObject({ code: 'invalid_parameter', param: 'name' });
  });

  it('unknown fields are invalid_parameter naming the field (a typo never passes silently)', async () => {
    const res = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'typo', nmae: 'x' } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'nmae' });
    expect(errorBody(res.body).error.message).toBe('unknown field nmae');
    const query = await t.raw('GET', '/v1/agents?limt=5', { key: t.op });
    expect(query.status).toBe(400);
    expect(errorBody(query.body).error).toMatchObject({ code: 'invalid_parameter', param: 'limt' });
  });
});

describe('host and origin guards', () => {
  const get = (headers: Record<string, string>, path = '/v1/health') => rawRequest(t.url, { path, headers });

  it('accepts 127.0.0.1, localhost and [::1] with the server’s port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await get({ host })).status, host).toBe(200);
    }
  });

  it('rejects any other Host (DNS rebinding) with 403 forbidden_host, before authentication', async () => {
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      'evil.example',
      `127.0.0.1:${Number(port) + 1}`,
      '127.0.0.1',
      `127.0.0.1:${port}.evil.example`,
      `localhost:${port}@evil.example`,
    ]) {
      const res = await get({ host, authorization: `Bearer ${t.op}` }, '/v1/agents');
      expect(res.status, host).toBe(403);
      expect(errorBody(res.body).error.code, host).toBe('forbidden_host');
    }
  });

  it('malformed and over-long URLs get the error shape, and the host guard still applies to them', async () => {
    const host = `127.0.0.1:${port}`;
    const bad = await rawRequest(t.url, { path: '/v1/agents/%ZZ', headers: { host, authorization: `Bearer ${t.op}` } });
    expect([bad.status, errorBody(bad.body).error.code]).toEqual([400, 'invalid_parameter']);
    const long = await rawRequest(t.url, { path: `/v1/agents/${'x'.repeat(300)}`, headers: { host, authorization: `Bearer ${t.op}` } });
    expect([long.status, errorBody(long.body).error.code]).toEqual([400, 'invalid_parameter']);
    const foreign = await rawRequest(t.url, { path: '/v1/agents/%ZZ', headers: { host: `evil.example:${port}` } });
    expect([foreign.status, errorBody(foreign.body).error.code]).toEqual([403, 'forbidden_host']);
  });

  it('a route that takes no body refuses one (a DELETE with a payload hides a mistake)', async () => {
    const agent = await t.agent('body-check');
    const keys = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id } });
    const path = `/v1/agents/${agent.id}/keys/${keys.body.data[0]!.id}`;
    const refused = await t.raw('DELETE', path, { key: t.op, body: { reason: 'rotated' } });
    expect([refused.status, errorBody(refused.body).error.code]).toEqual([400, 'invalid_parameter']);
    expect((await t.raw('GET', '/v1/me', { key: agent.key })).status).toBe(200);
    expect((await t.raw('DELETE', path, { key: t.op, body: {} })).status).toBe(200);
  });

  it('a request without Host (HTTP/1.0) is refused too', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(`GET /v1/agents HTTP/1.0\r\nAuthorization: Bearer ${t.op}\r\n\r\n`));
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 403/);
    expect(answer).toContain('"forbidden_host"');
  });

  it('a rebinding page cannot create anything even with the operator token', async () => {
    const before = agentCount();
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/v1/agents',
      headers: { host: `attacker.example:${port}`, authorization: `Bearer ${t.op}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rebound' }),
    });
    expect(res.status).toBe(403);
    expect(agentCount()).toBe(before);
  });

  it('rejects a foreign Origin with 403 forbidden_origin; the server’s own origin passes', async () => {
    const host = `127.0.0.1:${port}`;
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${Number(port) + 1}`]) {
      const res = await get({ host, origin });
      expect(res.status, origin).toBe(403);
      expect(errorBody(res.body).error.code, origin).toBe('forbidden_origin');
    }
    expect((await get({ host, origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await get({ host, origin: `http://localhost:${port}` })).status).toBe(200);
  });
});

describe('cursor lists', () => {
  it('pages through every item once with limit and next_cursor', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add((await t.agent(`pager-${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Reply<'listAgents'> = await t.api(t.op).answer('listAgents', { query: { limit: 3, ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('list');
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.data.map((a: { id: string }) => a.id));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('every list route of the contract takes limit (1–500, default 50) and cursor', () => {
    const lists = Object.entries(routes).filter(([, r]) => {
      const shape = (r.response as { shape?: Record<string, { value?: unknown }> }).shape;
      return shape?.object?.value === 'list';
    });
    expect(lists.length).toBeGreaterThan(10);
    for (const [name, route] of lists) {
      const query = (route as RouteDef).query;
      expect(query, name).toBeTruthy();
      expect(query?.safeParse({}).data, name).toMatchObject({ limit: 50 });
      expect(query?.safeParse({ limit: '1', cursor: 'abc' }).success, name).toBe(true);
      for (const limit of ['0', '501']) expect(query?.safeParse({ limit }).success, `${name} limit=${limit}`).toBe(false);
    }
  });

  it("an agent's keys page like any list: newest first, each once", async () => {
    const agent = await t.agent('many-keys');
    for (let i = 0; i < 4; i++) expect((await t.raw('POST', `/v1/agents/${agent.id}/keys`, { key: t.op })).status).toBe(201);
    const all = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id } });
    expect(all.body).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
    expect(all.body.data).toHaveLength(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Reply<'listAgentKeys'> = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id }, query: { limit: 2, ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((k: { id: string }) => k.id));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(all.body.data.map((k: { id: string }) => k.id));
    expect(seen).toEqual([...seen].sort().reverse()); // ids sort by creation time
    const first = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id }, query: { limit: 1 } });
    expect([first.status, first.body.data.length, first.body.has_more]).toEqual([200, 1, true]);
    const bad = await t.raw('GET', `/v1/agents/${agent.id}/keys?limit=501`, { key: t.op });
    expect([bad.status, errorBody(bad.body).error.param]).toEqual([400, 'limit']);
    const foreign = await t.raw('GET', `/v1/agents/${agent.id}/keys?cursor=garbage`, { key: t.op });
    expect([foreign.status, errorBody(foreign.body).error.param]).toEqual([400, 'cursor']);
  });

  it('limit must be an integer 1–500 (default 50); a foreign cursor is invalid_parameter', async () => {
    for (const limit of ['0', '501', '-1', '2.5', 'abc', '']) {
      const res = await t.raw('GET', `/v1/agents?limit=${limit}`, { key: t.op });
      expect(res.status, limit).toBe(400);
      expect(errorBody(res.body).error, limit).toMatchObject({ code: 'invalid_parameter', param: 'limit' });
    }
    expect((await t.api(t.op).answer('listAgents', { query: { limit: 1 } })).body.data).toHaveLength(1);
    expect((await t.raw('GET', '/v1/agents?limit=500', { key: t.op })).status).toBe(200);
    for (const cursor of ['garbage', 'eyJhIjoxfQ', '%00']) {
      const res = await t.raw('GET', `/v1/agents?cursor=${cursor}`, { key: t.op });
      expect(res.status, cursor).toBe(400);
      expect(errorBody(res.body).error, cursor).toMatchObject({ code: 'invalid_parameter', param: 'cursor' });
    }
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body replays the first response without doing it twice', async () => {
    // A route whose answer holds no secret (POST /v1/agents never replays: see identity.test.ts).
    const tools = () => (t.app.db.prepare('SELECT COUNT(*) AS n FROM tools').get() as { n: number }).n;
    const before = tools();
    const headers = { 'idempotency-key': 'create-replay-1' };
    const first = await t.raw('POST', '/v1/tools', { key: t.op, body: { name: 'idem.replayed' }, headers });
    const second = await t.raw('POST', '/v1/tools', { key: t.op, body: { name: 'idem.replayed' }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(tools()).toBe(before + 1);
  });

  it('the same key with a different body is 409 idempotency_conflict and changes nothing', async () => {
    const headers = { 'idempotency-key': 'create-conflict-1' };
    expect((await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'idem-2' }, headers })).status).toBe(201);
    const before = agentCount();
    const res = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'idem-3' }, headers });
    expect(res.status).toBe(409);
    expect(errorBody(res.body).error.code).toBe('idempotency_conflict');
    expect(agentCount()).toBe(before);
  });

  it('a 4xx answer is replayed too, and keys belong to their caller', async () => {
    await t.agent('taken');
    const headers = { 'idempotency-key': 'dup-name' };
    const first = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'taken' }, headers });
    expect(first.status).toBe(409);
    expect(errorBody(first.body).error.code).toBe('state_conflict');
    const again = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'taken' }, headers });
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const other = await t.api(t.op).answer('createOperator', { body: { name: 'second', role: 'admin' } });
    const theirs = await t.raw('POST', '/v1/agents', { key: other.body.token, body: { name: 'by-second' }, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a retry while the first request still runs waits for it and replays; nothing is done twice', async () => {
    const agent = await t.agent('impatient');
    const actions = () => (t.app.db.prepare('SELECT COUNT(*) AS n FROM actions WHERE agent_id = ?').get(agent.id) as { n: number }).n;
    const headers = { 'idempotency-key': 'ask-once' };
    // ALERT with wait_s=1 holds the first response for a second.
    const first = t.raw('POST', '/v1/actions?wait_s=1', { key: agent.key, body: { tool: 'deploy.prod' }, headers });
    await new Promise((r) => setTimeout(r, 100));
    const retry = t.raw('POST', '/v1/actions?wait_s=1', { key: agent.key, body: { tool: 'deploy.prod' }, headers });
    const other = await t.raw('POST', '/v1/actions?wait_s=1', { key: agent.key, body: { tool: 'deploy.staging' }, headers });
    expect([other.status, errorBody(other.body).error.code]).toEqual([409, 'idempotency_conflict']);
    const [a, b] = await Promise.all([first, retry]);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(actions()).toBe(1);
  });

  it('a client that gives up does not free its key for a second execution', async () => {
    const agent = await t.agent('gives-up');
    const actions = () => (t.app.db.prepare('SELECT COUNT(*) AS n FROM actions WHERE agent_id = ?').get(agent.id) as { n: number }).n;
    const abort = new AbortController();
    const init = { method: 'POST', headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json', 'idempotency-key': 'retry-after-timeout' }, body: '{"tool":"deploy.prod"}' };
    const first = fetch(`${t.url}/v1/actions?wait_s=1`, { ...init, signal: abort.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await first).toBe('aborted');
    const retry = await fetch(`${t.url}/v1/actions?wait_s=1`, init);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(actions()).toBe(1);
  });

  it('an over-long key is refused', async () => {
    const res = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'long-key' }, headers: { 'idempotency-key': 'k'.repeat(256) } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'Idempotency-Key' });
  });
});

describe('health and OpenAPI', () => {
  it('GET /v1/health needs no key and names the version', async () => {
    const res = await t.raw('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, version: VERSION });
  });

  it('public routes ignore any key presented: a bad or revoked one does not turn health into a 401', async () => {
    const agent = await t.agent('stale-key');
    const keys = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id } });
    expect((await t.raw('DELETE', `/v1/agents/${agent.id}/keys/${keys.body.data[0]!.id}`, { key: t.op })).status).toBe(200);
    const presented: { key?: string; headers?: Record<string, string> }[] = [
      { key: 'wk_agent_nope' },
      { key: agent.key },
      { headers: { 'x-api-key': 'garbage' } },
      { headers: { authorization: 'Basic' } },
    ];
    for (const options of presented) {
      const health = await t.raw('GET', '/v1/health', options);
      expect([health.status, health.body], JSON.stringify(options)).toEqual([200, { ok: true, version: VERSION }]);
      expect((await t.raw('GET', '/openapi.json', options)).status, JSON.stringify(options)).toBe(200);
    }
    // A route that needs a key still refuses the revoked one.
    expect((await t.raw('GET', '/v1/me', { key: agent.key })).status).toBe(401);
  });

  it('/openapi.json is OpenAPI 3.1 with every route of the contract', async () => {
    const res = await t.api().answer('openapi');
    expect(res.status).toBe(200);
    const doc = OpenApiDoc.parse(res.body);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: VERSION });
    expect(doc.components.securitySchemes).toBeTruthy();
    const operationIds = new Set<string>();
    for (const [name, route] of Object.entries(routes)) {
      const def = route as RouteDef;
      const path = def.path.replace(/:([a-z_]+)/gi, '{$1}');
      const op = doc.paths[path]?.[def.method.toLowerCase()];
      expect(op, `${def.method} ${path}`).toBeTruthy();
      expect(op!.operationId).toBe(name);
      operationIds.add(op!.operationId);
      expect(op!.responses[String(def.status ?? 200)], name).toBeTruthy();
      expect(op!.responses['4XX'], name).toBeTruthy();
      for (const p of path.match(/\{[a-z_]+\}/gi) ?? []) {
        expect(op!.parameters!.some((x: { name: string; in: string }) => x.in === 'path' && `{${x.name}}` === p), `${name} ${p}`).toBe(true);
      }
      if (def.body) expect(op!.requestBody?.content?.['application/json']?.schema, name).toBeTruthy();
    }
    expect(operationIds.size).toBe(Object.keys(routes).length);
    // Nothing documented that the contract does not have.
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(documented).toBe(Object.keys(routes).length);
  });

  it('unknown routes are 404 not_found in the error shape, also under /v1 with the UI disabled', async () => {
    for (const path of ['/v1/nope', '/v1', '/v1/agents/x/y/z']) {
      const res = await t.raw('GET', path, { key: t.op });
      expect(res.status, path).toBe(404);
      expect(isErrorBody(res.body), path).toBe(true);
    }
  });
});
