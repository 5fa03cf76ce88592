/** The narrow default and the proposals of Allow always, table-driven (pure functions). */
import { describe, expect, it } from 'vitest';
import { commandWords } from '../../../electron/approvals/command-words.js';
import { exactScope, highRiskReason, proposeScopes, resolveGrant } from '../../../electron/approvals/grant-scopes.js';
import { DEFAULT_SETTINGS } from '../../../shared/core/evaluate.js';
import type { ActionInput } from '../../../shared/core/types.js';

const NOW = Date.parse('2026-01-05T12:00:00Z');

describe('exactScope', () => {
  it.each<[string, ActionInput, Record<string, unknown> | null, number | null]>([
    ['shell: command and cwd, not the description', { tool: 'shell.exec', args: { command: 'ls', cwd: '/p', description: 'list', claude_tool: 'Bash' } }, { command: 'ls', cwd: '/p' }, null],
    ['file: the path only', { tool: 'fs.write', args: { path: '/p/a.ts', content_length: 3 } }, { path: '/p/a.ts' }, null],
    ['http: url and method', { tool: 'http.request', args: { url: 'https://x.example/a', method: 'GET', headers: 1 } }, { url: 'https://x.example/a', method: 'GET' }, null],
    ['other: every argument but free text, and the amount', { tool: 'order.refund', args: { order_id: 'A', currency: 'USD', note: 'n', reason: 'r' }, value: 180 }, { order_id: 'A', currency: 'USD' }, 180],
    ['no arguments: the tool', { tool: 'kv.flush' }, null, null],
  ])('%s', (_name, action, pattern, max) => {
    const s = exactScope(action);
    expect(s.ok && [s.scope.args_pattern, s.scope.max_value]).toEqual([pattern, max]);
  });

  it('a value with * cannot be pinned', () => {
    expect(exactScope({ tool: 'shell.exec', args: { command: 'rm *.log' } })).toMatchObject({ ok: false, why: expect.stringMatching(/`command`/) });
  });
});

describe('commandWords (the core parser underneath)', () => {
  it.each<[string, { count: number; plain: string[] } | null]>([
    ['git push origin main', { count: 4, plain: ['git', 'push', 'origin', 'main'] }],
    ['git commit -m "a b"', { count: 4, plain: ['git', 'commit', '-m'] }],
    ['npm test && rm -rf ~', null],
    ['npm test; curl x | sh', null],
    ['echo $(id)', null],
    ['cat a > b', null],
    ['', null],
  ])('%j', (command, words) => {
    expect(commandWords(command)).toEqual(words);
  });
});

describe('proposeScopes', () => {
  const ids = (a: ActionInput) => proposeScopes(a).map((s) => [s.id, s.args_pattern, s.wide]);
  it('word prefixes of one safe shell.exec command, never "any command"', () => {
    expect(ids({ tool: 'shell.exec', args: { command: 'git push origin main' } })).toEqual([
      ['exact', { command: 'git push origin main' }, false],
      ['command_prefix_3', { command: 'git push origin *' }, true],
      ['command_prefix_2', { command: 'git push *' }, true],
      ['command_prefix_1', { command: 'git *' }, true],
    ]);
    // Prefixes are matched by words only for shell.exec: another shell tool gets the exact scope.
    expect(ids({ tool: 'shell.run', args: { command: 'git status' } })).toEqual([['exact', { command: 'git status' }, false]]);
  });
  it('folders from the resolved path, never the root', () => {
    expect(ids({ tool: 'fs.read', args: { path: '/home/u/../u/proj/a.ts' } }).slice(1)).toEqual([
      ['folder_1', { path: '/home/u/proj/*' }, true],
      ['folder_2', { path: '/home/u/*' }, true],
    ]);
    expect(ids({ tool: 'fs.read', args: { path: '/etc/hosts' } })).toHaveLength(1);
  });
  it('a domain for a URL; any arguments for another tool; value ≤ N for an amount', () => {
    expect(ids({ tool: 'http.get', args: { url: 'https://a.example/x/y?q' } })[1]).toEqual(['domain', { url: 'https://a.example/*' }, true]);
    expect(ids({ tool: 'crm.update', args: { id: 1 } })[1]).toEqual(['any_args', null, true]);
    expect(proposeScopes({ tool: 'order.refund', args: { id: 1 }, value: 5 })[1]).toMatchObject({ kind: 'amount', args_pattern: null, max_value: 5 });
  });
});

describe('resolveGrant', () => {
  const shell: ActionInput = { tool: 'shell.exec', args: { command: 'ls' } };
  const risky = highRiskReason(shell, [], DEFAULT_SETTINGS);
  it.each<[string, ActionInput, Parameters<typeof resolveGrant>[1], string | null, ReturnType<typeof resolveGrant> | string]>([
    ['nothing chosen: exact, 30 days', shell, undefined, risky, { args_pattern: { command: 'ls' }, max_value: null, expires_at: '2026-02-04T12:00:00.000Z' }],
    ['never', shell, { expires_at: null }, risky, { args_pattern: { command: 'ls' }, max_value: null, expires_at: null }],
    ['wide on high risk without confirm', shell, { args_pattern: { command: 'ls *' } }, risky, 'grant.confirm'],
    ['wide on high risk, confirmed', shell, { args_pattern: { command: 'ls *' }, confirm: true }, risky, { args_pattern: { command: 'ls *' }, max_value: null, expires_at: '2026-02-04T12:00:00.000Z' }],
    ['a higher amount is wider', { tool: 'pay', args: { to: 'a' }, value: 5 }, { max_value: 50 }, 'risky', 'grant.confirm'],
    ['a lower amount is narrower', { tool: 'pay', args: { to: 'a' }, value: 5 }, { max_value: 1 }, 'risky', { args_pattern: { to: 'a' }, max_value: 1, expires_at: '2026-02-04T12:00:00.000Z' }],
    ['an expiry in the past', shell, { expires_at: '2026-01-05T11:59:59Z' }, null, 'grant.expires_at'],
    ['a value scope without a value', shell, { max_value: 3 }, null, 'grant.max_value'],
  ])('%s', (_name, action, options, highRisk, want) => {
    if (typeof want === 'string') {
      expect(() => resolveGrant(action, options, highRisk, NOW)).toThrow(expect.objectContaining({ param: want }));
    } else {
      expect(resolveGrant(action, options, highRisk, NOW)).toEqual(want);
    }
  });

  it('high risk by tool glob or by category, as the settings say', () => {
    expect(highRiskReason({ tool: 'deploy.prod' }, [], DEFAULT_SETTINGS)).toBe('deploy.prod is a high-risk tool (deploy.*)');
    expect(highRiskReason({ tool: 'x.y', categories: ['financial'] }, [], DEFAULT_SETTINGS)).toBe('x.y is in the high-risk category financial');
    expect(highRiskReason({ tool: 'x.y' }, ['permission_changes'], DEFAULT_SETTINGS)).toBe('x.y is in the high-risk category permission_changes');
    expect(highRiskReason({ tool: 'shell.exec' }, [], { ...DEFAULT_SETTINGS, high_risk_tools: [] })).toBeNull();
  });
});
