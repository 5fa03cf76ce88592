/**
 * Validation errors quote what was expected exactly as it must be sent (`"ALERT"`, `"$.Args"`),
 * start lowercase without lowering anything else, and call an absent field missing, whichever
 * zod check noticed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromZodError, lowerFirst } from '../../../electron/server/errors.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const op = (method: string, path: string, body: unknown) => t.raw(method, path, { key: t.op, body });

describe('validation messages keep the values they quote', () => {
  it('an enum names its choices in their case', async () => {
    const res = await op('PATCH', '/v1/settings/governance', { unmatched_decision: 'ALLOW' });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toEqual({
      code: 'invalid_parameter',
      message: 'unmatched_decision: invalid option: expected one of "ALERT"|"BLOCK"',
      param: 'unmatched_decision',
    });
  });

  it('a guard error quotes the path root as written', async () => {
    const res = await op('POST', '/v1/guardrails', { name: 'bad-root', rules: [{ decision: 'ALLOW', expr: '$.Args.x == 1' }] });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('rules[0].expr');
    expect(errorBody(res.body).error.message).toContain('unknown path root "$.Args"');
  });

  it('a rule decision names ALLOW, ALERT and BLOCK', async () => {
    const res = await op('POST', '/v1/guardrails', { name: 'bad-decision', rules: [{ tool: '*', decision: 'allow' }] });
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'rules[0].decision' });
    expect(errorBody(res.body).error.message).toBe('rules[0].decision: invalid option: expected one of "ALLOW"|"ALERT"|"BLOCK"');
  });
});

describe('an absent field is missing_parameter', () => {
  it.each<[string, string, unknown, string]>([
    ['POST', '/v1/guardrails', { name: 'no-decision', rules: [{ tool: 'x' }] }, 'rules[0].decision'],
    ['POST', '/v1/guardrails', { name: 'no-decision', rules: [{ tool: '*', decision: 'ALLOW' }, { tool: 'y' }] }, 'rules[1].decision'],
    ['POST', '/v1/guardrails/evaluate', { action: { tool: 'x' }, policies: [{ rules: [{ tool: 'x' }] }] }, 'policies[0].rules[0].decision'],
    ['POST', '/v1/tool-policies', { tool_name: 'x' }, 'allowed'],
    ['POST', '/v1/guardrails', { rules: [{ tool: '*', decision: 'ALLOW' }] }, 'name'],
  ])('%s %s %j → missing %s', async (method, path, body, param) => {
    const res = await op(method, path, body);
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toEqual({ code: 'missing_parameter', message: `${param} is required`, param });
  });

  it('a present field of the wrong value stays invalid_parameter', async () => {
    const res = await op('POST', '/v1/guardrails', { name: 'null-decision', rules: [{ decision: null }] });
    expect(errorBody(res.body).error).toMatchObject({ code: 'invalid_parameter', param: 'rules[0].decision' });
  });
});

describe('lowerFirst and fromZodError', () => {
  it.each([
    ['Invalid option: expected one of "ALLOW"|"ALERT"', 'invalid option: expected one of "ALLOW"|"ALERT"'],
    ['Too small: expected number to be >0', 'too small: expected number to be >0'],
    ['unknown path root "$.Args"', 'unknown path root "$.Args"'],
    ['"$.Args" is unknown', '"$.Args" is unknown'],
    ['URL is malformed', 'URL is malformed'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(lowerFirst(input)).toBe(expected);
  });

  const schema = z.strictObject({ mode: z.enum(['A', 'B']), kind: z.union([z.string(), z.number()]), tag: z.literal('X').optional() });
  it.each<[unknown, string, string]>([
    [{ kind: 1 }, 'missing_parameter', 'mode'],
    [{ mode: 'A' }, 'missing_parameter', 'kind'],
    [{ mode: 'a', kind: 1 }, 'invalid_parameter', 'mode'],
    [{ mode: 'A', kind: 1, tag: 'x' }, 'invalid_parameter', 'tag'],
  ])('%j → %s %s', (input, code, param) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    const err = fromZodError(result.error!, 'body', input);
    expect([err.code, err.param]).toEqual([code, param]);
  });
});
