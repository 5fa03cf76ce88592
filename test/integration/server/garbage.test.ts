/**
 * Garbage at every route of the contract (read from shared/api/index.ts, so routes added later
 * are covered without editing this file), with the operator token: malformed JSON, non-objects,
 * wrong types, unknown fields, oversized bodies, foreign Host/Origin, bad path params and bad
 * query values. Every answer must be a 4xx in the one error shape; afterwards the server still
 * answers and not one row of any table has changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteDef } from '../../../shared/api/contract.js';
import { routes } from '../../../shared/api/index.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { isErrorBody, rawRequest, type RawResponse } from '../../support/raw-http.js';

let t: TestApp;
let hostHeader: string;
let port: string;
let before: string;
const ids: Record<string, string> = {};

type JsonSchema = { type?: string | string[]; enum?: unknown[]; format?: string; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; const?: unknown };

/** Every table's rows, in a stable order: the whole user-visible state of the database. */
function dump(): string {
  const db = t.app.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  return JSON.stringify(Object.fromEntries(tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()])));
}

beforeAll(async () => {
  // A frozen clock: nothing expires or rolls over while the garbage flies, so any change is the garbage's.
  t = await startTestApp({ clock: new ManualClock() });
  port = new URL(t.url).port;
  hostHeader = `127.0.0.1:${port}`;
  // Real objects of every kind, so bad requests aimed at them reach validation, not just 404.
  const agent = await t.api(t.op).answer('createAgent', { body: { name: 'target', team_id: 'crew' } });
  ids.agent = agent.body.id;
  ids.key = agent.body.key.id;
  const action = await t.api(agent.body.api_key).answer('createAction', { body: { tool: 'deploy.prod', args: { env: 'prod' } } });
  ids.action = action.body.id;
  ids.approval = action.body.approval_id!;
  ids.receipt = action.body.receipt_id;
  const guardrail = await t.api(t.op).answer('createGuardrail', { body: { name: 'seed-rules', rules: [{ tool: 'read.file', decision: 'ALLOW' }] } });
  ids.guardrail = guardrail.body.id;
  await t.api(t.op).answer('setBudget', { body: { scope: 'agent', scope_id: ids.agent, limit_usd_cents: 500, mode: 'cap' } });
  await t.api(t.op).answer('createTool', { body: { name: 'seed.tool' } });
  const toolPolicy = await t.api(t.op).answer('createToolPolicy', { body: { tool_name: 'seed.tool', allowed: true } });
  ids.toolPolicy = toolPolicy.body.id;
  const override = await t.api(t.op).answer('createRoleOverride', { body: { role: 'coder', tool_name: 'seed.tool', allowed: false } });
  ids.override = override.body.id;
  for (const [k, v] of Object.entries(ids)) if (typeof v !== 'string') throw new Error(`seeding ${k} failed`);
  before = dump();
});

afterAll(async () => {
  await t.close();
});

/** A real value for a path parameter of `path`, so only the garbage under test is wrong. */
function realParam(path: string, name: string): string {
  if (name === 'scope') return 'agent';
  if (name === 'scope_id') return ids.agent!;
  if (name === 'key_id') return ids.key!;
  if (name === 'version') return '1';
  const byPrefix: [string, string | undefined][] = [
    ['/v1/agents/', ids.agent],
    ['/v1/actions/', ids.action],
    ['/v1/approvals/', ids.approval],
    ['/v1/receipts/', ids.receipt],
    ['/v1/guardrails/', ids.guardrail],
    ['/v1/tool-policies/', ids.toolPolicy],
    ['/v1/role-policy-overrides/', ids.override],
  ];
  return byPrefix.find(([prefix]) => path.startsWith(prefix))?.[1] ?? `x_${name}`;
}

const paramNames = (def: RouteDef) => [...def.path.matchAll(/:([a-z_]+)/gi)].map((m) => m[1]!);
const fill = (def: RouteDef, override: Record<string, string> = {}) =>
  def.path.replace(/:([a-z_]+)/gi, (_, name: string) => override[name] ?? encodeURIComponent(realParam(def.path, name)));

function propsOf(schema: z.ZodType | undefined): Record<string, JsonSchema> {
  if (!schema) return {};
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const variants = json.anyOf ?? [json];
  return Object.assign({}, ...variants.map((v) => v.properties ?? {}));
}

