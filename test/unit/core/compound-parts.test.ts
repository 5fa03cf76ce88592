/**
 * A command line judged per simple command (shared/core/compound.ts): what its parts are, how
 * their verdicts combine with rules on the whole line, and how grants cover them.
 */
import { describe, expect, it } from 'vitest';
import { actionParts, guardrailsLayer, liftWithGrants } from '../../../shared/core/compound.js';
import type { GrantState, GuardrailRule } from '../../../shared/core/types.js';
import { policy, snapshot } from './snapshot.js';

const sh = (command: string, extra: Record<string, unknown> = {}) => ({ tool: 'shell.exec', args: { command, ...extra } });
const startsWith = (prefix: string, decision: GuardrailRule['decision'], over: Partial<GuardrailRule> = {}): GuardrailRule => ({
  tool: 'shell.exec', expr: `$.args.command command_starts_with '${prefix}'`, decision, ...over,
});
const grant = (command: string, over: Partial<GrantState> = {}): GrantState => ({
  id: `gnt_${command}`, agent_id: 'agt_test', tool: 'shell.exec', connector: null, args_pattern: { command }, max_value: null, expires_at: null, revoked_at: null, ...over,
});

describe('actionParts', () => {
  it('judges whole: another tool, a command that is not a string, one plain simple command', () => {
    expect(actionParts({ tool: 'ssh.exec', args: { command: 'a; b' } })).toBeNull();
    expect(actionParts({ tool: 'shell.exec', args: { command: ['a', 'b'] } })).toBeNull();
    expect(actionParts({ tool: 'shell.exec' })).toBeNull();
    expect(actionParts(sh('npm test'))).toBeNull();
    expect(actionParts(sh('  npm test  '))).toBeNull();
  });

  it('one simple command with a redirection, an unsafe word or a different text is judged in parts', () => {
    expect(actionParts(sh('echo hi > out.txt'))?.map((p) => [p.action.tool, p.text])).toEqual([['shell.exec', 'echo hi > out.txt'], ['fs.write', '> out.txt']]);
    expect(actionParts(sh('sort < in.txt'))?.map((p) => [p.action.tool, p.text])).toEqual([['shell.exec', 'sort < in.txt'], ['fs.read', '< in.txt']]);
    expect(actionParts(sh('bash -c "ls"'))?.[0]?.unsafe).toEqual(expect.any(String));
    expect(actionParts(sh('npm test;'))?.map((p) => p.text)).toEqual(['npm test']);
  });

  it('every simple command becomes a shell.exec part of its own, keeping the other args', () => {
    const parts = actionParts(sh('a 1 && b 2 | c', { description: 'd' }))!;
    expect(parts.map((p) => p.action)).toEqual([
      { tool: 'shell.exec', args: { command: 'a 1', description: 'd' } },
      { tool: 'shell.exec', args: { command: 'b 2', description: 'd' } },
      { tool: 'shell.exec', args: { command: 'c', description: 'd' } },
    ]);
    expect(parts.every((p) => p.unsafe === null)).toBe(true);
  });

  it('redirected paths are resolved and carry the cwd when it is a string', () => {
    const parts = actionParts(sh('a > build/../../x; b < ./in', { cwd: '/repo' }))!;
    expect(parts.filter((p) => p.action.tool !== 'shell.exec').map((p) => p.action.args)).toEqual([
      { path: '../x', cwd: '/repo', via: 'shell redirection' },
      { path: 'in', cwd: '/repo', via: 'shell redirection' },
    ]);
    const noCwd = actionParts(sh('a > x; b', { cwd: 5 }))!;
    expect(noCwd.find((p) => p.action.tool === 'fs.write')?.action.args).toEqual({ path: 'x', via: 'shell redirection' });
  });

  it('a line that runs nothing readable still has one part, which asks', () => {
    const parts = actionParts(sh('> only.txt'))!;
    expect(parts.map((p) => p.action.tool)).toEqual(['fs.write']);
    const empty = actionParts(sh(''))!;
    expect(empty).toHaveLength(1);
    expect(empty[0]!.unsafe).toEqual(expect.any(String));
    expect(actionParts(sh('# just a comment'))![0]!.unsafe).toEqual(expect.any(String));
  });
});

