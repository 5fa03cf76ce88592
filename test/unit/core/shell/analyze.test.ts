/**
 * The shell reader itself (`analyzeShell`), called directly: which simple commands a command line
 * runs, their words, the files they write and read, and whether a prefix rule or grant may allow
 * each (`unsafe` is null) — never the wording of the reason.
 */
import { describe, expect, it } from 'vitest';
import { analyzeShell, analyzeShellCached, commandStartsWith, MAX_SHELL_COMMAND, wordsMatch } from '../../../../shared/core/shell.js';
import type { ShellCommand } from '../../../../shared/core/shell.js';

/** Each command as [words, writes, reads, unsafe?]. */
const shape = (c: ShellCommand) => ({ words: c.words, writes: c.writes, reads: c.reads, unsafe: c.unsafe !== null });
const read = (command: string) => analyzeShell(command).commands.map(shape);
const wordsOf = (command: string) => analyzeShell(command).commands.map((c) => c.words);
/** True when some command of the line is unsafe. */
const anyUnsafe = (command: string) => analyzeShell(command).commands.some((c) => c.unsafe !== null);
const firstUnsafe = (command: string) => analyzeShell(command).commands[0]!.unsafe !== null;

describe('words and plain commands', () => {
  it('a plain command is one safe command with its words', () => {
    expect(analyzeShell('npm test --watch')).toEqual({
      ok: true,
      error: null,
      commands: [{ text: 'npm test --watch', words: ['npm', 'test', '--watch'], writes: [], reads: [], unsafe: null }],
    });
  });

  it('quotes are removed from static words; a word with an expansion keeps its source', () => {
    expect(wordsOf(`echo 'a b' "c d" e\\ f`)).toEqual([['echo', 'a b', 'c d', 'e f']]);
    expect(wordsOf('echo "$HOME" $X ${Y} {a,b} $((1+2))')).toEqual([['echo', '"$HOME"', '$X', '${Y}', '{a,b}', '$((1+2))']]);
    expect(wordsOf("'npm' \"test\"")).toEqual([['npm', 'test']]);
  });

  it('every plain character class stays one word as written', () => {
    const word = 'aZ09_-.,/:=@%+';
    expect(wordsOf(`echo ${word}`)).toEqual([['echo', word]]);
    expect(read(`${word}`)).toEqual([{ words: [word], writes: [], reads: [], unsafe: false }]);
  });

  it('assignments come first and are not the program', () => {
    expect(read('FOO=1 BAR=x npm test')).toEqual([{ words: ['FOO=1', 'BAR=x', 'npm', 'test'], writes: [], reads: [], unsafe: false }]);
    expect(firstUnsafe('FOO=1 bash -c ls')).toBe(true);
    expect(read('FOO=1')).toEqual([{ words: ['FOO=1'], writes: [], reads: [], unsafe: false }]);
    expect(wordsOf('export A="b c" B=1')).toEqual([['export', 'A="b c"', 'B=1']]);
  });

  it('the text of each command is its own slice of the line', () => {
    expect(analyzeShell('npm test > build/x.log && ls -la').commands.map((c) => c.text)).toEqual(['npm test > build/x.log', 'ls -la']);
  });

  it('a command name only known when it runs is unsafe', () => {
    expect(read('$CMD x')).toEqual([{ words: ['$CMD', 'x'], writes: [], reads: [], unsafe: true }]);
    expect(firstUnsafe('"$CMD" x')).toBe(true);
    expect(firstUnsafe('${CMD} x')).toBe(true);
    expect(firstUnsafe('a$CMD x')).toBe(true);
    expect(firstUnsafe('{rm,ls} x')).toBe(true);
    expect(firstUnsafe('$((1+2)) x')).toBe(true);
    // A quoted static name is known.
    expect(firstUnsafe('"ls" x')).toBe(false);
  });
});

