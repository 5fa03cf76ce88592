import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../support/actions-harness.js';
import { OpenApiDoc } from '../../support/openapi.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('the actions routes in the contract', () => {
  it('are published in /openapi.json with their schemas', async () => {
    h = await harness();
    const res = await h.api().answer('openapi');
    expect(res.status).toBe(200);
    const paths = OpenApiDoc.parse(res.body).paths;
    for (const [path, method] of [
      ['/v1/actions', 'post'],
      ['/v1/actions/{id}', 'get'],
      ['/v1/actions/{id}/complete', 'post'],
      ['/v1/receipts/{id}', 'get'],
      ['/v1/evaluate', 'post'],
      ['/v1/approvals', 'get'],
      ['/v1/approvals/{id}/wait', 'get'],
      ['/v1/approvals/{id}/decision', 'post'],
      ['/v1/delegation-approvals', 'post'],
      ['/v1/grants', 'get'],
      ['/v1/grants/{id}', 'delete'],
      ['/v1/approval-history', 'get'],
      ['/v1/reports/governance', 'get'],
      ['/v1/reports/approvals', 'get'],
    ] as const) {
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });
});
