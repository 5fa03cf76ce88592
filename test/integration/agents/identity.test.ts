/**
 * Identity over real HTTP: agents and their keys (hashed at rest, scoped, revocable), operators,
 * `GET /v1/me`, and the invariant that an agent key never reaches an operator route — checked
 * over every route of the contract, so routes added later are covered without editing this file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../../../shared/api/contract.js';
import { AGENT_SCOPES } from '../../../shared/vocabulary.js';
import { routes } from '../../../shared/api/index.js';
import { immediate } from '../../../electron/db/connection.js';
import { errorBody, errorOf, type Reply, startTestApp, type TestApp } from '../../support/app.js';
import { isErrorBody } from '../../support/raw-http.js';

/** `GET /v1/me` as an agent sees it: fails unless the key was an agent's. */
function asAgent(me: Reply<'me'>['body']) {
  if (me.object !== 'agent') throw new Error(`expected an agent, got ${me.object}`);
  return me;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const allRoutes = Object.entries(routes).map(([name, r]) => ({ name, def: r as RouteDef }));
/** The route's path with every `:param` filled by a harmless placeholder. */
const pathOf = (def: RouteDef) => def.path.replace(/:([a-z_]+)/gi, (_, p: string) => (p === 'scope' ? 'agent' : `x_${p}`));

/** Every user table; the last-contact bookkeeping (any authenticated request moves it) left out. */
function userTablesDump(): string {
  const tables = (t.app.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const contact = (row: Record<string, unknown>) => {
    const { last_seen_at: _seen, last_used_at: _used, ...rest } = row;
    return rest;
  };
  return JSON.stringify(tables.map((name) => [name, (t.app.db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Record<string, unknown>[]).map(contact)]));
}

describe('agents', () => {
  it('POST /v1/agents returns the agent and its key once; reads never show the key again', async () => {
    const res = await t.api(t.op).answer('createAgent', { body: { name: 'builder', role: 'coder', team_id: 'red' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'agent', name: 'builder', role: 'coder', team_id: 'red', leader_agent_id: null, status: 'active' });
    expect(res.body.id).toMatch(/^agt_/);
    expect(res.body.api_key).toMatch(/^wk_agent_[A-Za-z0-9_-]{20,}$/);
    expect(Date.parse(res.body.created_at)).not.toBeNaN();

    const got = await t.api(t.op).answer('getAgent', { params: { id: res.body.id } });
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(res.body.api_key);
    const keys = await t.api(t.op).answer('listAgentKeys', { params: { id: res.body.id } });
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.data[0]!.prefix).toBe(res.body.api_key.slice(0, keys.body.data[0]!.prefix.length));
    expect(JSON.stringify(keys.body)).not.toContain(res.body.api_key);
  });

  it('a taken name is 409 state_conflict; a bad leader is 404; PATCH changes status and role', async () => {
    const a = await t.agent('unique-one');
    const dup = await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'unique-one' } });
    expect(dup.status).toBe(409);
    expect(errorBody(dup.body).error).toMatchObject({ code: 'state_conflict', param: 'name' });
    expect((await t.raw('POST', '/v1/agents', { key: t.op, body: { name: 'orphan', leader_agent_id: 'agt_nobody' } })).status).toBe(404);

    const patched = await t.api(t.op).answer('updateAgent', { params: { id: a.id }, body: { status: 'disabled', role: 'reviewer' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'disabled', role: 'reviewer' });
    const bad = await t.raw('PATCH', `/v1/agents/${a.id}`, { key: t.op, body: { status: 'sleeping' } });
    expect(errorBody(bad.body).error).toMatchObject({ code: 'invalid_parameter', param: 'status' });
  });

  it('keys and operator tokens are stored only as hashes: neither the database nor its WAL holds one', async () => {
    const agent = await t.agent('secretive');
    const extra = await t.api(t.op).answer('createAgentKey', { params: { id: agent.id }, body: undefined });
    const op2 = await t.api(t.op).answer('createOperator', { body: { name: 'night-shift' } });
    const secrets = [agent.key, extra.body.api_key as string, op2.body.token as string, t.op];
    // The key works, so it is really the one the server knows.
    expect((await t.api(agent.key).answer('me')).status).toBe(200);
    const files = readdirSync(t.dataDir).filter((f) => f.startsWith('warden.db'));
    expect(files).toContain('warden.db');
    for (const file of files) {
      const bytes = readFileSync(join(t.dataDir, file));
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${file} holds a secret`).toBe(false);
        // Not even the random part without its prefix.
        expect(bytes.includes(Buffer.from(secret.replace(/^wk_(agent|op)_/, ''))), `${file} holds a secret body`).toBe(false);
      }
    }
    // What is stored is the SHA-256 of the key.
    const sha = createHash('sha256').update(agent.key).digest('hex');
    expect(t.app.db.prepare('SELECT agent_id FROM agent_keys WHERE key_hash = ?').get(sha)).toEqual({ agent_id: agent.id });
  });
});

describe('Idempotency-Key on routes that answer with a secret', () => {
  // Its own server, so nothing another test stored can hide or fake what this one looks for.
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await startTestApp();
  });
  afterAll(async () => {
    await fresh.close();
  });
  const post = (path: string, key: string, body?: unknown) => fresh.raw('POST', path, { key: fresh.op, body, headers: { 'idempotency-key': key } });

  it('the secret is never stored: the database and its WAL hold no key or token, the record only a hash and a status', async () => {
    const agent = await fresh.api(fresh.op).answer('createAgent', { body: { name: 'idem-secret' } }, { idempotencyKey: 'idem-agent' });
    const extra = await fresh.api(fresh.op).answer('createAgentKey', { params: { id: agent.body.id }, body: { scopes: ['audit:read'] } }, { idempotencyKey: 'idem-key' });
    const operator = await fresh.api(fresh.op).answer('createOperator', { body: { name: 'idem-op' } }, { idempotencyKey: 'idem-operator' });
    expect([agent.status, extra.status, operator.status]).toEqual([201, 201, 201]);
    const secrets = [agent.body.api_key, extra.body.api_key, operator.body.token];
    for (const secret of secrets) expect(secret).toMatch(/^wk_(agent|op)_/);

    const files = readdirSync(fresh.dataDir).filter((f) => f.startsWith('warden.db'));
    expect(files).toEqual(expect.arrayContaining(['warden.db', 'warden.db-wal']));
    for (const file of files) {
      const bytes = readFileSync(join(fresh.dataDir, file));
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${file} holds a secret`).toBe(false);
        expect(bytes.includes(Buffer.from(secret.replace(/^wk_(agent|op)_/, ''))), `${file} holds a secret body`).toBe(false);
      }
      // No whole key of any kind (a stored 13-character prefix is not one).
      expect(bytes.toString('latin1').match(/wk_(agent|op)_[A-Za-z0-9_-]{20,}/)?.[0], file).toBeUndefined();
    }
    const records = fresh.app.db.prepare('SELECT key, request_hash, status, body FROM idempotency_keys ORDER BY key').all();
    expect(records).toEqual(
      ['idem-agent', 'idem-key', 'idem-operator'].map((key) => ({ key, request_hash: expect.stringMatching(/^[0-9a-f]{64}$/), status: 201, body: '' })),
    );
  });

  it('a replay with the same key and body is 409 idempotency_conflict saying the secret was shown once and how to get a new one', async () => {
    const agents = () => (fresh.app.db.prepare("SELECT COUNT(*) AS n FROM agents WHERE name = 'idem-secret'").get() as { n: number }).n;
    const keys = () => (fresh.app.db.prepare('SELECT COUNT(*) AS n FROM agent_keys').get() as { n: number }).n;
    const before = keys();
    const id = (fresh.app.db.prepare("SELECT id FROM agents WHERE name = 'idem-secret'").get() as { id: string }).id;

    for (const [path, key, body] of [
      ['/v1/agents', 'idem-agent', { name: 'idem-secret' }],
      [`/v1/agents/${id}/keys`, 'idem-key', { scopes: ['audit:read'] }],
    ] as const) {
      const again = await post(path, key, body);
      expect([again.status, errorBody(again.body).error.code], path).toEqual([409, 'idempotency_conflict']);
      expect(errorBody(again.body).error.message).toContain('shown once');
      expect(errorBody(again.body).error.message).toContain('POST /v1/agents/{id}/keys');
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.stringify(again.body)).not.toMatch(/wk_agent_/);
    }
    const operator = await post('/v1/operators', 'idem-operator', { name: 'idem-op' });
    expect([operator.status, errorBody(operator.body).error.code]).toEqual([409, 'idempotency_conflict']);
    expect(errorBody(operator.body).error.message).toContain('POST /v1/operators');
    expect(agents()).toBe(1);
    expect(keys()).toBe(before);

    // A different body under the same key gets the usual conflict.
    const other = await post('/v1/agents', 'idem-agent', { name: 'idem-other' });
    expect([other.status, errorBody(other.body).error.code]).toEqual([409, 'idempotency_conflict']);
    expect(errorBody(other.body).error.message).toContain('different request');
    // An answer without a secret (a 4xx) is still replayed.
    const taken = await post('/v1/agents', 'idem-taken', { name: 'idem-secret' });
    const retaken = await post('/v1/agents', 'idem-taken', { name: 'idem-secret' });
    expect([taken.status, retaken.status, retaken.headers.get('idempotent-replayed')]).toEqual([409, 409, 'true']);
    expect(retaken.body).toEqual(taken.body);
  });
});

