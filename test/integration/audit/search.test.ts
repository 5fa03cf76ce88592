/** `GET /v1/audit?q=`: free-text search over an audit row's type, actor, agent, subject and data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput, AuditService } from '../../../electron/audit/service.js';
import type { AuditEntry } from '../../../shared/api/audit.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // Open to a made-up `test.*` event type, so the search sees only these rows.
  const audit = t.app.services.audit as Omit<AuditService, 'append'> & { append(input: Omit<AuditInput, 'event_type'> & { event_type: string }): AuditEntry };
  audit.append({ event_type: 'test.search', actor: 'system', data: { command: 'npm install left-pad' } });
  audit.append({ event_type: 'test.search', actor: 'system', data: { command: 'rm -rf build/' } });
  audit.append({ event_type: 'test.search', actor: 'system', subject_id: 'apr_findme', data: { note: '100% of 5_000' } });
});
afterAll(async () => {
  await t.close();
});

const search = async (q: string) => {
  const res = await t.api(t.op).answer('listAudit', { query: { event_type: 'test.search', q } });
  expect(res.status).toBe(200);
  return (res.body.data as { data: Record<string, unknown>; subject_id: string | null }[]);
};

describe('audit free-text search', () => {
  it('finds rows whose data contains the text, ignoring ASCII case', async () => {
    const rows = await search('LEFT-PAD');
    expect(rows.map((r) => r.data.command)).toEqual(['npm install left-pad']);
  });

  it('matches the subject too, and takes % and _ literally', async () => {
    expect((await search('apr_findme')).map((r) => r.subject_id)).toEqual(['apr_findme']);
    expect(await search('100%')).toHaveLength(1);
    expect(await search('5_0')).toHaveLength(1);
    expect(await search('1_0')).toHaveLength(0);
  });

  it('refuses an empty or overlong query with 400', async () => {
    expect((await t.raw('GET', '/v1/audit?q=', { key: t.op })).status).toBe(400);
    expect((await t.raw('GET', `/v1/audit?q=${'x'.repeat(201)}`, { key: t.op })).status).toBe(400);
  });
});