/** A value of the wrong JSON type for a property. */
function wrongJson(prop: JsonSchema): unknown {
  const types = [prop.type ?? (prop.anyOf ?? []).map((a) => a.type)].flat().filter(Boolean) as string[];
  if (prop.enum || prop.const !== undefined) return 'zz-not-one-of-the-choices';
  if (types.includes('string')) return 12345;
  if (types.includes('number') || types.includes('integer')) return 'not a number';
  if (types.includes('boolean')) return 'yes';
  if (types.includes('array')) return { not: 'an array' };
  if (types.includes('object')) return 'not an object';
  return Symbol.for('skip');
}

/** A query-string value that cannot be right for a property, or null when any text could be. */
function wrongQuery(prop: JsonSchema): string | null {
  const types = [prop.type ?? (prop.anyOf ?? []).map((a) => a.type)].flat().filter(Boolean) as string[];
  if (prop.enum || prop.const !== undefined) return 'zz-not-one-of-the-choices';
  if (types.includes('number') || types.includes('integer')) return 'NaN-ish';
  if (types.includes('boolean')) return 'maybe';
  if (prop.format === 'date-time') return 'yesterday';
  return null;
}

interface Probe {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra expectations on the error (code, param, message). */
  expect?: { status?: number; code?: string; param?: string; message?: RegExp };
}

function probesFor(name: string, def: RouteDef): Probe[] {
  const method = def.method;
  const path = fill(def);
  const json = { 'content-type': 'application/json' };
  const probes: Probe[] = [
    { what: 'foreign Host', method, path, headers: { host: `evil.example:${port}` }, expect: { status: 403, code: 'forbidden_host' } },
    { what: 'rebinding Host', method, path, headers: { host: `127.0.0.1.evil.example:${port}` }, expect: { status: 403, code: 'forbidden_host' } },
    { what: 'foreign Origin', method, path, headers: { origin: 'https://evil.example' }, expect: { status: 403, code: 'forbidden_origin' } },
    { what: 'null Origin', method, path, headers: { origin: 'null' }, expect: { status: 403, code: 'forbidden_origin' } },
  ];

  if (method !== 'GET') {
    for (const raw of ['{', '{"a":', '{"a":1,}', "{'a':1}", 'undefined', '{"a":1}{"b":2}', '\u0000', '[1,2', 'NaN']) {
      probes.push({ what: `malformed JSON ${JSON.stringify(raw)}`, method, path, headers: json, body: raw, expect: { status: 400, code: 'invalid_json' } });
    }
    probes.push({ what: 'malformed JSON as text/plain', method, path, headers: { 'content-type': 'text/plain' }, body: '{"a"', expect: { status: 400, code: 'invalid_json' } });
    for (const raw of ['42', '"text"', '[]', '[{}]', 'null', 'true']) {
      probes.push({ what: `non-object body ${raw}`, method, path, headers: json, body: raw });
    }
    probes.push({ what: 'an unknown field', method, path, headers: json, body: JSON.stringify({ zz_unknown_field: 1 }) });
    probes.push({ what: 'a body over 1 MiB', method, path, headers: json, body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 16) }), expect: { status: 413, code: 'payload_too_large' } });
    const props = propsOf(def.body);
    const allWrong: Record<string, unknown> = {};
    for (const [prop, schema] of Object.entries(props)) {
      const wrong = wrongJson(schema);
      if (wrong === Symbol.for('skip')) continue;
      allWrong[prop] = wrong;
      probes.push({ what: `${prop} of the wrong type`, method, path, headers: json, body: JSON.stringify({ [prop]: wrong }) });
    }
    if (Object.keys(allWrong).length) probes.push({ what: 'every field of the wrong type', method, path, headers: json, body: JSON.stringify(allWrong) });
    probes.push({ what: 'a prototype-poisoning key', method, path, headers: json, body: '{"__proto__":{"polluted":true}}' });
    probes.push({ what: 'deeply nested', method, path, headers: json, body: '{"a":'.repeat(2000) + '1' + '}'.repeat(2000) });
    // Refused by the body parser before any schema recurses into it (a 500 once, in guards).
    const tooDeep = { status: 400, code: 'invalid_parameter', message: /^the body nests deeper than 64 levels/ };
    probes.push({ what: '5,000 nested nots', method, path, headers: json, body: '{"not":'.repeat(5000) + '"$.args.x == 1"' + '}'.repeat(5000), expect: tooDeep });
    probes.push({ what: '5,000 nested arrays', method, path, headers: json, body: '['.repeat(5000) + ']'.repeat(5000), expect: tooDeep });
  }

  for (const param of paramNames(def)) {
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(250), "'%20OR%201%3D1--", '%ZZ', '%F0%9F%92%A9', '-1', '%20', 'null']) {
      probes.push({
        what: `bad path param ${param}=${bad.slice(0, 30)}`,
        method,
        path: fill(def, { [param]: bad }),
        ...(method === 'GET' ? {} : { headers: json, body: '{}' }),
      });
    }
  }

  if (!def.query) {
    const body = method === 'GET' ? {} : { headers: json, body: '{}' };
    probes.push({ what: 'a query on a route that takes none', method, path: `${path}?zz_unknown=1`, ...body, expect: { status: 400, param: 'zz_unknown' } });
  }

  if (def.query) {
    const sep = path.includes('?') ? '&' : '?';
    const body = method === 'GET' ? {} : { headers: json, body: '{}' };
    probes.push({ what: 'an unknown query parameter', method, path: `${path}${sep}zz_unknown=1`, ...body, expect: { status: 400, param: 'zz_unknown' } });
    for (const [key, prop] of Object.entries(propsOf(def.query))) {
      probes.push({ what: `query ${key} given twice`, method, path: `${path}${sep}${key}=1&${key}=2`, ...body, expect: { status: 400 } });
      const wrong = wrongQuery(prop);
      if (wrong !== null) {
        probes.push({ what: `query ${key}=${wrong}`, method, path: `${path}${sep}${key}=${encodeURIComponent(wrong)}`, ...body, expect: { status: 400, param: key } });
      }
    }
  }
  void name;
  return probes;
}

