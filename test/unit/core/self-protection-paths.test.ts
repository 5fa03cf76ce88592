/**
 * The built-in self-protection layer on its own (`selfProtection`): every way an action can name
 * Warden's data folder or a wiring file, what counts as a read and what as a change, and the raw
 * text check for what the argument bounds or the shell parser leave unread.
 */
import { describe, expect, it } from 'vitest';
import { selfProtection } from '../../../shared/core/self-protection.js';
import type { ActionInput, ProtectedPaths } from '../../../shared/core/types.js';

const P: ProtectedPaths = {
  data_dir: '/home/u/.local/share/warden',
  home: '/home/u',
  wiring_files: ['/home/u/.claude/settings.json', '/home/u/.claude/settings.local.json', '/home/u/.config/mcp/servers.json'],
};
const DATA = '/home/u/.local/share/warden';
const TOKEN = `${DATA}/operator.token`;

const ruleOf = (action: ActionInput, p: ProtectedPaths = P) => selfProtection(action, p).rule;
const read = (path: string, cwd?: string): ActionInput => ({ tool: 'fs.read', args: cwd === undefined ? { path } : { path, cwd } });
const write = (path: string, cwd?: string): ActionInput => ({ tool: 'fs.write', args: cwd === undefined ? { path } : { path, cwd } });
const shell = (command: string, cwd?: string): ActionInput => ({ tool: 'shell.exec', args: cwd === undefined ? { command } : { command, cwd } });

describe('the data folder, however it is written', () => {
  it.each([
    ['absolute', read(`${DATA}/backups/x.db`)],
    ['a file URL', read(`file://${DATA}/backups/x.db`)],
    ['~/', read('~/.local/share/warden/backups/x.db')],
    ['$HOME/', read('$HOME/.local/share/warden/backups/x.db')],
    ['${HOME}/', read('${HOME}/.local/share/warden/backups/x.db')],
    ['with surrounding spaces', read(`  ${DATA}/backups/x.db `)],
    ['relative to the cwd', read('share/warden/backups/x.db', '/home/u/.local')],
    ['a bare folder name from the folder above', read('warden', '/home/u/.local/share')],
    ['through ..', read('/home/u/proj/../.local/share/warden/backups/x')],
    ['as the value of --flag=', { tool: 'http.request', args: { flag: `--out=~/.local/share/warden/backups/x` } }],
    ['inside a nested argument', { tool: 'mcp.call', args: { a: [{ b: { c: '~/.local/share/warden/backups/x' } }] } }],
  ] as [string, ActionInput][])('%s → BLOCK warden-data-folder', (_name, action) => {
    expect(ruleOf(action)).toBe('warden-data-folder');
  });

  it.each(['operator.token', 'warden.db', 'warden.db-wal', 'warden.db-shm', 'warden.lock'])('the file name %s anywhere, bare or as a last segment', (name) => {
    expect(ruleOf(read(name))).toBe('warden-data-folder');
    expect(ruleOf(read(`/tmp/copy/${name}`))).toBe('warden-data-folder');
    expect(ruleOf(shell(`cat ${name}`))).toBe('warden-data-folder');
    expect(ruleOf(read(`/tmp/copy/${name}.txt`))).toBeNull();
  });

  it('~ and $HOME alone name the home folder', () => {
    const atHome: ProtectedPaths = { data_dir: '/home/u', home: '/home/u', wiring_files: [] };
    expect(ruleOf({ tool: 'fs.list', args: { path: '~' } }, atHome)).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'fs.list', args: { path: '$HOME' } }, atHome)).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'fs.list', args: { path: '~' } })).toBeNull();
    expect(ruleOf({ tool: 'fs.list', args: { path: '$HOME' } })).toBeNull();
    expect(ruleOf({ tool: 'fs.list', args: { path: '~x/.local/share/warden/backups' } })).toBeNull();
  });

  it('without a known home, ~ is not resolved', () => {
    expect(ruleOf(read('~/.local/share/warden/backups/x'), { ...P, home: null })).toBeNull();
  });

  it('a relative path without an absolute cwd cannot be placed', () => {
    expect(ruleOf(read('warden/backups/x'))).toBeNull();
    expect(ruleOf(read('share/war*'))).toBeNull();
    expect(ruleOf(read('warden/backups/x', 'share'))).toBeNull();
    expect(ruleOf(read('warden/backups/x', '/home/u/.local/share'))).toBe('warden-data-folder');
  });

  it('a sibling folder whose name starts like the data folder is not it', () => {
    expect(ruleOf(read('x', `${DATA}2`))).toBeNull();
    expect(ruleOf(read('warden2', '/home/u/.local/share'))).toBeNull();
  });

  it('any action run inside the data folder is blocked, whatever it names', () => {
    expect(ruleOf(shell('ls', DATA))).toBe('warden-data-folder');
    expect(ruleOf(shell('ls', `${DATA}/backups`))).toBe('warden-data-folder');
    expect(ruleOf(shell('ls', `${DATA}/backups/../../..`))).toBeNull();
  });

  it('the working folder itself is not a touched path', () => {
    expect(ruleOf(write('notes.md', '/srv/operator.token'))).toBeNull();
    expect(ruleOf(write('notes.md', '/home/u/.claude/settings.json'))).toBeNull();
  });

  it('a shell command naming the folder anywhere in its text is blocked', () => {
    expect(ruleOf(shell(`tar czf /tmp/x.tgz -C /home/u/.local/share ${'warden'}; echo ${DATA}`))).toBe('warden-data-folder');
    expect(ruleOf(shell('cat <<EOF > notes.txt\n~/.local/share/warden/backups\nEOF'))).toBe('warden-data-folder');
  });
});

