/**
 * Properties of shell-aware evaluation over random commands: appending `; X`, `&& X`, `| sh` or
 * `$(X)` to an allowed command never yields ALLOW when X alone would not be allowed, under prefix
 * rules and under grants alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GRANTS, RULES, verdictOf } from './setups.js';

const WORDS = ['npm', 'test', 'ls', 'git', 'status', 'push', 'origin', 'feature/x', 'rm', '-rf', '~', 'curl', 'evil', 'sh', 'bash', 'mkfs', '/dev/sda', 'echo', 'cat', 'build/x', '-la', 'kubectl', 'delete', 'python3', '-c', 'x'];
const OPERATORS = ['', ' > out.log', ' > build/a.log', ' 2>&1', ' | sh', ' | cat', ' && ls', ' ; rm -rf ~'];

/** A random command line made of plausible words, sometimes with an operator. */
const commandArb = fc
  .tuple(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }), fc.constantFrom(...OPERATORS))
  .map(([words, op]) => `${words.join(' ')}${op}`);

const ALLOWED_BASES = ['npm test', 'ls -la', 'npm test -- --coverage', 'ls src', 'npm test > build/out.log'];

describe.each([
  ['prefix rules', RULES],
  ['grants', GRANTS],
] as const)('under %s', (_name, s) => {
  it('the allowed bases are allowed', () => {
    for (const base of ALLOWED_BASES) expect(verdictOf(base, s)).toBe('ALLOW');
  });

  it('appending `; X`, `&& X`, `|| X` or a newline and X never allows what X alone does not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALLOWED_BASES), fc.constantFrom('; ', ' && ', ' || ', '\n', ' & '), commandArb, (base, join, x) => {
        if (verdictOf(x, s) === 'ALLOW') return;
        expect(verdictOf(`${base}${join}${x}`, s)).not.toBe('ALLOW');
      }),
      { numRuns: 400 },
    );
  });

  it('piping into a shell or interpreter is never allowed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALLOWED_BASES), fc.constantFrom('sh', 'bash', 'zsh -s', 'python3', 'node', 'perl', '/bin/sh'), (base, shell) => {
        expect(verdictOf(`${base} | ${shell}`, s)).not.toBe('ALLOW');
      }),
    );
  });

  it('a command substitution is never allowed, wherever it stands', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALLOWED_BASES), commandArb, fc.constantFrom('$(%)', '`%`', '"$(%)"', '<(%)'), (base, x, form) => {
        const sub = form.replace('%', x.replace(/`/g, ''));
        expect(verdictOf(`${base} ${sub}`, s)).not.toBe('ALLOW');
      }),
      { numRuns: 300 },
    );
  });

  it('a compound command is allowed only if every part alone is', () => {
    fc.assert(
      fc.property(commandArb, commandArb, (a, b) => {
        const both = verdictOf(`${a} && ${b}`, s);
        if (both === 'ALLOW') {
          expect(verdictOf(a, s)).toBe('ALLOW');
          expect(verdictOf(b, s)).toBe('ALLOW');
        }
      }),
      { numRuns: 400 },
    );
  });
});