describe('guardrailsLayer', () => {
  const layer = (rules: GuardrailRule[], command: string, unmatched: 'ALERT' | 'BLOCK' = 'ALERT') =>
    guardrailsLayer(sh(command), snapshot({ policies: [policy('p', rules)] }), unmatched);

  it('a whole action is judged as one, liftable only when it is a plain ALERT', () => {
    expect(layer([startsWith('ls', 'ALLOW')], 'ls')).toMatchObject({ verdict: 'ALLOW', liftable: false, parts: null });
    expect(layer([startsWith('ls', 'ALERT')], 'ls')).toMatchObject({ verdict: 'ALERT', liftable: true, parts: null });
    expect(layer([startsWith('ls', 'ALERT', { always_ask: true })], 'ls')).toMatchObject({ verdict: 'ALERT', liftable: false });
    expect(layer([startsWith('ls', 'BLOCK')], 'ls')).toMatchObject({ verdict: 'BLOCK', block_code: 'rule_blocked', liftable: false });
  });

  it('every part allowed: ALLOW, with every matched rule once', () => {
    const o = layer([startsWith('ls', 'ALLOW'), startsWith('pwd', 'ALLOW')], 'ls && pwd && ls -l');
    expect(o).toMatchObject({ verdict: 'ALLOW', block_code: null, liftable: false });
    expect(o.parts).toHaveLength(3);
    expect(o.matched.map((m) => m.rule)).toEqual([0, 1]);
  });

  it('one asking part makes the line ask, liftable when every asking part is', () => {
    expect(layer([startsWith('ls', 'ALLOW')], 'ls && rm x')).toMatchObject({ verdict: 'ALERT', liftable: true });
    expect(layer([startsWith('ls', 'ALLOW'), startsWith('rm', 'ALERT', { always_ask: true })], 'ls && rm x && mv a b')).toMatchObject({ verdict: 'ALERT', liftable: false });
  });

  it('an unsafe part asks even where a rule allows it, and is never liftable', () => {
    const o = layer([{ tool: 'shell.exec', decision: 'ALLOW' }], 'ls && bash -c "ls"');
    expect(o).toMatchObject({ verdict: 'ALERT', liftable: false });
    expect(o.parts?.map((p) => p.verdict)).toEqual(['ALLOW', 'ALERT', 'ALERT']); // the inline script's own command stays unsafe
    const asked = layer([], 'ls && bash -c "ls"');
    expect(asked.parts?.map((p) => p.liftable)).toEqual([true, false, false]);
  });

  it('one blocked part blocks the line, whatever the others say', () => {
    expect(layer([startsWith('rm', 'BLOCK'), startsWith('ls', 'ALLOW')], 'ls; rm -rf /')).toMatchObject({ verdict: 'BLOCK', block_code: 'rule_blocked', liftable: false });
    expect(layer([startsWith('ls', 'ALLOW')], 'ls; rm -rf /', 'BLOCK')).toMatchObject({ verdict: 'BLOCK', block_code: 'no_matching_rule' });
  });

  it('a rule on the whole line counts for what it blocks or asks, never for what it allows', () => {
    const whole = (decision: GuardrailRule['decision'], over: Partial<GuardrailRule> = {}): GuardrailRule => ({ tool: 'shell.exec', expr: "$.args.command contains '&&'", decision, ...over });
    expect(layer([whole('BLOCK'), startsWith('ls', 'ALLOW')], 'ls && ls')).toMatchObject({ verdict: 'BLOCK', block_code: 'rule_blocked' });
    // A rule only the whole line matches is reported with the parts' rules, each rule once.
    expect(layer([whole('ALERT'), startsWith('ls', 'ALLOW')], 'ls && ls').matched.map((m) => m.rule)).toEqual([0, 1]);
    expect(layer([{ tool: 'shell.exec', decision: 'ALERT' }], 'ls && pwd').matched.map((m) => m.rule)).toEqual([0]);
    expect(layer([whole('ALERT'), startsWith('ls', 'ALLOW')], 'ls && ls')).toMatchObject({ verdict: 'ALERT', liftable: true });
    expect(layer([whole('ALERT', { always_ask: true }), startsWith('ls', 'ALLOW')], 'ls && ls')).toMatchObject({ verdict: 'ALERT', liftable: false });
    expect(layer([whole('ALLOW')], 'ls && rm x')).toMatchObject({ verdict: 'ALERT' });
    // The whole line's "no rule matched" does not count: the parts decide.
    expect(layer([startsWith('ls', 'ALLOW')], 'ls && ls', 'BLOCK')).toMatchObject({ verdict: 'ALLOW' });
  });
});

