import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../../electron/server/openapi.js';
import { policyRoutes } from '../../../shared/api/policies.js';

describe('policies route contract', () => {
  it('publishes every policies route in the OpenAPI document', () => {
    const doc = buildOpenApi('test') as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/v1/guardrails/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.paths['/v1/guardrails/evaluate']?.post).toBeDefined();
    expect(doc.paths['/v1/quota']?.patch).toBeDefined();
  });

  it('rejects a rule with a BLOCK decision and a non-positive max_value', () => {
    const body = policyRoutes.createGuardrail.body!;
    expect(body.safeParse({ name: 'abc', rules: [{ decision: 'BLOCK' }] }).success).toBe(false);
    expect(body.safeParse({ name: 'abc', rules: [{ decision: 'ALLOW', max_value: 0 }] }).success).toBe(false);
    expect(body.safeParse({ name: 'abc', rules: [{ decision: 'ALLOW', max_value: 1, tool: 'fs.*' }] }).success).toBe(true);
  });

  it('rejects name and version in a PATCH', () => {
    const body = policyRoutes.updateGuardrail.body!;
    expect(body.safeParse({ name: 'x' }).success).toBe(false);
    expect(body.safeParse({ version: 2 }).success).toBe(false);
  });
});
