/**
 * Usage pricing follows Anthropic's token convention on both paths that price usage (POST
 * /v1/spend is covered in budgets.test.ts; here, action completion), and /openapi.json says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../support/actions-harness.js';
import { OpenApiDoc } from '../../support/openapi.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('usage: input_tokens excludes cache tokens', () => {
  it('an action completed with Claude Code usage is priced with cache reads counted apart', async () => {
    h = await harness();
    await h.allow('llm.call');
    const a = await h.agent('cc1');
    const act = await h.act(a.key, { tool: 'llm.call' });
    const done = await h.api(a.key).answer('completeAction', { params: { id: act.body.id }, body: { outcome: 'succeeded', usage: { model: 'claude-sonnet-4-5', input_tokens: 10, output_tokens: 100, cache_read_tokens: 5000 } } });
    expect(done.status).toBe(200);
    // 10 × $3 + 5000 × $0.30 + 100 × $15 per Mtok = $0.00303: the same price POST /v1/spend gives.
    expect(done.body.cost_micro_usd).toBe(3_030);
    const spend = (await h.api(a.key).answer('listSpend')).body.data[0];
    expect(spend).toMatchObject({ action_id: act.body.id, amount_micro_usd: 3_030, pricing_source: expect.stringMatching(/:anthropic\/claude-sonnet-4-5$/) });
  });

  it('the OpenAPI document states the convention on both request bodies', async () => {
    h = await harness();
    const doc = OpenApiDoc.parse((await h.api().answer('openapi')).body);
    for (const path of ['/v1/spend', '/v1/actions/{id}/complete']) {
      const usage = doc.paths[path]!.post!.requestBody!.content!['application/json']!.schema.properties!.usage!;
      expect(usage.description, path).toMatch(/disjoint/);
      expect(usage.properties!.input_tokens!.description, path).toMatch(/cache reads and writes are NOT included/);
      expect(usage.properties!.cache_read_tokens!.description, path).toMatch(/apart from input_tokens/);
    }
  });
});
