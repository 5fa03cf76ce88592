/**
 * One vocabulary: every closed list is written once, its zod schema accepts exactly its members,
 * and every route that takes an action accepts exactly the same actions.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import * as vocabulary from '../../../shared/vocabulary.js';
import {
  ActionInput,
  AgentScope,
  AuditEventType,
  BlockCode,
  EventType,
  LayerName,
  LayerVerdict,
  OperatorRole,
  QuotaKeyName,
  ResourceType,
  Verdict,
} from '../../../shared/api/vocabulary.js';
import { ServerEventSchemas } from '../../../shared/api/events.js';
import { routes } from '../../../shared/api/index.js';
import { BudgetScope } from '../../../shared/api/budgets.js';
import { ActionStatus } from '../../../shared/api/actions.js';
import type { RouteDef } from '../../../shared/api/contract.js';

const { ACTION_LIMITS } = vocabulary;

/** Every list of the vocabulary with the schema derived from it. */
const LISTS: [name: string, list: readonly string[], schema: z.ZodType][] = [
  ['VERDICTS', vocabulary.VERDICTS, Verdict],
  ['LAYER_VERDICTS', vocabulary.LAYER_VERDICTS, LayerVerdict],
  ['LAYERS', vocabulary.LAYERS, LayerName],
  ['BLOCK_CODES', vocabulary.BLOCK_CODES, BlockCode],
  ['RESOURCE_TYPES', vocabulary.RESOURCE_TYPES, ResourceType],
  ['ACTION_STATUSES', vocabulary.ACTION_STATUSES, ActionStatus],
  ['BUDGET_SCOPES', vocabulary.BUDGET_SCOPES, BudgetScope],
  ['AGENT_SCOPES', vocabulary.AGENT_SCOPES, AgentScope],
  ['EVENT_TYPES', vocabulary.EVENT_TYPES, EventType],
  ['AUDIT_EVENT_TYPES', vocabulary.AUDIT_EVENT_TYPES, AuditEventType],
  ['QUOTA_KEYS', vocabulary.QUOTA_KEYS, QuotaKeyName],
  ['OPERATOR_ROLES', vocabulary.OPERATOR_ROLES, OperatorRole],
];

describe('the vocabulary lists', () => {
  it('covers every list shared/vocabulary.ts exports', () => {
    const exported = Object.entries(vocabulary)
      .filter(([, v]) => Array.isArray(v))
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...LISTS.map(([name]) => name), 'BUILTIN_CATEGORIES'].sort());
  });

  it.each(LISTS)('%s: non-empty, no repeats, and its schema accepts exactly its members', (_name, list, schema) => {
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list).size).toBe(list.length);
    for (const member of list) expect(schema.safeParse(member).success, member).toBe(true);
    for (const stranger of ['', 'made.up', list[0]!.toUpperCase() + 'X', 42, null]) {
      expect(schema.safeParse(stranger).success, String(stranger)).toBe(false);
    }
  });
});

/**
 * Finds where a route's body holds an action: any object schema with both `tool` and
 * `categories` fields, at the body itself or under a field of it.
 */
function actionPaths(schema: z.ZodType | undefined, path: string[] = []): string[][] {
  if (!schema) return [];
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return actionPaths(def.innerType, path);
    case 'array':
      return actionPaths(def.element, [...path, '[]']);
    case 'union':
      return def.options!.flatMap((o) => actionPaths(o, path));
    case 'object': {
      const shape = (schema as z.ZodObject).shape;
      if ('tool' in shape && 'categories' in shape) return [path];
      return Object.entries(shape).flatMap(([k, v]) => actionPaths(v as z.ZodType, [...path, k]));
    }
    default:
      return [];
  }
}

/** Wraps an action into the body a route takes, following the path `actionPaths` found. */
function bodyWith(path: string[], action: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => (key === '[]' ? [inner] : { [key]: inner }), action);
}

const x = (n: number) => 'x'.repeat(n);
const many = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