describe('compound command lines: every simple command is listed', () => {
  it.each([
    ['a && b; c || d', [['a'], ['b'], ['c'], ['d']]],
    ['a | b | c', [['a'], ['b'], ['c']]],
    ['(a; b)', [['a'], ['b']]],
    ['{ a; b; }', [['a'], ['b']]],
    ['if a; then b; else c; fi', [['a'], ['b'], ['c']]],
    ['for f in x y; do a $f; done', [['a', '$f']]],
    ['while a; do b; done', [['a'], ['b']]],
    ['case x in x) a;; *) b;; esac', [['a'], ['b']]],
    ['f() { rm x; }; f', [['rm', 'x'], ['f']]],
    ['coproc rm x', [['rm', 'x']]],
    ['x | coproc rm y', [['x'], ['rm', 'y']]],
    ['! a', [['a']]],
  ])('%s', (command, words) => {
    expect(wordsOf(command)).toEqual(words);
    expect(anyUnsafe(command)).toBe(false);
  });

  it('a word of a compound command that runs a substitution makes the line unsafe, and what it runs is listed', () => {
    expect(read('for f in $(ls); do :; done')).toEqual([
      { words: [':'], writes: [], reads: [], unsafe: false },
      { words: [], writes: [], reads: [], unsafe: true },
      { words: ['ls'], writes: [], reads: [], unsafe: true },
    ]);
    expect(anyUnsafe('[[ -f $(id) ]]')).toBe(true);
    expect(anyUnsafe('[[ -f x ]]')).toBe(false);
    expect(read('[[ -f x ]]')).toEqual([]);
    expect(analyzeShell('for f in $(ls); do :; done && echo').commands.map((c) => c.text)).toEqual([':', 'for f in $(ls); do :; done', 'ls', 'echo']);
    expect(anyUnsafe('case $(id) in x) a;; esac')).toBe(true);
  });
});