async function send(p: Probe): Promise<RawResponse> {
  return rawRequest(t.url, {
    method: p.method,
    path: p.path,
    headers: { host: hostHeader, authorization: `Bearer ${t.op}`, ...p.headers },
    ...(p.body !== undefined ? { body: p.body } : {}),
  });
}

const entries = Object.entries(routes).map(([name, r]) => [name, r as RouteDef] as const);

describe('garbage at every route', () => {
  it('covers the whole contract', () => {
    expect(entries.length).toBeGreaterThan(40);
  });

  for (const [name, def] of entries) {
    it(`${def.method} ${def.path} (${name}) answers every bad request with a 4xx error`, async () => {
      const failures: string[] = [];
      for (const probe of probesFor(name, def)) {
        const res = await send(probe);
        const where = `${probe.what}: ${res.status} ${res.text.slice(0, 160)}`;
        if (res.status < 400 || res.status > 499) failures.push(where);
        else if (!isErrorBody(res.body)) failures.push(`${where} (not the error shape)`);
        else if (!String(res.headers['content-type']).startsWith('application/json')) failures.push(`${where} (content-type ${res.headers['content-type']})`);
        else if (probe.expect?.status !== undefined && res.status !== probe.expect.status) failures.push(`${where} (expected ${probe.expect.status})`);
        else if (probe.expect?.code !== undefined && errorBody(res.body).error.code !== probe.expect.code) failures.push(`${where} (expected ${probe.expect.code})`);
        else if (probe.expect?.param !== undefined && errorBody(res.body).error.param !== probe.expect.param) failures.push(`${where} (expected param ${probe.expect.param})`);
        else if (probe.expect?.message !== undefined && !probe.expect.message.test(errorBody(res.body).error.message)) failures.push(`${where} (expected message ${probe.expect.message})`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('afterwards the server answers and no table has changed', async () => {
    const health = await t.api().answer('health');
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    expect((await t.api(t.op).answer('me')).status).toBe(200);
    const after = dump();
    if (after !== before) {
      // Name the tables that changed before failing.
      const a = JSON.parse(after) as Record<string, unknown[]>;
      const b = JSON.parse(before) as Record<string, unknown[]>;
      const changed = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
      expect(changed).toEqual([]);
    }
    expect(after).toBe(before);
    expect(t.app.services.audit.verify().ok).toBe(true);
  });
});

describe('every body schema refuses unknown fields', () => {
  for (const [name, def] of entries.filter(([, d]) => d.body)) {
    it(`${name}`, () => {
      const result = def.body!.safeParse({ zz_unknown_field: 1 });
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toMatch(/unrecognized_keys|zz_unknown_field/);
    });
  }
});