describe('globs', () => {
  it.each([
    '/home/u/.local/share/war*',
    '/home/u/.local/share/warden/operator.tok?n',
    '/home/u/.local/share/warden/[o]perator.token',
    '/home/u/*/share/*',
    '/home/u/.local/share/warden/*',
    '/home/u/.local/*/warden/warden.d?',
  ])('%s could name the data folder or its files', (glob) => {
    expect(ruleOf(read(glob))).toBe('warden-data-folder');
  });

  it.each(['/home/u/.local/share/other*', '/tmp/*.token', '/home/u/*/nothere/*', '/home/u/*share*local*', '/home/u/proj/*.ts'])('%s cannot', (glob) => {
    expect(ruleOf(read(glob))).toBeNull();
  });

  it('a glob that could name a wiring file is a change of it', () => {
    expect(ruleOf(write('/home/u/.claude/*.json'))).toBe('agent-wiring-files');
    expect(ruleOf(write('/home/u/.config/mcp/serv?rs.json'))).toBe('agent-wiring-files');
    expect(ruleOf(write('/home/u/.config/mcp/*.yaml'))).toBeNull();
    expect(ruleOf(shell('rm ~/.claude/*'))).toBe('agent-wiring-files');
  });
});

describe('wiring files: reading is fine, changing is not', () => {
  it.each(['fs.read', 'fs.list', 'fs.search', 'fs.stat'])('%s only reads', (tool) => {
    expect(ruleOf({ tool, args: { path: '/home/u/.claude/settings.json' } })).toBeNull();
    expect(ruleOf({ tool, args: { path: TOKEN } })).toBe('warden-data-folder');
  });

  it.each([
    ['fs.write', write('/home/u/.claude/settings.json')],
    ['another tool', { tool: 'http.download', args: { to: '/home/u/.config/mcp/servers.json' } }],
    ['a relative path without a cwd', write('.claude/settings.local.json')],
    ['a project settings file', write('/srv/app/.claude/settings.json')],
    ['--flag=PATH', { tool: 'tool.x', args: { flag: '--out=/home/u/.claude/settings.json' } }],
    ['a bare name from the .claude folder', write('settings.json', '/srv/app/.claude')],
    ['a bare name from a wiring file\u2019s folder', write('servers.json', '/home/u/.config/mcp')],
  ] as [string, ActionInput][])('%s → BLOCK agent-wiring-files', (_name, action) => {
    expect(ruleOf(action)).toBe('agent-wiring-files');
  });

  it('a bare name elsewhere is just a word', () => {
    expect(ruleOf(write('settings.json', '/srv/app'))).toBeNull();
    expect(ruleOf(write('servers.json', '/home/u/.config/other'))).toBeNull();
    expect(ruleOf(write('settings.json'))).toBeNull();
  });

  it.each(['cat', 'head', 'tail', 'less', 'more', 'grep x', 'egrep x', 'fgrep x', 'rg x', 'jq .', 'wc', 'ls', 'stat', 'file', 'diff a', 'bat', 'test -f', '[ -f', '/usr/bin/cat', 'LC_ALL=C grep x'])(
    'the read-only program `%s` may name a wiring file',
    (program) => {
      expect(ruleOf(shell(`${program} .claude/settings.json${program.startsWith('[') ? ' ]' : ''}`, '/srv/app'))).toBeNull();
    },
  );

  it.each(['cp x', 'rm', 'mv', 'tee', 'sed -i s/a/b/', 'grep -i x', 'jq --in-place .', 'rg -ix x', 'dd of=/dev/null if=x'])('`%s` on a wiring file changes it', (program) => {
    expect(ruleOf(shell(`${program} .claude/settings.json`, '/srv/app'))).toBe('agent-wiring-files');
  });

  it('a redirection into a wiring file changes it; one out of it reads', () => {
    expect(ruleOf(shell('cat x > ~/.claude/settings.json'))).toBe('agent-wiring-files');
    expect(ruleOf(shell('wc < ~/.claude/settings.json'))).toBeNull();
    expect(ruleOf(shell('dd of=.claude/settings.json', '/srv/app'))).toBe('agent-wiring-files');
  });

  it('no cwd given: a relative wiring tail still counts', () => {
    expect(ruleOf(shell('rm .claude/settings.json'))).toBe('agent-wiring-files');
  });
});

