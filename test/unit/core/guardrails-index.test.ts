import { describe, expect, it } from 'vitest';
import { candidateRules, compileGuardrails } from '../../../shared/core/guardrails.js';
import { hostMatches, hostsInArgs } from '../../../shared/core/tool-access.js';
import { argsMatch } from '../../../shared/core/grants.js';
import type { GuardrailRule } from '../../../shared/core/types.js';
import { policy } from './snapshot.js';

describe('guardrail index', () => {
  const many: GuardrailRule[] = [];
  for (let i = 0; i < 10_000; i++) many.push({ tool: `svc${i}.op`, connector: `cn_${i % 5}`, decision: 'ALLOW' });
  const compiled = compileGuardrails([
    policy('many', many),
    policy('globs', [{ tool: 'svc1*', decision: 'ALERT' }, { tool: '*.op', decision: 'ALERT' }, { decision: 'ALERT' }, { tool: 'svc12.op', decision: 'ALLOW' }]),
    policy('off', [{ decision: 'ALLOW' }], { status: 'disabled' }),
  ]);

  it('looks up a handful of candidates among 10,000 rules', () => {
    const c = candidateRules(compiled.index!, 'svc12.op', 'cn_2');
    // exact (svc12.op, cn_2) + exact svc12.op without connector + prefix svc1* + *.op + no tool matcher
    expect(c.map((r) => [r.policy.name, r.rule_index])).toEqual([
      ['many', 12],
      ['globs', 0],
      ['globs', 1],
      ['globs', 2],
      ['globs', 3],
    ]);
    expect(candidateRules(compiled.index!, 'svc12.op', 'cn_3')).toHaveLength(4);
  });

  it('skips disabled policies and counts rules', () => {
    expect(compiled.policies.map((p) => p.name)).toEqual(['many', 'globs']);
    expect(compiled.index!.rule_count).toBe(10_004);
  });

  it('keeps uncompilable rules so decisions they touch fail closed', () => {
    const bad = compileGuardrails([policy('bad', [{ tool: 'x', expr: 'nope', decision: 'ALLOW' }])]);
    expect(candidateRules(bad.index!, 'x', undefined)[0]?.error).toMatch(/operand|unexpected/);
  });
});

describe('hosts and args patterns', () => {
  it.each([
    ['api.example.com', 'api.example.com', true],
    ['api.example.com', 'API.Example.com.', true],
    ['api.example.com', 'x.api.example.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
  ])('%s allows %s: %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });

  it('finds URL hosts anywhere in args and flags unreadable ones', () => {
    expect(hostsInArgs({ url: 'https://a.com/x', nested: [{ href: 'ftp://b.org' }], host: 'c.net', note: 'plain text' })).toEqual(['a.com', 'b.org', 'c.net']);
    expect(hostsInArgs({ url: 'https://' })).toEqual([null]);
  });

  it('matches args patterns by exact JSON and string globs', () => {
    expect(argsMatch({ cmd: 'git *', n: 1, o: { a: [1] } }, { cmd: 'git status', n: 1, o: { a: [1] }, extra: true })).toBe(true);
    expect(argsMatch({ cmd: 'git *' }, { cmd: 'rm -rf /' })).toBe(false);
    expect(argsMatch({ cmd: 'git *' }, {})).toBe(false);
    expect(argsMatch({ n: 1 }, { n: '1' })).toBe(false);
    expect(argsMatch(null, undefined)).toBe(true);
  });
});
