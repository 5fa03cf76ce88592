/**
 * The audit log: append-only in the database itself, a hash chain that catches edits made behind
 * its back, secrets redacted at any depth before storage, filters with keyset pagination, and
 * exports streamed as JSON lines and CSV.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/common/clock.js';
import { REDACTED } from '../../../shared/redact.js';
import { errorBody, startTestApp, type Reply, type TestApp } from '../../support/app.js';
import type { AuditInput, AuditService } from '../../../electron/audit/service.js';
import type { AuditEntry } from '../../../shared/api/audit.js';

let t: TestApp;
const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
const scratch: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** The audit writer, open to the made-up `test.*` event types these tests write to exercise the log itself. */
const audit = () =>
  t.app.services.audit as Omit<AuditService, 'append'> & { append(input: Omit<AuditInput, 'event_type'> & { event_type: string }): AuditEntry };

/** A consistent copy of the live database (WAL included) in a new data dir, with the operator token. */
function copyDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-audit-copy-'));
  scratch.push(dir);
  t.app.db.exec(`VACUUM INTO '${join(dir, 'warden.db').replace(/'/g, "''")}'`);
  return dir;
}

describe('append-only', () => {
  it('the database itself rejects UPDATE and DELETE of audit rows', () => {
    const row = audit().append({ event_type: 'test.appended', actor: 'system', data: { n: 1 } });
    expect(() => t.app.db.prepare('UPDATE audit SET data = ? WHERE id = ?').run('{"n":2}', row.id)).toThrow(/append-only/);
    expect(() => t.app.db.prepare('UPDATE audit SET event_type = event_type').run()).toThrow(/append-only/);
    expect(() => t.app.db.prepare('DELETE FROM audit WHERE id = ?').run(row.id)).toThrow(/append-only/);
    expect(() => t.app.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(t.app.db.prepare('SELECT data FROM audit WHERE id = ?').get(row.id)).toEqual({ data: '{"n":1}' });
  });

  it('an audit row written inside a failed change rolls back with it', () => {
    const before = (t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(() =>
      t.app.db.transaction(() => {
        audit().append({ event_type: 'test.rolled_back', actor: 'system' });
        throw new Error('the change failed');
      })(),
    ).toThrow('the change failed');
    expect((t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(before);
    expect((t.app.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE event_type = 'test.rolled_back'").get() as { n: number }).n).toBe(0);
  });
});

describe('hash chain', () => {
  it('verify is ok on an untouched log and counts its rows', async () => {
    for (let i = 0; i < 5; i++) audit().append({ event_type: 'test.chain', actor: 'system', data: { i } });
    const res = await t.api(t.op).answer('verifyAudit');
    const rows = (t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(res.body).toEqual({ ok: true, rows, first_bad_id: null });
  });

  type Tamper = (db: Database.Database, victim: { id: string; seq: number }) => void;
  const tamperings: [string, Tamper, 'victim' | 'next'][] = [
    ['an edited payload', (db, v) => db.prepare(`UPDATE audit SET data = '{"i":999}' WHERE id = ?`).run(v.id), 'victim'],
    ['an edited actor', (db, v) => db.prepare(`UPDATE audit SET actor = 'operator:someone_else' WHERE id = ?`).run(v.id), 'victim'],
    ['a back-dated time', (db, v) => db.prepare(`UPDATE audit SET at = '2020-01-01T00:00:00.000Z' WHERE id = ?`).run(v.id), 'victim'],
    ['a deleted row', (db, v) => db.prepare('DELETE FROM audit WHERE id = ?').run(v.id), 'next'],
    [
      'an edit with its own hash recomputed',
      (db, v) => {
        // The forger fixes the row's own hash; the next row's link still points at the old one.
        db.prepare(`UPDATE audit SET data = '{"i":999}', hash = ? WHERE id = ?`).run('f'.repeat(64), v.id);
      },
      'victim',
    ],
  ];

  for (const [what, tamper, blamed] of tamperings) {
    it(`verify finds ${what} made on a copy with the triggers dropped`, async () => {
      for (let i = 0; i < 4; i++) audit().append({ event_type: 'test.chain', actor: 'system', data: { i } });
      const rows = t.app.db.prepare('SELECT id, seq FROM audit ORDER BY seq').all() as { id: string; seq: number }[];
      const victim = rows[rows.length - 3]!;
      const next = rows[rows.length - 2]!;

      const dir = copyDataDir();
      const copy = new Database(join(dir, 'warden.db'));
      copy.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
      tamper(copy, victim);
      copy.close();

      const forged = await startTestApp({ dataDir: dir });
      try {
        const res = await forged.api(forged.op).answer('verifyAudit');
        expect(res.status).toBe(200);
        expect(res.body.ok).toBe(false);
        expect(res.body.first_bad_id).toBe(blamed === 'victim' ? victim.id : next.id);
      } finally {
        await forged.stop();
      }
      // The original is untouched.
      expect((await t.api(t.op).answer('verifyAudit')).body.ok).toBe(true);
    });
  }
});

describe('redaction', () => {
  const secrets = ['hunter2', 'sk-live-123', 'Bearer abc.def', 'session=xyz', 'tok_999', 'pk-deep', 'ghp_nested'];

  it('secret-named keys are redacted at any depth before the row is stored', () => {
    const row = audit().append({
      event_type: 'test.redaction',
      actor: 'system',
      data: {
        password: 'hunter2',
        request: {
          headers: { Authorization: 'Bearer abc.def', Cookie: 'session=xyz', 'X-Trace': 'keep-me' },
          body: { items: [{ name: 'a', api_key: 'sk-live-123' }, { nested: [{ deeper: { refresh_token: 'tok_999' } }] }] },
        },
        config: { privateKey: 'pk-deep', github: { Secret: 'ghp_nested' } },
        harmless: 'visible',
      },
    });
    const stored = t.app.db.prepare('SELECT data FROM audit WHERE id = ?').get(row.id) as { data: string };
    for (const s of secrets) expect(stored.data).not.toContain(s);
    const data = JSON.parse(stored.data);
    expect(data.password).toBe(REDACTED);
    expect(data.request.headers).toEqual({ Authorization: REDACTED, Cookie: REDACTED, 'X-Trace': 'keep-me' });
    expect(data.request.body.items[0]).toEqual({ name: 'a', api_key: REDACTED });
    expect(data.request.body.items[1].nested[0].deeper.refresh_token).toBe(REDACTED);
    expect(data.config.privateKey).toBe(REDACTED);
    expect(data.config.github.Secret).toBe(REDACTED);
    expect(data.harmless).toBe('visible');
    // The chain covers the redacted form, so verify stays ok.
    expect(audit().verify().ok).toBe(true);
  });

  it('data that only looks secret is stored as it came: token counts, passengers, booleans', () => {
    const data = {
      usage: { input_tokens: 1200, output_tokens: 340, max_tokens: 4096, token_count: 7 },
      trip: { passenger: 'Ada' },
      operator_token_rotated: true,
      token: null,
      api_key: 12345,
    };
    const row = audit().append({ event_type: 'test.redaction', actor: 'system', data });
    const stored = JSON.parse((t.app.db.prepare('SELECT data FROM audit WHERE id = ?').get(row.id) as { data: string }).data);
    // A number under a secret key is still hidden; true, false and null carry no secret.
    expect(stored).toEqual({ ...data, api_key: REDACTED });
  });

  it('secrets in an agent’s action args never reach the database', async () => {
    const agent = await t.agent('leaky');
    const res = await t.api(agent.key).answer('createAction', {
      body: { tool: 'http.request', args: { url: 'https://api.example/x', headers: { authorization: 'Bearer sk-live-123' }, auth: { password: 'hunter2' } } },
    });
    expect(res.status).toBe(200);
    t.app.db.pragma('wal_checkpoint(PASSIVE)');
    const dump = JSON.stringify(
      (t.app.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(({ name }) =>
        t.app.db.prepare(`SELECT * FROM "${name}"`).all(),
      ),
    );
    expect(dump).not.toContain('sk-live-123');
    expect(dump).not.toContain('hunter2');
    // What is kept of the args (the receipt) shows where the secrets were.
    const receipt = await t.api(t.op).answer('getReceipt', { params: { id: res.body.receipt_id } });
    expect(receipt.status).toBe(200);
    expect(JSON.stringify(receipt.body)).toContain(REDACTED);
    expect(JSON.stringify(receipt.body)).toContain('https://api.example/x');
  });
});

describe('filters and keyset pagination', () => {
  const ids: Record<string, string> = {};
  beforeAll(() => {
    clock.set('2026-04-01T00:00:00Z');
    const plan: [string, string, string | null][] = [
      ['budget.set', 'operator:opr_a', 'agt_f1'],
      ['budget.warning', 'system', 'agt_f1'],
      ['policy.created', 'operator:opr_a', null],
      ['budget.paused', 'system', 'agt_f2'],
      ['spend.recorded', 'agent:agt_f2', 'agt_f2'],
      ['policy.updated', 'operator:opr_b', null],
      ['budget.resumed', 'operator:opr_b', 'agt_f2'],
    ];
    for (const [i, [event_type, actor, agent_id]] of plan.entries()) {
      ids[`${event_type}#${i}`] = audit().append({ event_type, actor, agent_id, data: { i } }).id;
      clock.advance(3600_000); // one hour apart
    }
  });

  const list = async (query: string) => {
    const res = await t.api(t.op).answer('listAudit', { query: Object.fromEntries(new URLSearchParams(query)) });
    expect(res.status, query).toBe(200);
    return res.body.data;
  };

  it('filters by event type (one, a list, a family), agent, actor and time, newest first', async () => {
    expect((await list('event_type=budget.paused')).map((e) => e.event_type)).toEqual(['budget.paused']);
    expect((await list('event_type=policy.created,policy.updated')).map((e) => e.event_type)).toEqual(['policy.updated', 'policy.created']);
    const family = await list('event_type=budget.*&since=2026-04-01T00:00:00Z');
    expect(family.map((e) => e.event_type)).toEqual(['budget.resumed', 'budget.paused', 'budget.warning', 'budget.set']);
    expect((await list('agent_id=agt_f2')).map((e) => e.event_type)).toEqual(['budget.resumed', 'spend.recorded', 'budget.paused']);
    expect((await list('actor=operator:opr_b')).map((e) => e.event_type)).toEqual(['budget.resumed', 'policy.updated']);
    const window = await list('since=2026-04-01T01:00:00Z&until=2026-04-01T04:00:00Z');
    // Events are an hour apart from 00:00; `since` is inclusive, `until` exclusive.
    expect(window.map((e) => e.event_type)).toEqual(['budget.paused', 'policy.created', 'budget.warning']);
    expect(window.every((e) => e.at >= '2026-04-01T01:00:00' && e.at < '2026-04-01T04:00:00')).toBe(true);
    const combined = await list('event_type=budget.*&actor=system&agent_id=agt_f1');
    expect(combined.map((e) => e.event_type)).toEqual(['budget.warning']);
  });

  it('pages with limit and cursor: strictly descending seq, no duplicates, no gaps, filters kept', async () => {
    const all = await list('limit=500');
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: Reply<'listAudit'> = await t.api(t.op).answer('listAudit', { query: { limit: 4, ...(cursor ? { cursor } : {}) } });
      seen.push(...res.body.data.map((e: { seq: number }) => e.seq));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.seq));
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const page1 = await t.api(t.op).answer('listAudit', { query: { event_type: 'budget.*', since: '2026-04-01T00:00:00Z', limit: 3 } });
    expect(page1.body.has_more).toBe(true);
    const page2 = await t.api(t.op).answer('listAudit', { query: { event_type: 'budget.*', since: '2026-04-01T00:00:00Z', limit: 3, cursor: page1.body.next_cursor! } });
    expect([...page1.body.data, ...page2.body.data].map((e: { event_type: string }) => e.event_type)).toEqual([
      'budget.resumed', 'budget.paused', 'budget.warning', 'budget.set',
    ]);
    expect(page2.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('rows appended while paging do not shift the pages (keyset, not offset)', async () => {
    const first = await t.api(t.op).answer('listAudit', { query: { limit: 2 } });
    audit().append({ event_type: 'test.late', actor: 'system' });
    const second = await t.api(t.op).answer('listAudit', { query: { limit: 2, cursor: first.body.next_cursor! } });
    expect(second.body.data[0]!.seq).toBe(first.body.data[1]!.seq - 1);
  });

  it('bad filters are 400 naming the parameter', async () => {
    for (const [query, param] of [
      ['since=yesterday', 'since'],
      ['until=2026-13-01T00:00:00Z', 'until'],
      ['since=2026-04-02T00:00:00Z&until=2026-04-01T00:00:00Z', 'since'],
      ['cursor=abc', 'cursor'],
      ['seq=3', 'seq'],
    ] as const) {
      const res = await t.raw('GET', `/v1/audit?${query}`, { key: t.op });
      expect(res.status, query).toBe(400);
      expect(errorBody(res.body).error.param, query).toBe(param);
    }
  });

  it('an agent key reads only its own rows', async () => {
    const agent = await t.agent('nosy');
    const own = await t.api(agent.key).answer('listAudit');
    expect(own.status).toBe(200);
    expect(own.body.data.every((e) => e.agent_id === agent.id)).toBe(true);
    const other = await t.raw('GET', '/v1/audit?agent_id=agt_f2', { key: agent.key });
    expect(other.status).toBe(403);
  });
});

describe('export', () => {
  beforeAll(() => {
    // More rows than one export batch (500), including values that need CSV quoting.
    for (let i = 0; i < 620; i++) {
      audit().append({ event_type: 'test.bulk', actor: 'system', data: { i, note: i % 100 === 0 ? 'comma, "quote"\nnewline' : 'plain' } });
    }
    audit().append({ event_type: 'test.formula', actor: '=HYPERLINK("http://evil")', data: { cell: '+1' } });
  });

  it('JSON lines: every row, oldest first, streamed in chunks', async () => {
    const res = await fetch(`${t.url}/v1/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${t.op}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-disposition')).toContain('warden-audit.jsonl');
    const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; event_type: string });
    const count = (t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(lines).toHaveLength(count);
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq)].sort((a, b) => a - b));
    const latest = await t.api(t.op).answer('listAudit', { query: { limit: 1 } });
    expect(lines.at(-1)).toEqual(latest.body.data[0]);
  });

  it('JSON lines honour the filters', async () => {
    const res = await fetch(`${t.url}/v1/audit/export?format=jsonl&event_type=budget.*&since=2026-04-01T00:00:00Z`, { headers: { authorization: `Bearer ${t.op}` } });
    const types = (await res.text()).trimEnd().split('\n').map((l) => (JSON.parse(l) as { event_type: string }).event_type);
    expect(types).toEqual(['budget.set', 'budget.warning', 'budget.paused', 'budget.resumed']);
  });

  it('CSV: a header, one row per event, quoting for commas, quotes and newlines, formulas defused', async () => {
    const res = await fetch(`${t.url}/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${t.op}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('seq,id,at,event_type,actor,agent_id,subject_id,data,hash');
    const records = parseCsv(text);
    const count = (t.app.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(records).toHaveLength(count + 1);
    expect(records.every((r) => r.length === 9)).toBe(true);
    const quoted = records.find((r) => r[7]?.includes('comma, \\"quote\\"'));
    expect(quoted).toBeTruthy();
    expect(JSON.parse(quoted![7]!).note).toBe('comma, "quote"\nnewline');
    const formula = records.find((r) => r[3] === 'test.formula')!;
    expect(formula[4]).toBe(`'=HYPERLINK("http://evil")`);
  });

  it('an unknown format is 400', async () => {
    const res = await t.raw('GET', '/v1/audit/export?format=xml', { key: t.op });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('format');
  });
});

/** RFC 4180 parser, enough for the export. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