describe('inputs it never trips on', () => {
  it('no args, non-string cwd, no protected paths', () => {
    expect(selfProtection({ tool: 'fs.read' }, P).verdict).toBe('ABSTAIN');
    expect(selfProtection({ tool: 'fs.read', args: { path: 'x', cwd: 5 } }, P).verdict).toBe('ABSTAIN');
    expect(selfProtection({ tool: 'shell.exec', args: { command: 5 } }, P).verdict).toBe('ABSTAIN');
    expect(selfProtection(read(TOKEN), undefined).verdict).toBe('ABSTAIN');
    expect(selfProtection(read('   '), P).verdict).toBe('ABSTAIN');
  });
});

describe('what the bounds or the parser leave unread is judged on the raw text', () => {
  const deep = (leaf: unknown, levels: number): Record<string, unknown> => {
    let v = leaf;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v as Record<string, unknown>;
  };

  it('a path after two thousand other strings is still found', () => {
    const junk = Array.from({ length: 2_000 }, () => '');
    expect(ruleOf({ tool: 'fs.read', args: { junk, path: TOKEN } })).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'fs.read', args: { junk, path: '~/.local/share/warden/backups/x' } })).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'fs.write', args: { junk, path: '~/.claude/settings.json' } })).toBe('agent-wiring-files');
    expect(ruleOf({ tool: 'fs.read', args: { junk, path: '~/.claude/settings.json' } })).toBeNull();
    expect(ruleOf({ tool: 'fs.write', args: { junk, path: '/srv/app/notes.md' } })).toBeNull();
  });

  it('a path nested deeper than the bound is still found', () => {
    expect(ruleOf({ tool: 'mcp.call', args: deep('~/.local/share/warden/backups/x', 7) })).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'mcp.call', args: deep('~/.local/share/warden/backups/x', 12) })).toBe('warden-data-folder');
    expect(ruleOf({ tool: 'mcp.call', args: deep('/home/u/.config/mcp/servers.json', 12) })).toBe('agent-wiring-files');
    expect(ruleOf({ tool: 'mcp.call', args: deep({ n: 1, s: '/srv/app/x' }, 12) })).toBeNull();
  });

  it('a shell command the parser cannot read', () => {
    expect(ruleOf(shell('cat ~/.local/share/warden/backups/x "'))).toBe('warden-data-folder');
    expect(ruleOf(shell('echo {} > ~/.claude/settings.json "'))).toBe('agent-wiring-files');
  });

  it('a shell program fed from a heredoc', () => {
    expect(ruleOf(shell('sh <<EOF\ncat x/warden.db\nEOF'))).toBe('warden-data-folder');
    expect(ruleOf(shell('sh <<EOF\necho {} > ~/.claude/settings.json\nEOF'))).toBe('agent-wiring-files');
    expect(ruleOf(shell('python3 <<EOF\nopen("/home/u/.config/mcp/servers.json", "w")\nEOF'))).toBe('agent-wiring-files');
    // Plain text that only mentions a wiring file, to a program that does not run it.
    expect(ruleOf(shell('cat <<EOF\nsee .claude/settings.json\nEOF'))).toBeNull();
    // A Warden file name only as part of a longer word.
    expect(ruleOf(shell('sh <<EOF\ncat mywarden.db.bak\nEOF'))).toBeNull();
    expect(ruleOf(shell('sh <<EOF\necho {} > .claude/settings.local.json\nEOF'))).toBe('agent-wiring-files');
    expect(ruleOf(shell('sh <<EOF\necho {} > ~/.config/mcp/servers.json\nEOF'))).toBe('agent-wiring-files');
    expect(ruleOf(shell('sh <<EOF\necho {} > ~/.config/mcp/other.json\nEOF'))).toBeNull();
  });

  it.each(['operator.token', 'warden.db', 'warden.db-wal', 'warden.db-shm', 'warden.lock'])('the file name %s as a word of unread shell text', (name) => {
    expect(ruleOf(shell(`sh <<EOF\ncat x/${name}\nEOF`))).toBe('warden-data-folder');
    expect(ruleOf(shell(`sh <<EOF\ncat ${name}\nEOF`))).toBe('warden-data-folder');
    expect(ruleOf(shell(`${name} "`))).toBe('warden-data-folder');
    for (const longer of [`${name}x`, `${name}.bak`, `${name}-old`, `my${name}`, `x.${name}`, `x-${name}`, `x_${name}`]) {
      expect(ruleOf(shell(`sh <<EOF\ncat ${longer}\nEOF`)), longer).toBeNull();
    }
  });
});