describe('scopes and revocation', () => {
  it('a key lacking a scope gets 403 insufficient_scope naming it; with the scope the route answers', async () => {
    const narrow = await t.api(t.op).answer('createAgent', { body: { name: 'narrow', scopes: ['actions:write'] } });
    const key = narrow.body.api_key as string;
    const denied = await t.raw('GET', '/v1/audit', { key });
    expect(denied.status).toBe(403);
    expect(errorBody(denied.body).error.code).toBe('insufficient_scope');
    expect(errorBody(denied.body).error.message).toContain('audit:read');
    const reader = await t.api(t.op).answer('createAgentKey', { params: { id: narrow.body.id }, body: { scopes: ['audit:read'] } });
    expect(reader.body.scopes).toEqual(['audit:read']);
    expect((await t.api(reader.body.api_key).answer('listAudit')).status).toBe(200);
  });

  it('every scoped route refuses a key without its scope (all routes of the contract)', async () => {
    const scoped = allRoutes.filter(({ def }) => (AGENT_SCOPES as readonly string[]).includes(def.auth));
    expect(scoped.length).toBeGreaterThan(5);
    for (const scope of AGENT_SCOPES) {
      const others = AGENT_SCOPES.filter((s) => s !== scope);
      const made = await t.api(t.op).answer('createAgent', { body: { name: `no-${scope.replace(':', '-')}`, scopes: others } });
      const key = made.body.api_key as string;
      for (const { name, def } of scoped.filter((r) => r.def.auth === scope)) {
        const res = await t.raw(def.method, pathOf(def), { key, body: def.method === 'GET' || def.method === 'DELETE' ? undefined : {} });
        expect([res.status, errorOf(res.body)?.code], `${name} without ${scope}`).toEqual([403, 'insufficient_scope']);
      }
    }
  });

  it('a revoked key is 401 from then on; the agent’s other keys still work', async () => {
    const agent = await t.agent('revokee');
    const second = await t.api(t.op).answer('createAgentKey', { params: { id: agent.id }, body: undefined });
    const keys = await t.api(t.op).answer('listAgentKeys', { params: { id: agent.id } });
    const first = keys.body.data.find((k) => k.id !== second.body.id)!;
    // In use before the revocation, so the server has resolved it once already.
    expect((await t.api(agent.key).answer('me')).status).toBe(200);
    const revoked = await t.api(t.op).answer('revokeAgentKey', { params: { id: agent.id, key_id: first.id }, body: undefined });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toBeTruthy();
    const after = await t.raw('GET', '/v1/me', { key: agent.key });
    expect(after.status).toBe(401);
    expect(errorBody(after.body).error.code).toBe('unauthenticated');
    expect((await t.api(second.body.api_key).answer('me')).status).toBe(200);
    expect((await t.raw('DELETE', `/v1/agents/${agent.id}/keys/${first.id}`, { key: t.op })).status).toBe(409);
    expect((await t.raw('DELETE', `/v1/agents/${agent.id}/keys/key_nope`, { key: t.op })).status).toBe(404);
  });

  // Resolved keys are kept in memory (every request resolves one); these pin what may be kept.
  it('a revocation that rolls back leaves the key working; a key whose creation rolls back never works', async () => {
    const { agents } = t.app.services;
    const agent = await t.agent('rollback-keys');
    expect(agents.resolveKey(agent.key)?.agentId).toBe(agent.id);
    const keyId = asAgent((await t.api(agent.key).answer('me')).body).key_id;
    expect(() =>
      immediate(t.app.db, () => {
        agents.revokeKey(agent.id, keyId, 'system');
        expect(agents.resolveKey(agent.key)).toBeUndefined();
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(agents.resolveKey(agent.key)?.keyId).toBe(keyId);
    expect((await t.api(agent.key).answer('me')).status).toBe(200);

    let unborn = '';
    expect(() =>
      immediate(t.app.db, () => {
        unborn = agents.issueKey(agent.id, ['actions:write'], 'system').api_key;
        expect(agents.resolveKey(unborn)?.agentId).toBe(agent.id);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(agents.resolveKey(unborn)).toBeUndefined();
    expect((await t.raw('GET', '/v1/me', { key: unborn })).status).toBe(401);
  });

  it('key events are audited without the secret', async () => {
    const agent = await t.agent('audited-key');
    const audit = await t.api(t.op).answer('listAudit', { query: { agent_id: agent.id } });
    expect(audit.body.data.map((e: { event_type: string }) => e.event_type).sort()).toEqual(['agent.created', 'key.created']);
    expect(JSON.stringify(audit.body)).not.toContain(agent.key);
  });
});

describe('operators and /v1/me', () => {
  it('owner exists from the first start; POST /v1/operators adds one with its own working token', async () => {
    const me = await t.api(t.op).answer('me');
    expect(me.body).toMatchObject({ object: 'operator', name: 'owner' });
    const made = await t.api(t.op).answer('createOperator', { body: { name: 'alice' } });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^wk_op_/);
    const hers = await t.api(made.body.token).answer('me');
    expect(hers.body).toMatchObject({ object: 'operator', name: 'alice', id: made.body.id });
    const list = await t.api(made.body.token).answer('listOperators');
    expect(list.body.data.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['owner', 'alice']));
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);
    expect((await t.raw('POST', '/v1/operators', { key: t.op, body: { name: 'alice' } })).status).toBe(409);
  });

  it('GET /v1/me with an agent key is that agent with its scopes and key id; a disabled agent still reads it', async () => {
    const made = await t.api(t.op).answer('createAgent', { body: { name: 'whoami', scopes: ['spend:write', 'budgets:read'] } });
    const me = await t.raw('GET', '/v1/me', { key: made.body.api_key });
    expect(me.body).toMatchObject({ object: 'agent', id: made.body.id, name: 'whoami', scopes: ['spend:write', 'budgets:read'], key_id: made.body.key.id });
    await t.api(t.op).answer('updateAgent', { params: { id: made.body.id }, body: { status: 'disabled' } });
    expect(asAgent((await t.api(made.body.api_key).answer('me')).body).status).toBe('disabled');
    expect((await t.raw('GET', '/v1/me')).status).toBe(401);
  });
});

describe('an agent key never reaches an operator route', () => {
  it('every operator route of the contract answers 403 insufficient_scope to an all-scopes agent key and changes nothing', async () => {
    const all = await t.agent('all-scopes');
    const operatorRoutes = allRoutes.filter(({ def }) => def.auth === 'operator');
    expect(operatorRoutes.map((r) => r.name)).toEqual(expect.arrayContaining(['createAgent', 'createOperator', 'events']));
    const before = userTablesDump();
    for (const { name, def } of operatorRoutes) {
      for (const body of [undefined, {}, { name: 'sneaky', decision: 'allow_once', engaged: false }]) {
        for (const header of ['authorization', 'x-api-key'] as const) {
          const headers: Record<string, string> = header === 'authorization' ? { authorization: `Bearer ${all.key}` } : { 'x-api-key': all.key };
          const res = await t.raw(def.method, pathOf(def), { headers, body: def.method === 'GET' ? undefined : body });
          expect([res.status, errorOf(res.body)?.code], `${def.method} ${def.path} (${name})`).toEqual([403, 'insufficient_scope']);
          expect(isErrorBody(res.body)).toBe(true);
        }
      }
    }
    expect(userTablesDump()).toBe(before);
  });

  it('every route but the public ones answers 401 without a key, and with an unknown or malformed key', async () => {
    for (const { name, def } of allRoutes) {
      for (const key of [undefined, 'wk_agent_unknown', 'wk_op_unknown', 'garbage']) {
        const res = await t.raw(def.method, pathOf(def), { key, body: def.method === 'GET' ? undefined : {} });
        if (def.auth === 'public') {
          // A public route needs no key, so it ignores whatever key comes (health needs no auth).
          expect(res.status, `${name} with ${key ?? 'no key'}`).toBe(200);
          continue;
        }
        expect([res.status, errorOf(res.body)?.code], `${name} with ${key ?? 'no key'}`).toEqual([401, 'unauthenticated']);
      }
    }
  });

  it('a new owner token (operator.token replaced before a start) retires the old one at once', async () => {
    const { operators } = t.app.services;
    const file = join(t.dataDir, 'rotated.token');
    writeFileSync(file, 'wk_op_rotated-owner-token-for-this-test\n');
    expect((await t.api(t.op).answer('me')).status).toBe(200);
    const rotated = operators.ensureOwner(file);
    try {
      expect((await t.raw('GET', '/v1/me', { key: t.op })).status).toBe(401);
      expect((await t.api(rotated).answer('me')).body).toMatchObject({ object: 'operator', name: 'owner' });
    } finally {
      writeFileSync(file, `${t.op}\n`);
      operators.ensureOwner(file);
    }
    expect((await t.raw('GET', '/v1/me', { key: rotated })).status).toBe(401);
    expect((await t.api(t.op).answer('me')).status).toBe(200);
  });

  it('the operator token file is private (0600)', () => {
    if (process.platform === 'win32') return;
    expect(statSync(join(t.dataDir, 'operator.token')).mode & 0o777).toBe(0o600);
  });
});