describe('redirections', () => {
  it.each([
    ['ls > out.log', ['out.log'], []],
    ['ls >> out.log', ['out.log'], []],
    ['ls &> out.log', ['out.log'], []],
    ['ls 2> err.log', ['err.log'], []],
    ['ls >&out.log', ['out.log'], []],
    ['ls >| out.log', ['out.log'], []],
    ['ls > "my file"', ['my file'], []],
    ['cat < in.txt', [], ['in.txt']],
    ['cat <> rw.txt', ['rw.txt'], ['rw.txt']],
    ['cat <> /dev/null', [], ['/dev/null']],
    ['ls > /dev/null', [], []],
    ['ls > /dev/stdout', [], []],
    ['ls 2> /dev/stderr', [], []],
    ['ls > /dev/tty', [], []],
    ['ls > /dev/fd/3', [], []],
    ['ls 2>&1', [], []],
    ['ls >&2', [], []],
    ['ls 2>&-', [], []],
    ['ls >&3-', [], []],
    ['ls 3<&-', [], []],
    ['ls <&3', [], []],
    ['ls >&12', [], []],
    ['ls >&out1', ['out1'], []],
    ['ls >&2x', ['2x'], []],
    ['ls > 2', ['2'], []],
    ['ls > -', ['-'], []],
    ['cat < 3', [], ['3']],
  ])('%s writes %j and reads %j', (command, writes, reads) => {
    const [c] = analyzeShell(command).commands;
    expect({ writes: c!.writes, reads: c!.reads, unsafe: c!.unsafe }).toEqual({ writes, reads, unsafe: null });
  });

  it('a redirection alone is a command with no words', () => {
    expect(read('> out.log')).toEqual([{ words: [], writes: ['out.log'], reads: [], unsafe: false }]);
    expect(read('< in.txt')).toEqual([{ words: [], writes: [], reads: ['in.txt'], unsafe: false }]);
  });

  it('a descriptor copy alone runs nothing and lists nothing', () => {
    expect(read('2>&1')).toEqual([]);
  });

  it('a redirection before the command counts as well', () => {
    expect(read('> out.log ls')).toEqual([{ words: ['ls'], writes: ['out.log'], reads: [], unsafe: false }]);
  });

  it('a redirection of a compound command is listed with what it writes or reads', () => {
    expect(read('{ ls; } > out.log')).toEqual([
      { words: ['ls'], writes: [], reads: [], unsafe: false },
      { words: [], writes: ['out.log'], reads: [], unsafe: false },
    ]);
    expect(read('(cat) < in.txt')).toEqual([
      { words: ['cat'], writes: [], reads: [], unsafe: false },
      { words: [], writes: [], reads: ['in.txt'], unsafe: false },
    ]);
    expect(analyzeShell('{ ls; } > out.log && echo').commands.map((c) => c.text)).toEqual(['ls', '{ ls; } > out.log', 'echo']);
    expect(read('{ ls; } 2>&1')).toEqual([{ words: ['ls'], writes: [], reads: [], unsafe: false }]);
    expect(read('{ ls; } > $OUT')).toEqual([
      { words: ['ls'], writes: [], reads: [], unsafe: false },
      { words: [], writes: [], reads: [], unsafe: true },
    ]);
  });

  it('a redirection target only known when it runs is unsafe, and no file is listed', () => {
    expect(read('ls > $OUT')).toEqual([{ words: ['ls'], writes: [], reads: [], unsafe: true }]);
    expect(read('ls > "$OUT"')).toEqual([{ words: ['ls'], writes: [], reads: [], unsafe: true }]);
    expect(read('ls > $((1+2))')).toEqual([{ words: ['ls'], writes: [], reads: [], unsafe: true }]);
    expect(read('ls > {a,b}')).toEqual([{ words: ['ls'], writes: [], reads: [], unsafe: true }]);
    expect(read('cat < ~/x')).toEqual([{ words: ['cat'], writes: [], reads: ['~/x'], unsafe: false }]);
  });

  it('a redirection target that runs a substitution is unsafe', () => {
    expect(firstUnsafe('ls > "$(mktemp)"')).toBe(true);
    expect(firstUnsafe('ls > >(sh)')).toBe(true);
    expect(analyzeShell('ls > "$(mktemp)"').commands[0]!.writes).toEqual([]);
  });

  it('a heredoc or here-string feeds the program; a substitution in it is unsafe unless the delimiter is quoted', () => {
    expect(firstUnsafe('cat <<EOF\nhello\nEOF')).toBe(false);
    expect(firstUnsafe('cat <<EOF\n$(id)\nEOF')).toBe(true);
    expect(firstUnsafe('cat <<EOF\n`id`\nEOF')).toBe(true);
    expect(firstUnsafe("cat <<'EOF'\n$(id)\nEOF")).toBe(false);
    expect(firstUnsafe('cat <<"EOF"\n$(id)\nEOF')).toBe(false);
    expect(firstUnsafe('cat <<< hello')).toBe(false);
    expect(firstUnsafe('cat <<< "$HOME"')).toBe(false);
    expect(firstUnsafe('cat <<< $(id)')).toBe(true);
    expect(firstUnsafe('bash <<EOF\nls\nEOF')).toBe(true);
    expect(firstUnsafe("bash <<'EOF'\nls\nEOF")).toBe(true);
    expect(firstUnsafe('bash <<< ls')).toBe(true);
    expect(firstUnsafe('bash script.sh <<< ls')).toBe(false);
  });
});

