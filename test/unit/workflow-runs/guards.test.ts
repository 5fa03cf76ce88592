import { describe, expect, it } from 'vitest';
import { evaluateGuards, readsArguments, type GuardInput } from '../../../electron/workflow-runs/guards.js';
import type { Guard } from '../../../shared/workflows/definition.js';

const base: GuardInput = {
  arguments: { branch: 'feat/x', passed: true, items: [{ name: 'a' }] },
  context: { tests_passed: true, amount: 1200, before: 3, after: 5, blocked: false, note: null },
  input: { service: 'api', version: '1.2.0' },
  evidence: [],
  caller: { kind: 'agent', role: 'deployer', permissions: ['deploy.production'] },
};

const run = (guards: Guard[], patch: Partial<GuardInput> = {}) => evaluateGuards(guards, { ...base, ...patch });
const expr = (e: string): Guard => ({ kind: 'expr', expr: e });

describe('workflow guards', () => {
  it('permission: held, missing, and * holding every one', () => {
    expect(run([{ kind: 'permission', permission: 'deploy.production' }]).passed).toBe(true);
    expect(run([{ kind: 'permission', permission: 'expense.approve' }]).passed).toBe(false);
    expect(run([{ kind: 'permission', permission: 'expense.approve' }], { caller: { kind: 'operator', role: 'owner', permissions: ['*'] } }).passed).toBe(true);
  });

  it('role equals the caller role; no role fails', () => {
    expect(run([{ kind: 'role', role: 'deployer' }]).passed).toBe(true);
    expect(run([{ kind: 'role', role: 'admin' }]).passed).toBe(false);
    expect(run([{ kind: 'role', role: 'deployer' }], { caller: { kind: 'system', role: null, permissions: [] } }).passed).toBe(false);
  });

  it('expr reads arguments, context and workflow input, path to path, array indexes', () => {
    expect(run([expr("$.arguments.branch starts_with 'feat/'")]).passed).toBe(true);
    expect(run([expr('$.context.tests_passed == true')]).passed).toBe(true);
    expect(run([expr("$.workflow.input.service == 'api'")]).passed).toBe(true);
    expect(run([expr('$.context.after > $.context.before')]).passed).toBe(true);
    expect(run([expr("$.arguments.items[0].name == 'a'")]).passed).toBe(true);
    expect(run([expr("$.arguments.items.0.name == 'a'")]).passed).toBe(true);
    expect(run([expr('$.context.amount > 1000')]).passed).toBe(true);
    expect(run([expr('$.context.amount <= 1000')]).passed).toBe(false);
    expect(run([expr('$.context.note == null')]).passed).toBe(true);
  });

  it('a missing path or a type mismatch fails (never null or false-then-inverted)', () => {
    const missing = run([expr('$.context.nope == true')]);
    expect(missing.passed).toBe(false);
    expect(missing.failure?.reason).toMatch(/cannot be evaluated: \$\.context\.nope does not exist/);
    expect(run([expr("$.context.amount > '5'")]).failure?.reason).toMatch(/cannot compare number with string/);
    expect(run([expr('$.context.note == true')]).passed).toBe(false);
    expect(run([expr('$.arguments.branch == 1')]).passed).toBe(false);
    expect(run([expr('$.context.amount == 1200')], { arguments: undefined }).passed).toBe(true);
    expect(run([expr('$.arguments.passed == true')], { arguments: undefined }).passed).toBe(false);
  });

  it('an error inside not is a failure, a clean false inside not passes', () => {
    const err = run([{ kind: 'not', guard: expr('$.context.missing == true') }]);
    expect(err.passed).toBe(false);
    expect(err.evaluations.map((e) => [e.path, e.passed, e.error ?? false])).toEqual([
      ['guards[0]', false, true],
      ['guards[0].guard', false, true],
    ]);
    expect(run([{ kind: 'not', guard: expr('$.context.blocked == true') }]).passed).toBe(true);
    expect(run([{ kind: 'not', guard: { kind: 'not', guard: expr('$.context.missing == 1') } }]).passed).toBe(false);
    expect(run([{ kind: 'not', guard: expr('$.context.tests_passed == true') }]).passed).toBe(false);
    // A type mismatch inside not, under any_of: still a failure.
    expect(run([{ kind: 'any_of', guards: [{ kind: 'not', guard: expr("$.context.amount < 'x'") }] }]).passed).toBe(false);
  });

  it('an unparsable expression fails closed', () => {
    expect(run([expr('$.context.x ===')]).passed).toBe(false);
    expect(run([{ kind: 'not', guard: expr('nonsense') }]).passed).toBe(false);
  });

  it('evidence counts records, and human approvals by distinct operator', () => {
    const g: Guard = { kind: 'evidence', requires: [{ kind: 'human_approval', count: 2 }, { kind: 'tests' }] };
    const same = [
      { kind: 'human_approval', operator_id: 'opr_a' },
      { kind: 'human_approval', operator_id: 'opr_a' },
      { kind: 'tests', operator_id: null },
    ];
    expect(run([g], { evidence: same }).failure?.reason).toMatch(/needs 2 human_approval evidence \(distinct operators\), has 1/);
    expect(run([g], { evidence: [...same, { kind: 'human_approval', operator_id: 'opr_b' }] }).passed).toBe(true);
    expect(run([g], { evidence: [{ kind: 'human_approval', operator_id: 'opr_a' }, { kind: 'human_approval', operator_id: 'opr_b' }] }).passed).toBe(false);
    const twoRecords: Guard = { kind: 'evidence', requires: [{ kind: 'review', count: 2 }] };
    expect(run([twoRecords], { evidence: [{ kind: 'review', operator_id: null }, { kind: 'review', operator_id: null }] }).passed).toBe(true);
  });

  it('all_of / any_of nest to any depth', () => {
    const deep: Guard = {
      kind: 'all_of',
      guards: [
        { kind: 'any_of', guards: [{ kind: 'role', role: 'admin' }, { kind: 'all_of', guards: [expr('$.context.amount > 1'), { kind: 'not', guard: expr('$.context.blocked == true') }] }] },
        { kind: 'permission', permission: 'deploy.production' },
      ],
    };
    expect(run([deep]).passed).toBe(true);
    expect(run([deep], { context: { ...base.context as object, blocked: true } }).passed).toBe(false);
    expect(run([{ kind: 'any_of', guards: [{ kind: 'role', role: 'x' }, { kind: 'role', role: 'y' }] }]).passed).toBe(false);
  });

  it('declaration order, first failure stops, every evaluation recorded with its path', () => {
    const out = run([expr('$.context.tests_passed == true'), { kind: 'role', role: 'admin' }, expr('$.context.missing == 1')]);
    expect(out.passed).toBe(false);
    expect(out.failure?.path).toBe('guards[1]');
    expect(out.evaluations.map((e) => [e.path, e.kind, e.passed])).toEqual([
      ['guards[0]', 'expr', true],
      ['guards[1]', 'role', false],
    ]);
    const nested = run([{ kind: 'any_of', guards: [{ kind: 'role', role: 'x' }, expr('$.context.amount > 1')] }]);
    expect(nested.evaluations.map((e) => e.path)).toEqual(['guards[0]', 'guards[0].guards[0]', 'guards[0].guards[1]']);
  });

  it('no guards pass', () => {
    expect(run([]).passed).toBe(true);
    expect(evaluateGuards(undefined, base).passed).toBe(true);
  });

  it('readsArguments finds $.arguments at any depth', () => {
    expect(readsArguments([expr('$.arguments.passed == true')])).toBe(true);
    expect(readsArguments([{ kind: 'not', guard: { kind: 'any_of', guards: [expr('$.arguments.x == 1')] } }])).toBe(true);
    expect(readsArguments([expr('$.context.x == 1'), { kind: 'role', role: 'a' }])).toBe(false);
  });
});