/** [what, action, accepted] — the four disagreements the copies had first. */
const CASES: [string, unknown, boolean][] = [
  ['a tool name with a space', { tool: 'order refund' }, false],
  ['a 150-character tool', { tool: x(150) }, false],
  ['40 categories', { tool: 'a.b', categories: many(40) }, false],
  ['an 80-character resource.type', { tool: 'a.b', resource: { type: x(80), id: 'r1' } }, false],
  ['a plain tool', { tool: 'order.refund' }, true],
  ['a delegation tool', { tool: 'delegate:code' }, true],
  ['an MCP tool', { tool: 'mcp.github.create_issue' }, true],
  ['a tool at the length limit', { tool: x(ACTION_LIMITS.tool) }, true],
  ['a tool one past the limit', { tool: x(ACTION_LIMITS.tool + 1) }, false],
  ['an empty tool', { tool: '' }, false],
  ['a tool starting with a dot', { tool: '.hidden' }, false],
  ['no tool', { args: {} }, false],
  ['the most categories', { tool: 'a.b', categories: many(ACTION_LIMITS.categories) }, true],
  ['one category too many', { tool: 'a.b', categories: many(ACTION_LIMITS.categories + 1) }, false],
  ['a category at its length limit', { tool: 'a.b', categories: [x(ACTION_LIMITS.category)] }, true],
  ['a category too long', { tool: 'a.b', categories: [x(ACTION_LIMITS.category + 1)] }, false],
  ['an empty category', { tool: 'a.b', categories: [''] }, false],
  ['a resource type at its limit', { tool: 'a.b', resource: { type: x(ACTION_LIMITS.resource_type), id: 'r1' } }, true],
  ['a resource type one past it', { tool: 'a.b', resource: { type: x(ACTION_LIMITS.resource_type + 1), id: 'r1' } }, false],
  ['a resource id at its limit', { tool: 'a.b', resource: { type: 'mcp_server', id: x(ACTION_LIMITS.resource_id) } }, true],
  ['a resource id one past it', { tool: 'a.b', resource: { type: 'mcp_server', id: x(ACTION_LIMITS.resource_id + 1) } }, false],
  ['a resource without an id', { tool: 'a.b', resource: { type: 'tool' } }, false],
  ['a resource with an extra field', { tool: 'a.b', resource: { type: 'tool', id: 't', extra: 1 } }, false],
  ['a connector at its limit', { tool: 'a.b', connector: x(ACTION_LIMITS.connector) }, true],
  ['a connector one past it', { tool: 'a.b', connector: x(ACTION_LIMITS.connector + 1) }, false],
  ['a mission id at its limit', { tool: 'a.b', mission_id: x(ACTION_LIMITS.mission_id) }, true],
  ['a mission id one past it', { tool: 'a.b', mission_id: x(ACTION_LIMITS.mission_id + 1) }, false],
  ['a value', { tool: 'a.b', value: 12.5 }, true],
  ['a value that is text', { tool: 'a.b', value: '12' }, false],
  ['a cost estimate', { tool: 'a.b', cost_estimate_micro_usd: 1500 }, true],
  ['a negative cost estimate', { tool: 'a.b', cost_estimate_micro_usd: -1 }, false],
  ['a fractional cost estimate', { tool: 'a.b', cost_estimate_micro_usd: 1.5 }, false],
  ['args that are not an object', { tool: 'a.b', args: ['x'] }, false],
  ['an unknown field', { tool: 'a.b', tools: 'x' }, false],
];

describe('every route that takes an action', () => {
  const takers = Object.entries(routes).flatMap(([name, route]) =>
    actionPaths((route as RouteDef).body).map((path) => ({ name, path, body: (route as RouteDef).body! })),
  );

  it('is one of the three known routes, found by walking every body schema', () => {
    expect(takers.map((t) => `${t.name} ${t.path.join('.') || '(body)'}`).sort()).toEqual(
      ['createAction (body)', 'evaluate action', 'evaluateGuardrails action'].sort(),
    );
  });

  it.each(CASES)('%s: every route answers as ActionInput does', (_what, action, accepted) => {
    expect(ActionInput.safeParse(action).success).toBe(accepted);
    const answers = Object.fromEntries(takers.map((t) => [t.name, t.body.safeParse(bodyWith(t.path, action)).success]));
    expect(answers).toEqual(Object.fromEntries(takers.map((t) => [t.name, accepted])));
  });
});

describe('event types', () => {
  it('the payload map names exactly the event types of the vocabulary', () => {
    expect(Object.keys(ServerEventSchemas).sort()).toEqual([...vocabulary.EVENT_TYPES].sort());
  });
});