describe('substitutions', () => {
  it('what a substitution runs is listed, unsafe, beside the command that holds it', () => {
    expect(read('echo $(rm x)')).toEqual([
      { words: ['rm', 'x'], writes: [], reads: [], unsafe: true },
      { words: ['echo', '$(rm x)'], writes: [], reads: [], unsafe: true },
    ]);
    expect(wordsOf('X=$(id) ls')).toEqual([['id'], ['X=$(id)', 'ls']]);
    expect(read('X=$(id) ls').every((c) => c.unsafe)).toBe(true);
    expect(wordsOf('$(echo ls) x')).toEqual([['echo', 'ls'], ['$(echo ls)', 'x']]);
    expect(read('$(echo ls) x').every((c) => c.unsafe)).toBe(true);
    expect(wordsOf('echo "a $(id) b"')).toEqual([['id'], ['echo', '"a $(id) b"']]);
    expect(wordsOf('echo ${x:-$(id)}')).toEqual([['id'], ['echo', '${x:-$(id)}']]);
    expect(wordsOf('cat <(ls)')).toEqual([['ls'], ['cat', '<(ls)']]);
    expect(wordsOf('declare X=$(id)')).toEqual([['id'], ['declare', 'X=$(id)']]);
    expect(read('declare X=$(id)').every((c) => c.unsafe)).toBe(true);
  });

  it('a command inside a substitution keeps its own reason when it has one', () => {
    const [inner] = analyzeShell('echo $(bash -c ls)').commands;
    expect(inner!.words).toEqual(['bash', '-c', 'ls']);
    expect(inner!.unsafe).toBe(analyzeShell('bash -c ls').commands[0]!.unsafe);
  });

  it('backquotes and arithmetic command substitutions are substitutions; arithmetic expansion is not', () => {
    expect(firstUnsafe('echo `id`')).toBe(true);
    expect(anyUnsafe('echo $((1 + 2))')).toBe(false);
    expect(anyUnsafe('echo $(( $(id) + 1 ))')).toBe(true);
  });

  it('nested substitutions are read four levels deep', () => {
    const words = wordsOf('echo $(a $(b $(c $(d $(e)))))').map((w) => w[0]);
    expect(words).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'echo']));
    expect(words).not.toContain('e');
  });
});

