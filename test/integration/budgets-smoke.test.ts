import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
});
afterAll(async () => t.close());

describe('budgets smoke', () => {
  it('sets a cap, records spend, pauses', async () => {
    const a = await t.agent('smoke');
    const set = await t.req('POST', '/v1/budgets', { key: t.op, body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    expect(set.status).toBe(200);
    const s = await t.req('POST', '/v1/spend', { key: a.key, body: { amount_micro_usd: 1_000_000 } });
    expect(s.body).toMatchObject({});
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body.paused).toBe(true);
    const u = await t.req('POST', '/v1/spend', { key: a.key, body: { usage: { model: 'gpt-4o', input_tokens: 1000, output_tokens: 100 } } });
    expect(u.status).toBe(200);
    expect(u.body.spend.amount_micro_usd).toBe(3500);
    const list = await t.req('GET', '/v1/budgets', { key: t.op });
    expect(list.body.data[0].spent_micro_usd).toBe(1_003_500);
    const oa = await t.req('GET', '/openapi.json');
    expect(oa.status).toBe(200);
  });
});