describe('more forms the layer reads', () => {
  it('a file URL is read as its path', () => {
    expect(ruleOf(read('file:///home/u/.local/share/./warden/backups/x'))).toBe('warden-data-folder');
  });

  it('an action with nothing but a cwd inside the data folder is blocked', () => {
    expect(selfProtection({ tool: 'tool.x', args: { cwd: DATA } }, P)).toMatchObject({ verdict: 'BLOCK', rule: 'warden-data-folder' });
  });

  it('the data folder named inside a longer text, such as a URL', () => {
    expect(ruleOf({ tool: 'http.request', args: { url: `https://x.test/upload#${DATA}/backups/x` } })).toBe('warden-data-folder');
  });

  it('spaces around a ~ path are trimmed before it is resolved', () => {
    expect(ruleOf(read(' ~/.local/share/warden/backups/x'))).toBe('warden-data-folder');
  });

  it('null, numbers and booleans in the arguments are no paths and no trouble', () => {
    expect(selfProtection({ tool: 'fs.write', args: { a: null, n: 1, b: true, list: [null, 2], path: '/srv/x' } }, P).verdict).toBe('ABSTAIN');
  });

  it('a data folder outside the home folder is named by its absolute path in unread text', () => {
    const outside: ProtectedPaths = { data_dir: '/var/lib/warden', home: '/home/u', wiring_files: [] };
    expect(ruleOf(shell('sh <<EOF\nls /var/lib/warden/backups\nEOF'), outside)).toBe('warden-data-folder');
    expect(ruleOf(shell('sh <<EOF\nls b/warden\nEOF'), outside)).toBeNull();
  });

  it('a character class of several characters in a glob could name a Warden file', () => {
    expect(ruleOf(read('/home/u/.local/*/warden/[op]perator.token'))).toBe('warden-data-folder');
    expect(ruleOf(read('/home/u/.local/*/warden/[op]erator.token'))).toBe('warden-data-folder');
    expect(ruleOf(read('/home/u/.local/*/warden/operator.tok?n'))).toBe('warden-data-folder');
  });

  it('another argument of a shell action is read as a path', () => {
    expect(ruleOf({ tool: 'shell.exec', args: { command: 'ls', cwd: '/home/u/.local', target: 'share/warden/backups' } })).toBe('warden-data-folder');
  });

  it('a Warden file at the root', () => {
    expect(ruleOf(read('/operator.token'))).toBe('warden-data-folder');
  });

  it('a `command` argument of a tool other than shell.exec is an argument like any other', () => {
    expect(ruleOf({ tool: 'ci.run', args: { command: '~/.claude/settings.json' } })).toBe('agent-wiring-files');
  });

  it('one opaque part makes the whole shell line judged on its raw text', () => {
    expect(ruleOf(shell('ls && sh <<EOF\necho {} > .claude/settings.json\nEOF'))).toBe('agent-wiring-files');
  });

  it('with no wiring files configured, the Claude settings names still count in unread text', () => {
    expect(ruleOf(shell('sh <<EOF\necho {} > .claude/settings.json\nEOF'), { ...P, wiring_files: [] })).toBe('agent-wiring-files');
  });

  it('a file that only starts with a wiring file\u2019s name is not one', () => {
    expect(ruleOf(write('.claude/settings.json.bak'))).toBeNull();
    expect(ruleOf(write('/.claude/settings.json.bak'))).toBeNull();
  });
});