describe('programs that run code they are given', () => {
  it.each(['eval', 'source', '.', 'trap', 'alias', 'fc', 'enable', 'mapfile', '\\coproc'])('%s is unsafe', (name) => {
    expect(firstUnsafe(`${name} x`)).toBe(true);
  });

  it.each(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox', 'pwsh', 'powershell', '/bin/bash'])(
    'the shell %s: inline code is unsafe and read, a script file is not unsafe, no operand reads stdin',
    (sh) => {
      expect(read(`${sh} -c "rm x"`)).toEqual([
        { words: [sh, '-c', 'rm x'], writes: [], reads: [], unsafe: true },
        { words: ['rm', 'x'], writes: [], reads: [], unsafe: true },
      ]);
      expect(firstUnsafe(`${sh} script.sh`)).toBe(false);
      expect(firstUnsafe(sh)).toBe(true);
      expect(read(`ls | ${sh} script.sh`)[1]!.unsafe).toBe(false);
      expect(read(`ls | ${sh}`)[1]!.unsafe).toBe(true);
    },
  );

  it.each([
    'python', 'python2', 'python3', 'python3.11', 'python4', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'luajit', 'Rscript', 'osascript',
    'tclsh', 'wish', 'jshell', 'irb', 'groovy', '/usr/bin/python3', '/node', 'python311',
  ])('the interpreter %s: inline code is unsafe, a script file is not, no operand reads stdin', (name) => {
    expect(firstUnsafe(`${name} -e "x"`)).toBe(true);
    expect(firstUnsafe(`${name} main.x`)).toBe(false);
    expect(firstUnsafe(`${name} --verbose main.x`)).toBe(false);
    expect(firstUnsafe(name)).toBe(true);
    expect(firstUnsafe(`${name} --verbose`)).toBe(true);
    expect(firstUnsafe(`${name} main.x -`)).toBe(true);
    expect(firstUnsafe(`${name} -s main.x`)).toBe(true);
  });

  it('a program that only looks like an interpreter is not one', () => {
    expect(firstUnsafe('pythonic')).toBe(false);
    expect(firstUnsafe('python3x')).toBe(false);
    expect(firstUnsafe('xpython3')).toBe(false);
    expect(firstUnsafe('python3.11.x')).toBe(false);
    expect(firstUnsafe('nodes')).toBe(false);
  });

  it.each(['-c', '-e', '-E', '--eval', '-r', '-p', '--print', '--command', '-Command', 'eval', '-x', '--exec', '-lc', '-xc', '-Ec', '-xec'])(
    'the inline-code flag %s makes an interpreter unsafe even with a script file',
    (flag) => {
      expect(firstUnsafe(`node ${flag} main.js`)).toBe(true);
      expect(firstUnsafe(`bash ${flag} main.sh`)).toBe(true);
    },
  );

  it('flags that are not inline code leave a script run alone', () => {
    for (const flag of ['-cx', '-l', '--rc', 'c', '-C', '-ec2']) expect(firstUnsafe(`bash ${flag} main.sh`), flag).toBe(false);
  });

  it.each(['awk', 'gawk', 'mawk'])('%s always runs an inline program', (name) => {
    expect(firstUnsafe(`${name} -f prog.awk data.txt`)).toBe(true);
  });

  it('a script read from a redirection or a pipe is the program', () => {
    expect(firstUnsafe('bash < s.sh')).toBe(true);
    expect(analyzeShell('bash < s.sh').commands[0]!.reads).toEqual(['s.sh']);
    expect(firstUnsafe('bash s.sh < data.txt')).toBe(false);
    expect(read('ls | bash')).toEqual([
      { words: ['ls'], writes: [], reads: [], unsafe: false },
      { words: ['bash'], writes: [], reads: [], unsafe: true },
    ]);
    expect(read('bash | ls').map((c) => c.unsafe)).toEqual([true, false]);
    expect(read('ls | cat | bash s.sh').map((c) => c.unsafe)).toEqual([false, false, false]);
  });

  it('the script of a shell given inline code is read, through wrappers too', () => {
    expect(wordsOf('bash -lc "rm -rf /"')).toEqual([['bash', '-lc', 'rm -rf /'], ['rm', '-rf', '/']]);
    expect(wordsOf('sudo bash -c "rm x"')).toEqual([['sudo', 'bash', '-c', 'rm x'], ['bash', '-c', 'rm x'], ['rm', 'x']]);
    expect(read('sudo bash -c "rm x"').every((c) => c.unsafe)).toBe(true);
    expect(wordsOf('FOO=1 sh -c "a; b"')).toEqual([['FOO=1', 'sh', '-c', 'a; b'], ['a'], ['b']]);
    // No script after -c: nothing more to read.
    expect(wordsOf('bash -c')).toEqual([['bash', '-c']]);
    // -c as the program itself is no flag.
    expect(wordsOf('bash x -c')).toEqual([['bash', 'x', '-c']]);
    // Only a flag ending in c takes the script.
    expect(wordsOf('bash -cx "rm x"')).toEqual([['bash', '-cx', 'rm x']]);
    expect(wordsOf('bash a-c "rm x"')).toEqual([['bash', 'a-c', 'rm x']]);
    expect(wordsOf('bash -xec "rm x"').at(-1)).toEqual(['rm', 'x']);
    // An interpreter's inline code is not shell.
    expect(wordsOf('python3 -c "rm x"')).toEqual([['python3', '-c', 'rm x']]);
    // A command name only known when it runs is never unwrapped.
    expect(wordsOf('$SH -c "rm x"')).toEqual([['$SH', '-c', 'rm x']]);
  });

  it('inline scripts are read four levels deep', () => {
    const line = `sh -c "sh -c 'sh -c \\"sh -c rm\\"'"`;
    const names = wordsOf(line).map((w) => w[0]);
    expect(names).toContain('rm');
    const deeper = wordsOf(`sh -c "sh -c 'sh -c \\"sh -c \\\\\\"sh -c rm\\\\\\"\\"'"`).map((w) => w[0]);
    expect(deeper).not.toContain('rm');
  });
});

