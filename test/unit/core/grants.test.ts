/**
 * The grant lookup (shared/core/grants.ts) on its own: what a grant covers, when it is live, and
 * how exact values, globs, paths and shell commands are compared.
 */
import { describe, expect, it } from 'vitest';
import { argsMatch, findGrant, grantCovers, grantLive, normalizePath, PATH_KEYS } from '../../../shared/core/grants.js';
import type { ActionInput, GrantState } from '../../../shared/core/types.js';
import { NOW } from './snapshot.js';

const grant = (over: Partial<GrantState> = {}): GrantState => ({
  id: 'gnt_1', agent_id: 'agt_a', tool: 'order.refund', connector: null, args_pattern: null, max_value: null, expires_at: null, revoked_at: null, ...over,
});
const iso = (ms: number) => new Date(ms).toISOString();

describe('exact argument values', () => {
  const matches = (want: unknown, got: unknown) => argsMatch({ x: want }, { x: got });

  it('a nested object matches only with the same keys and the same value under each', () => {
    expect(matches({ customer: { email: 'jane@x' }, amount: 180 }, { customer: { email: 'jane@x' }, amount: 180 })).toBe(true);
    expect(matches({ customer: { email: 'jane@x' }, amount: 180 }, { amount: 180, customer: { email: 'jane@x' } })).toBe(true);
    expect(matches({ customer: { email: 'jane@x' }, amount: 180 }, { customer: { email: 'eve@x' }, amount: 180 })).toBe(false);
    expect(matches({ customer: { email: 'jane@x' }, amount: 180 }, { customer: { email: 'jane@x' }, amount: 181 })).toBe(false);
    expect(matches({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(matches({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(matches({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(matches({ a: undefined }, { b: undefined })).toBe(false);
    expect(matches({}, {})).toBe(true);
  });

  it('an array matches only item for item, in order and at the same length', () => {
    expect(matches([1, { a: [2] }], [1, { a: [2] }])).toBe(true);
    expect(matches([1, 2], [2, 1])).toBe(false);
    expect(matches([1, 2], [1, 3])).toBe(false);
    expect(matches([1, 2], [3, 2])).toBe(false);
    expect(matches([1, 2], [1])).toBe(false);
    expect(matches([], [])).toBe(true);
    expect(matches([], [undefined])).toBe(false);
  });

  it('an array never matches an object with the same entries, nor null or a scalar an object', () => {
    expect(matches([1], { 0: 1 })).toBe(false);
    expect(matches({ 0: 1 }, [1])).toBe(false);
    expect(matches({}, null)).toBe(false);
    expect(matches(null, {})).toBe(false);
    expect(matches(null, null)).toBe(true);
    expect(matches('1', 1)).toBe(false);
    expect(matches(1, '1')).toBe(false);
    expect(matches({ a: 1 }, 'x')).toBe(false);
    expect(matches('x', { a: 1 })).toBe(false);
    expect(matches({}, '')).toBe(false);
    expect(matches({}, 5)).toBe(false);
    expect(matches([], '')).toBe(false);
  });

  it('a key the pattern names must be present in the args; keys it does not name are free', () => {
    expect(argsMatch({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(argsMatch({ a: 1 }, { b: 2 })).toBe(false);
    expect(argsMatch({ a: 1 }, undefined)).toBe(false);
    expect(argsMatch({ a: undefined }, {})).toBe(false);
    expect(argsMatch({ a: undefined }, { a: undefined })).toBe(true);
    expect(argsMatch({ toString: 1 }, {})).toBe(false);
    expect(argsMatch({}, undefined)).toBe(true);
    expect(argsMatch(null, undefined)).toBe(true);
    expect(argsMatch(null, { anything: 1 })).toBe(true);
  });

  it('a second key that differs fails the match even when the first agrees', () => {
    expect(argsMatch({ a: 1, b: 2 }, { a: 1, b: 3 })).toBe(false);
    expect(argsMatch({ a: 'x*', b: 'y*' }, { a: 'x1', b: 'z1' })).toBe(false);
  });
});

describe('string globs in argument patterns', () => {
  it('a string with a star is a glob on strings only', () => {
    expect(argsMatch({ to: '*@example.com' }, { to: 'jane@example.com' })).toBe(true);
    expect(argsMatch({ to: '*@example.com' }, { to: 'jane@example.org' })).toBe(false);
    expect(argsMatch({ n: '1*' }, { n: 12 })).toBe(false);
    expect(argsMatch({ n: '*' }, { n: ['a'] })).toBe(false);
  });

  it('a string without a star matches only itself', () => {
    expect(argsMatch({ to: 'a@x' }, { to: 'a@x' })).toBe(true);
    expect(argsMatch({ to: 'a@x' }, { to: 'A@x' })).toBe(false);
  });

  it('path arguments are resolved before the glob; other arguments are compared as written', () => {
    for (const key of PATH_KEYS) {
      expect(argsMatch({ [key]: '/repo/src/*' }, { [key]: '/repo/src/../../etc/passwd' })).toBe(false);
      expect(argsMatch({ [key]: '/etc/*' }, { [key]: '/repo/src/../../etc/passwd' })).toBe(true);
    }
    expect(argsMatch({ note: '/repo/src/*' }, { note: '/repo/src/../../etc/passwd' })).toBe(true);
    // An exact path (no star) is an exact value: only that very string.
    expect(argsMatch({ path: '/repo/a.ts' }, { path: '/repo/./a.ts' })).toBe(false);
    expect(argsMatch({ path: '/repo/a.ts' }, { path: '/repo/a.ts' })).toBe(true);
    expect(PATH_KEYS.has('path') && PATH_KEYS.has('file_path') && PATH_KEYS.has('destination')).toBe(true);
  });
});

describe('shell command patterns (shell.exec)', () => {
  const cmd = (pattern: string, command: unknown, tool = 'shell.exec') => argsMatch({ command: pattern }, { command }, tool);

  it('an exact pattern matches the exact command line only', () => {
    expect(cmd('npm test', 'npm test')).toBe(true);
    expect(cmd('npm test', 'npm  test')).toBe(false);
    expect(cmd('npm test', 'npm test; rm -rf /')).toBe(false);
  });

  it('a star pattern matches the words of one simple command', () => {
    expect(cmd('git push origin *', 'git push origin main')).toBe(true);
    expect(cmd('git push origin *', "git   push 'origin' main")).toBe(true);
    expect(cmd('git push origin *', 'git push upstream main')).toBe(false);
  });

  it('never a compound command, an unreadable one or an unsafe one', () => {
    expect(cmd('git push origin *', 'git push origin main; git push origin dev')).toBe(false);
    expect(cmd('git push origin *', 'git push origin "main')).toBe(false);
    expect(cmd('git *', 'git -c core.pager=sh log')).toBe(false);
    expect(cmd('bash *', 'bash -c "rm -rf /"')).toBe(false);
  });

  it('a redirection does not stop a word pattern: the redirected file is judged apart, as a write', () => {
    expect(cmd('echo *', 'echo hi > /tmp/out')).toBe(true);
  });

  it('a command that is not a string never matches a command pattern', () => {
    expect(cmd('npm *', ['npm', 'test'])).toBe(false);
    expect(cmd('npm test', ['npm test'])).toBe(false);
  });

  it('for another tool, `command` is an ordinary argument, matched as characters', () => {
    expect(cmd('git push origin *', 'git push origin main; rm -rf /', 'ssh.exec')).toBe(true);
    expect(cmd('git push origin *', 'git push origin main; rm -rf /')).toBe(false);
  });

  it('other arguments of shell.exec are plain globs, not command lines', () => {
    expect(argsMatch({ cwd: '/repo/*' }, { cwd: '/repo/a b' }, 'shell.exec')).toBe(true);
    expect(argsMatch({ description: 'run *' }, { description: 'run tests; then lint' }, 'shell.exec')).toBe(true);
  });

  it('a non-string command pattern is compared as an exact value', () => {
    expect(argsMatch({ command: ['npm', 'test'] }, { command: ['npm', 'test'] }, 'shell.exec')).toBe(true);
    expect(argsMatch({ command: ['npm', 'test'] }, { command: 'npm test' }, 'shell.exec')).toBe(false);
  });
});

describe('normalizePath', () => {
  it('resolves . and .. and repeated slashes', () => {
    expect(normalizePath('/a/b/../c')).toBe('/a/c');
    expect(normalizePath('/a/./b//c/')).toBe('/a/b/c');
    expect(normalizePath('/../a')).toBe('/a');
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('a/b/..')).toBe('a');
    expect(normalizePath('a/..')).toBe('.');
    expect(normalizePath('')).toBe('.');
    expect(normalizePath('./')).toBe('.');
  });

  it('a relative path that climbs out keeps every leading ..', () => {
    expect(normalizePath('..')).toBe('..');
    expect(normalizePath('../..')).toBe('../..');
    expect(normalizePath('../../a/..')).toBe('../..');
    expect(normalizePath('a/../../b')).toBe('../b');
  });
});

describe('grant liveness', () => {
  it('a grant without expiry is live until revoked', () => {
    expect(grantLive(grant(), NOW)).toBe(true);
    expect(grantLive(grant({ revoked_at: iso(NOW + 60_000) }), NOW)).toBe(false);
    expect(grantLive(grant({ revoked_at: iso(NOW), expires_at: iso(NOW + 60_000) }), NOW)).toBe(false);
  });

  it('live strictly before expires_at, not at it nor after', () => {
    expect(grantLive(grant({ expires_at: iso(NOW + 1) }), NOW)).toBe(true);
    expect(grantLive(grant({ expires_at: iso(NOW) }), NOW)).toBe(false);
    expect(grantLive(grant({ expires_at: iso(NOW - 1) }), NOW)).toBe(false);
  });

  it('an unreadable expiry counts as expired', () => {
    expect(grantLive(grant({ expires_at: 'tomorrow' }), NOW)).toBe(false);
    expect(grantLive(grant({ expires_at: '' }), NOW)).toBe(false);
  });
});

describe('what a grant covers', () => {
  const refund = (over: Partial<ActionInput> = {}): ActionInput => ({ tool: 'order.refund', value: 100, args: { order_id: 'A-1' }, ...over });

  it('its own agent and tool only', () => {
    expect(grantCovers(grant(), 'agt_a', refund())).toBe(true);
    expect(grantCovers(grant(), 'agt_b', refund())).toBe(false);
    expect(grantCovers(grant(), 'agt_a', refund({ tool: 'order.cancel' }))).toBe(false);
  });

  it('a connector scope covers that connector only; no connector scope covers any', () => {
    expect(grantCovers(grant({ connector: 'stripe' }), 'agt_a', refund({ connector: 'stripe' }))).toBe(true);
    expect(grantCovers(grant({ connector: 'stripe' }), 'agt_a', refund({ connector: 'paypal' }))).toBe(false);
    expect(grantCovers(grant({ connector: 'stripe' }), 'agt_a', refund())).toBe(false);
    expect(grantCovers(grant(), 'agt_a', refund({ connector: 'paypal' }))).toBe(true);
  });

  it('an amount scope covers a finite value up to it, and nothing without a value', () => {
    const g = grant({ max_value: 100 });
    expect(grantCovers(g, 'agt_a', refund({ value: 100 }))).toBe(true);
    expect(grantCovers(g, 'agt_a', refund({ value: 0 }))).toBe(true);
    expect(grantCovers(g, 'agt_a', refund({ value: 100.01 }))).toBe(false);
    expect(grantCovers(g, 'agt_a', refund({ value: undefined }))).toBe(false);
    expect(grantCovers(g, 'agt_a', refund({ value: Number.NaN }))).toBe(false);
    expect(grantCovers(g, 'agt_a', refund({ value: Number.NEGATIVE_INFINITY }))).toBe(false);
    expect(grantCovers(grant({ max_value: 0 }), 'agt_a', refund({ value: 0 }))).toBe(true);
    expect(grantCovers(grant({ max_value: 0 }), 'agt_a', refund({ value: 1 }))).toBe(false);
  });

  it('no amount scope covers any value, or none', () => {
    expect(grantCovers(grant({ max_value: null }), 'agt_a', refund({ value: 1e12 }))).toBe(true);
    expect(grantCovers(grant({ max_value: undefined as unknown as null }), 'agt_a', refund({ value: undefined }))).toBe(true);
  });

  it('its argument pattern', () => {
    expect(grantCovers(grant({ args_pattern: { order_id: 'A-1' } }), 'agt_a', refund())).toBe(true);
    expect(grantCovers(grant({ args_pattern: { order_id: 'A-2' } }), 'agt_a', refund())).toBe(false);
  });
});

describe('findGrant', () => {
  const action: ActionInput = { tool: 'order.refund', args: {} };

  it('no agent, no grant', () => {
    expect(findGrant([grant({ agent_id: 'agt_a' })], null, action, NOW)).toBeNull();
  });

  it('the first grant that is live and covers the action', () => {
    const expired = grant({ id: 'gnt_old', expires_at: iso(NOW - 1) });
    const other = grant({ id: 'gnt_other', tool: 'order.cancel' });
    const good = grant({ id: 'gnt_good' });
    const later = grant({ id: 'gnt_later' });
    expect(findGrant([expired, other, good, later], 'agt_a', action, NOW)?.id).toBe('gnt_good');
    expect(findGrant([expired, other], 'agt_a', action, NOW)).toBeNull();
    expect(findGrant([], 'agt_a', action, NOW)).toBeNull();
  });
});