describe('liftWithGrants', () => {
  const lift = (command: string, grants: GrantState[], rules: GuardrailRule[] = []) => {
    const s = snapshot({ policies: [policy('p', rules)], grants });
    return liftWithGrants(guardrailsLayer(sh(command), s, 'ALERT'), sh(command), s);
  };

  it('a whole action: the first live grant that covers it', () => {
    expect(lift('npm test', [grant('npm test')])?.grant.id).toBe('gnt_npm test');
    expect(lift('npm test', [grant('npm run')])).toBeNull();
    expect(lift('npm test', [grant('npm test')])?.commands).toBeNull();
  });

  it('an exact grant of the very command line covers all of it, redirections included', () => {
    const r = lift('npm test > log.txt', [grant('npm test > log.txt')]);
    expect(r?.grant.id).toBe('gnt_npm test > log.txt');
    expect(r?.commands?.map((c) => [c.text, c.verdict, c.grant_id])).toEqual([
      ['npm test > log.txt', 'ALLOW', 'gnt_npm test > log.txt'],
      ['> log.txt', 'ALLOW', 'gnt_npm test > log.txt'],
    ]);
  });

  it('a word pattern covers simple commands, never the files a line redirects into', () => {
    expect(lift('npm test > log.txt', [grant('npm test *')])).toBeNull();
    expect(lift('npm test > log.txt', [grant('npm test *'), { ...grant('log'), tool: 'fs.write', args_pattern: { path: 'log.txt' } }])?.grant.id).toBe('gnt_npm test *');
  });

  it('every asking part needs a grant of its own; allowed parts need none', () => {
    expect(lift('ls && rm x', [grant('rm x')], [startsWith('ls', 'ALLOW')])?.commands?.map((c) => [c.text, c.verdict, c.grant_id ?? null])).toEqual([
      ['ls', 'ALLOW', null],
      ['rm x', 'ALLOW', 'gnt_rm x'],
    ]);
    expect(lift('ls && rm x && mv a b', [grant('rm x')], [startsWith('ls', 'ALLOW')])).toBeNull();
  });

  it('an exact grant of another agent, or an expired one, covers nothing', () => {
    expect(lift('a && b', [grant('a && b', { agent_id: 'agt_other' })])).toBeNull();
    expect(lift('a && b', [grant('a && b', { expires_at: '2000-01-01T00:00:00Z' })])).toBeNull();
    expect(lift('a && b', [grant('a && b')])?.grant.id).toBe('gnt_a && b');
  });

  it('a grant without an argument pattern covers every part of the line', () => {
    expect(lift('a && b > out', [grant('x', { args_pattern: null }), { ...grant('y'), tool: 'fs.write', args_pattern: null }])?.grant.id).toBe('gnt_x');
  });

  it('no agent, no grant', () => {
    const s = { ...snapshot({ grants: [grant('a && b')] }), agent: null };
    expect(liftWithGrants(guardrailsLayer(sh('a && b'), s, 'ALERT'), sh('a && b'), s)).toBeNull();
  });
});