describe('programs that build a command from data', () => {
  it.each([
    ['xargs rm', true],
    ['parallel rm', true],
    ['watch ls', true],
    ['find . -exec rm {} ;', true],
    ['find . -execdir rm {} ;', true],
    ['find . -ok rm {} ;', true],
    ['find . -okdir rm {} ;', true],
    ['find . -name x', false],
    ['fd -x rm', true],
    ['fd --exec rm', true],
    ['fd -X rm', true],
    ['fd --exec-batch rm', true],
    ['fd pattern', false],
    ['git -c core.pager=sh log', true],
    ['git --config-env=x=y log', true],
    ['git config core.pager sh', true],
    ['git config alias.x "!sh"', true],
    ['git -c user.name=x commit', true],
    ['git status', false],
    ['git log -p', false],
    ['ssh host ls', false],
    ['/usr/bin/xargs rm', true],
  ])('%s → unsafe %s', (command, unsafe) => {
    expect(firstUnsafe(command)).toBe(unsafe);
  });
});

describe('wrappers: the wrapped command is listed on its own', () => {
  it.each([
    ['env', 'env'],
    ['env with assignments', 'env FOO=1 _B=2'],
    ['env -u', 'env -u NAME'],
    ['env --unset', 'env --unset NAME'],
    ['env -C', 'env -C /tmp'],
    ['env --chdir', 'env --chdir /tmp'],
    ['env -i', 'env -i'],
    ['sudo', 'sudo'],
    ...['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U'].map((o) => [`sudo ${o}`, `sudo ${o} VALUE`]),
    ['doas', 'doas'],
    ['doas -u', 'doas -u VALUE'],
    ['doas -C', 'doas -C VALUE'],
    ['nohup', 'nohup'],
    ['nice', 'nice'],
    ['nice -n', 'nice -n 5'],
    ['nice --adjustment', 'nice --adjustment 5'],
    ...['-c', '-n', '-p'].map((o) => [`ionice ${o}`, `ionice ${o} 2`]),
    ['timeout', 'timeout 10'],
    ...['-s', '--signal', '-k', '--kill-after'].map((o) => [`timeout ${o}`, `timeout ${o} 9 10`]),
    ['time', '\\time'],
    ...['-f', '--format', '-o', '--output'].map((o) => [`time ${o}`, `\\time ${o} x`]),
    ['command', 'command'],
    ['builtin', 'builtin'],
    ['exec', 'exec'],
    ['exec -a', 'exec -a NAME'],
    ...['-i', '-o', '-e'].map((o) => [`stdbuf ${o}`, `stdbuf ${o} L`]),
    ['chronic', 'chronic'],
    ['a wrapper by path', '/usr/bin/sudo'],
    ['a wrapper with --', 'sudo -- '],
  ] as [string, string][])('%s', (_name, wrapper) => {
    const words = wordsOf(`${wrapper} rm -rf x`);
    expect(words.at(-1)).toEqual(['rm', '-rf', 'x']);
    expect(words).toHaveLength(2);
  });

  it('after --, every word is the command, even one that looks like an option', () => {
    expect(wordsOf('sudo -- -weird arg').at(-1)).toEqual(['-weird', 'arg']);
  });

  it('only env takes NAME=VALUE pairs before the command', () => {
    expect(wordsOf('sudo FOO=1 rm x').at(-1)).toEqual(['FOO=1', 'rm', 'x']);
    expect(wordsOf('env 1FOO=1 rm x').at(-1)).toEqual(['1FOO=1', 'rm', 'x']);
  });

  it('a wrapper with nothing to run lists no inner command', () => {
    expect(wordsOf('sudo -u root')).toEqual([['sudo', '-u', 'root']]);
    expect(wordsOf('timeout 10')).toEqual([['timeout', '10']]);
    expect(wordsOf('env FOO=1')).toEqual([['env', 'FOO=1']]);
    expect(wordsOf('sudo -')).toEqual([['sudo', '-'], ['-']]);
  });

  it('wrappers nest, and the wrapped command carries the unsafe reason of the line', () => {
    expect(wordsOf('sudo env FOO=1 nice rm x')).toEqual([['sudo', 'env', 'FOO=1', 'nice', 'rm', 'x'], ['env', 'FOO=1', 'nice', 'rm', 'x'], ['nice', 'rm', 'x'], ['rm', 'x']]);
    expect(read('sudo xargs rm').map((c) => c.unsafe)).toEqual([true, true]);
    expect(read('sudo ls > out.log')).toEqual([
      { words: ['sudo', 'ls'], writes: ['out.log'], reads: [], unsafe: false },
      { words: ['ls'], writes: [], reads: [], unsafe: false },
    ]);
    expect(analyzeShell('sudo rm x').commands[1]!.text).toBe('rm x');
  });

  it('wrappers are unwrapped at most eight deep', () => {
    const nices = (n: number) => 'nice '.repeat(n);
    expect(wordsOf(`${nices(10)}rm x`)).toHaveLength(9);
    expect(wordsOf(`${nices(7)}rm x`).at(-1)).toEqual(['rm', 'x']);
    expect(wordsOf(`${nices(7)}bash -c "rm x"`).at(-1)).toEqual(['rm', 'x']);
    expect(wordsOf(`${nices(8)}bash -c "rm x"`).map((w) => w[0])).not.toContain('rm');
  });

  it('the risk of a wrapped command is found through every wrapper', () => {
    expect(firstUnsafe('sudo eval x')).toBe(true);
    expect(firstUnsafe('env FOO=1 timeout 5 bash')).toBe(true);
    expect(firstUnsafe('nohup nice xargs rm')).toBe(true);
  });
});

