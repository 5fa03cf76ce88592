import { describe, expect, it } from 'vitest';
import { compare, compileGuard, guardError, parseComparison, parseWorkflowComparison } from '../../../shared/core/expr.js';
import type { Guard } from '../../../shared/core/types.js';

const env = {
  args: { branch: 'feat/login', amount: 1200, tags: ['a', 'b'], items: [{ name: 'first' }, { name: 'second' }], ok: true, nothing: null, nested: { deep: { x: 3 } } },
  context: { before: 2, after: 5, required: 5, reviews: 5 },
  agent: { id: 'agt_1', role: 'developer' },
  action: { tool: 'git.push', value: 40 },
};

describe('expression guards: evaluation', () => {
  const cases: [string, boolean][] = [
    ["$.args.branch starts_with 'feat/'", true],
    ['$.args.branch starts_with "fix/"', false],
    ['$.arguments.branch == "feat/login"', true],
    ['$.args.amount > 1000', true],
    ['$.args.amount <= 1000', false],
    ['$.args.amount >= 1200', true],
    ['$.args.amount < 1200.5', true],
    ['$.context.after > $.context.before', true],
    ['$.context.reviews >= $.context.required', true],
    ['$.args.ok == true', true],
    ['$.args.ok != false', true],
    ['$.args.missing == null', true],
    ['$.args.nothing == null', true],
    ['$.args.branch != null', true],
    ['$.args.missing != null', false],
    ['$.args.items[0].name == "first"', true],
    ['$.args.items.1.name == "second"', true],
    ['$.args.items[5].name == null', true],
    ['$.args.tags contains "b"', true],
    ['$.args.tags contains "z"', false],
    ['$.args.branch contains "login"', true],
    ['$.args.nested.deep.x == 3', true],
    ["$.args['branch'] == 'feat/login'", true],
    ['$.agent.role == "developer"', true],
    ['$.action.tool == "git.push"', true],
    ['$.action.value < 50', true],
    ['-5 < $.action.value', true],
    // Across types every comparison is false, != included.
    ['$.args.amount == "1200"', false],
    ['$.args.amount != "1200"', false],
    ['$.args.branch > 5', false],
    ['$.args.amount starts_with "12"', false],
    ['$.args.missing < 5', false],
    ['$.args.items == $.args.items', false],
    // Prototype properties are not paths.
    ['$.args.constructor != null', false],
    ['$.args.__proto__ != null', false],
    ['$.args.branch.length == 10', false],
  ];
  it.each(cases)('%s → %s', (expr, expected) => {
    expect(compileGuard(expr)(env)).toBe(expected);
  });

  it('composes all_of, any_of and not', () => {
    const guard: Guard = {
      all_of: ['$.args.amount > 1000', { any_of: ['$.agent.role == "admin"', '$.args.ok == true'] }, { not: '$.args.branch starts_with "main"' }],
    };
    expect(compileGuard(guard)(env)).toBe(true);
    expect(compileGuard({ not: guard })(env)).toBe(false);
  });

  it('never throws on any input shape', () => {
    const g = compileGuard('$.args.a.b.c[3].d > 1');
    for (const args of [undefined, null, 5, 'x', [], { a: null }, { a: { b: [1, 2] } }, { a: { b: { c: 'str' } } }]) {
      expect(g({ args })).toBe(false);
    }
  });
});

describe('expression guards: validation', () => {
  const bad: [Guard, string][] = [
    ['$.args.x', 'operand'],
    ['$.args.x === 1', 'unexpected'],
    ['$.secrets.x == 1', 'unknown path root'],
    ['1 == 1', 'at least one path'],
    ['$.args.x == "open', 'unterminated'],
    ['$.args.x matches "a"', 'unexpected word'],
    ['$.args.x == 1 == 2', 'operand'],
    ['$.args.x == process.exit()', 'unexpected'],
    ['$.args. == 1', 'expected a key'],
    ['$args.x == 1', 'expected "."'],
  ];
  it.each(bad)('rejects %j', (guard, message) => {
    expect(guardError(guard)?.message).toContain(message);
  });

  it('reports where inside a composed guard the error is', () => {
    expect(guardError({ all_of: ['$.args.a == 1', { not: 'oops' }] })?.path).toEqual(['all_of', 1, 'not']);
    expect(guardError({ any_of: [] } as Guard)?.path).toEqual(['any_of']);
    expect(guardError({ bogus: [] } as unknown as Guard)).not.toBeNull();
  });

  it('parses paths into root and segments', () => {
    const c = parseComparison('$.arguments.items[0].name == "x"');
    expect(c.left).toMatchObject({ kind: 'path', root: 'args', segments: ['items', 0, 'name'] });
    expect(c.right).toEqual({ kind: 'literal', value: 'x' });
  });
});

describe('workflow expressions', () => {
  it('reads $.arguments, $.context and $.workflow.input', () => {
    const c = parseWorkflowComparison('$.workflow.input.amount > $.context.limit');
    const env = { workflow: { input: { amount: 5 } }, context: { limit: 3 }, args: {} };
    const read = (o: typeof c.left): unknown =>
      o.kind === 'literal' ? o.value : o.segments.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], env[o.root as 'workflow' | 'context']);
    expect(compare(c.op, read(c.left), read(c.right))).toBe(true);
    expect(parseWorkflowComparison("$.arguments.branch starts_with 'feat/'").left).toMatchObject({ root: 'args', segments: ['branch'] });
    expect(parseWorkflowComparison('$.context.items[0].name == "a"').left).toMatchObject({ segments: ['items', 0, 'name'] });
  });

  it.each([
    ['$.args.x == 1', 'unknown path root "$.args"'],
    ['$.agent.role == "a"', 'unknown path root "$.agent"'],
    ['$.workflow.state == "a"', '$.workflow.input'],
    ['1 == 1', 'at least one path'],
  ])('refuses %s', (src, message) => {
    expect(() => parseWorkflowComparison(src)).toThrow(message);
  });

  it('keeps guardrail roots for guardrails', () => {
    expect(() => parseComparison('$.workflow.input.x == 1')).toThrow('unknown path root "$.workflow"');
  });
});