describe('what cannot be read', () => {
  it.each(['echo "unterminated', 'npm test && (', 'if then fi'])('%s is one unsafe command and not ok', (command) => {
    const a = analyzeShell(command);
    expect(a.ok).toBe(false);
    expect(a.error).not.toBeNull();
    expect(a.commands).toEqual([{ text: command, words: [], writes: [], reads: [], unsafe: expect.any(String) }]);
  });

  it('a command that is not a string is unreadable', () => {
    const a = analyzeShell(42 as unknown as string);
    expect(a.ok).toBe(false);
    expect(a.commands).toHaveLength(1);
    expect(a.commands[0]!.unsafe).not.toBeNull();
  });

  it('a command longer than the bound is unreadable, one at the bound is read', () => {
    const at = `echo ${'x'.repeat(MAX_SHELL_COMMAND - 5)}`;
    expect(at).toHaveLength(MAX_SHELL_COMMAND);
    expect(analyzeShell(at).ok).toBe(true);
    const over = `${at}x`;
    expect(analyzeShell(over).ok).toBe(false);
    expect(analyzeShell(over).commands[0]!.unsafe).not.toBeNull();
  });

  it('an empty line runs nothing', () => {
    expect(analyzeShell('')).toEqual({ ok: true, error: null, commands: [] });
    expect(analyzeShell('  # just a comment')).toEqual({ ok: true, error: null, commands: [] });
  });
});

describe('the cached reading', () => {
  it('gives the same reading as analyzeShell, and the same object for a command read again', () => {
    const a = analyzeShellCached('ls -la && rm x');
    expect(a).toEqual(analyzeShell('ls -la && rm x'));
    analyzeShellCached('cached: another command');
    expect(analyzeShellCached('ls -la && rm x')).toBe(a);
  });
});

describe('commandStartsWith and wordsMatch', () => {
  it('a single command starts with the pattern words', () => {
    expect(commandStartsWith('npm test --watch', 'npm test')).toBe(true);
    expect(commandStartsWith('npm test', 'npm test')).toBe(true);
    expect(commandStartsWith('npm', 'npm test')).toBe(false);
    expect(commandStartsWith('npm testing', 'npm test')).toBe(false);
    expect(commandStartsWith('npm test && ls', 'npm test')).toBe(false);
    expect(commandStartsWith('echo "x', 'echo')).toBe(false);
    expect(commandStartsWith("'npm' test", 'npm test')).toBe(true);
    // Unreadable or compound lines start with nothing, not even `*`.
    expect(commandStartsWith('echo "x', '*')).toBe(false);
    expect(commandStartsWith('ls && rm x', '*')).toBe(false);
    expect(commandStartsWith('ls', '*')).toBe(true);
  });

  it('exact words unless the pattern ends with a lone *', () => {
    expect(wordsMatch('npm test', ['npm', 'test'])).toBe(true);
    expect(wordsMatch('npm test', ['npm', 'test', '--watch'])).toBe(false);
    expect(wordsMatch('npm test', ['npm'])).toBe(false);
    expect(wordsMatch('npm test *', ['npm', 'test'])).toBe(true);
    expect(wordsMatch('npm test *', ['npm', 'test', 'a', 'b'])).toBe(true);
    expect(wordsMatch('npm test *', ['npm'])).toBe(false);
    expect(wordsMatch('npm test *', ['npm', 'tests', 'a'])).toBe(false);
    expect(wordsMatch('*', [])).toBe(true);
    expect(wordsMatch('*', ['anything', 'at all'])).toBe(true);
    // An empty pattern has no words to match.
    expect(wordsMatch('', [])).toBe(false);
    expect(wordsMatch('', ['x'], true)).toBe(false);
  });

  it('a * inside a word matches within that word only', () => {
    expect(wordsMatch('git push origin feature/*', ['git', 'push', 'origin', 'feature/x'])).toBe(true);
    expect(wordsMatch('git push origin feature/*', ['git', 'push', 'origin', 'feature/x', '--force'])).toBe(false);
    expect(wordsMatch('git push origin feature/*', ['git', 'push', 'origin', 'main'])).toBe(false);
    expect(wordsMatch('a*c', ['abc'])).toBe(true);
    expect(wordsMatch('git push origin feature/*', ['git', 'push'])).toBe(false);
    expect(wordsMatch('git f*', ['git'])).toBe(false);
    expect(wordsMatch('git f*', ['git'], true)).toBe(false);
    expect(wordsMatch('git push origin feature/*', ['git', 'push'], true)).toBe(false);
  });

  it('a prefix match lets more words follow', () => {
    expect(wordsMatch('npm test', ['npm', 'test', '--watch'], true)).toBe(true);
    expect(wordsMatch('npm test', ['npm'], true)).toBe(false);
    expect(wordsMatch('npm test', ['npm', 'tests'], true)).toBe(false);
  });

  it('a pattern that is not plain words matches nothing', () => {
    for (const pattern of ['npm test && ls', 'npm test > out.log', 'cat < x', 'echo $(id)', 'bash -c ls', 'echo "x', 'a; b', 'eval x', 'xargs rm', 'sh']) {
      expect(wordsMatch(pattern, pattern.split(' ')), pattern).toBe(false);
      expect(wordsMatch(pattern, pattern.split(' '), true), pattern).toBe(false);
    }
  });

  it('pattern words lose their quotes like command words', () => {
    expect(wordsMatch('"npm" \'test\'', ['npm', 'test'])).toBe(true);
    expect(wordsMatch('echo "a b"', ['echo', 'a b'])).toBe(true);
    expect(wordsMatch('echo "a b"', ['echo', 'a', 'b'])).toBe(false);
  });
});
