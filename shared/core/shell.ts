/**
 * Shell-aware reading of a `shell.exec` command, with a real bash parser (unbash): never split by
 * hand. `analyzeShell` lists every simple command a command line would run (through `&&`, `;`,
 * pipes, subshells, `if`/`for`/`case` bodies, function bodies and wrappers such as `env`, `sudo`
 * or `timeout`), the files it redirects into or out of, and, for each, why no prefix rule or
 * grant may allow it (`unsafe`): a command or process substitution, `eval`/`source`, inline code
 * for a shell or interpreter (`sh -c`, `python -c`), a shell or interpreter reading its program
 * from a pipe, a heredoc or stdin, a command run from data (`xargs`, `find -exec`), a command
 * name or redirect target that only an expansion knows, or anything the parser cannot read.
 *
 * @example
 *   analyzeShell('npm test && curl -s x | sh').commands.map((c) => [c.words, c.unsafe])
 *   // [[['npm','test'], null], [['curl','-s','x'], null], [['sh'], 'sh reads its program from a pipe']]
 */
import { forEachChild, parse } from 'unbash';
import { globMatch } from './glob.js';
import type { Command, CommandNode, Redirection, Statement, SyntaxNode, Word } from 'unbash';

export interface ShellCommand {
  /** The simple command as written (its slice of the source, redirections included). */
  text: string;
  /**
   * Its words with quoting removed (`"a b"` → `a b`), assignments first (`FOO=1 npm test` →
   * `FOO=1`, `npm`, `test`). A word holding an expansion keeps its source text (`$HOME/x`).
   */
  words: string[];
  /** Files written by output redirections (`> out.log`, `>> x`, `&> y`). */
  writes: string[];
  /** Files read by input redirections (`< in.txt`). */
  reads: string[];
  /** Why no prefix rule or grant may allow this command; null when plain words decide it. */
  unsafe: string | null;
}

export interface ShellAnalysis {
  /** False when the parser could not read the whole command (then `commands` holds one unsafe entry). */
  ok: boolean;
  error: string | null;
  commands: ShellCommand[];
}

/** Programs that run their first operand (after their own options) as a command. */
const WRAPPERS: ReadonlyMap<string, { valueOptions: readonly string[]; leadingOperands?: number }> = new Map(Object.entries({
  env: { valueOptions: ['-u', '--unset', '-C', '--chdir'] },
  sudo: { valueOptions: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U'] },
  doas: { valueOptions: ['-u', '-C'] },
  nohup: { valueOptions: [] },
  nice: { valueOptions: ['-n', '--adjustment'] },
  ionice: { valueOptions: ['-c', '-n', '-p'] },
  timeout: { valueOptions: ['-s', '--signal', '-k', '--kill-after'], leadingOperands: 1 },
  time: { valueOptions: ['-f', '--format', '-o', '--output'] },
  command: { valueOptions: [] },
  builtin: { valueOptions: [] },
  exec: { valueOptions: ['-a'] },
  stdbuf: { valueOptions: ['-i', '-o', '-e'] },
  chronic: { valueOptions: [] },
}));

/** Shells and interpreters: their inline-code flags, and whether they read a program from stdin. */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox', 'pwsh', 'powershell']);
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'luajit', 'Rscript', 'osascript', 'awk', 'gawk', 'mawk', 'tclsh', 'wish', 'jshell', 'irb', 'groovy']);
const INLINE_CODE_FLAGS = new Set(['-c', '-e', '-E', '--eval', '-r', '-p', '--print', '--command', '-Command', 'eval', '-x', '--exec']);
/** Builtins that run a string or a file as shell code. */
const EVAL_LIKE = new Set(['eval', 'source', '.', 'trap', 'alias', 'fc', 'coproc', 'enable', 'mapfile']);
/** Programs that build a command from their input or arguments at run time. */
const RUNS_FROM_DATA: ReadonlyMap<string, (args: readonly string[]) => boolean> = new Map(Object.entries({
  xargs: () => true,
  parallel: () => true,
  watch: () => true,
  find: (args) => args.some((a) => ['-exec', '-execdir', '-ok', '-okdir'].includes(a)),
  fd: (args) => args.some((a) => ['-x', '--exec', '-X', '--exec-batch'].includes(a)),
  git: (args) => args.some((a) => a === '-c' || a.startsWith('--config') || a.startsWith('core.') || a.startsWith('alias.')),
  ssh: () => false,
}));
/** Redirect targets that are not files. */
const NOT_FILES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

const baseName = (word: string): string => {
  const slash = word.lastIndexOf('/');
  // Stryker disable next-line ConditionalExpression: with no slash, slice(slash + 1) is slice(0), the word itself
  return slash >= 0 ? word.slice(slash + 1) : word;
};

/** A word of plain characters (no quotes, expansions or globs): the parser gives it no parts. */
// Stryker disable all: a fast path only; plain text holds no substitution, so answering false sends any node down the full walk, which agrees
function isPlainWord(node: SyntaxNode): boolean {
  if (node.type === 'Word') return PLAIN.test(node.text);
  if (node.type === 'Assignment') return PLAIN.test(node.text);
  return false;
}
// Stryker restore all

/**
 * Characters that never quote, expand, glob or substitute. A word made of only these is itself,
 * and is read from its text without resolving the parser's (lazy) word parts.
 */
const PLAIN = /^[A-Za-z0-9_\-.,/:=@%+]*$/;

/** True when `node` (a word, a heredoc body…) holds a command or process substitution anywhere. */
function hasSubstitution(node: SyntaxNode): boolean {
  // Stryker disable next-line ConditionalExpression: a fast path; the walk below finds nothing in plain text either
  if (isPlainWord(node)) return false;
  let found = false;
  const visit = (n: SyntaxNode): void => {
    // Stryker disable next-line ConditionalExpression: only stops the walk early; found never turns back to false
    if (found) return;
    if (n.type === 'CommandExpansion' || n.type === 'ProcessSubstitution' || n.type === 'ArithmeticCommandExpansion') {
      found = true;
      return;
    }
    forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** The scripts of every command or process substitution inside `node`. */
function substitutionScripts(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  // Stryker disable next-line ConditionalExpression: a fast path; the walk below finds nothing in plain text either
  if (isPlainWord(node)) return out;
  const visit = (n: SyntaxNode): void => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: only command and process substitutions carry a script
    if ((n.type === 'CommandExpansion' || n.type === 'ProcessSubstitution') && 'script' in n && n.script) {
      out.push(n.script as SyntaxNode);
      return;
    }
    forEachChild(n, visit);
  };
  visit(node);
  return out;
}

/** True when the word's value is known before running: no parameter, command or brace expansion. */
function isStatic(word: Word): boolean {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a fast path; a plain word has no parts and the walk finds nothing dynamic in one
  if (PLAIN.test(word.text) || word.parts === undefined) return true;
  let dynamic = false;
  const visit = (n: SyntaxNode): void => {
    // Stryker disable next-line ConditionalExpression: only stops the walk early; dynamic never turns back to false
    if (dynamic) return;
    switch (n.type) {
      case 'SimpleExpansion':
      case 'ParameterExpansion':
      case 'CommandExpansion': // Stryker disable next-line StringLiteral: a process substitution is caught by hasSubstitution wherever isStatic is asked, and its value is its text
      case 'ProcessSubstitution':
      case 'ArithmeticExpansion':
      case 'BraceExpansion':
        dynamic = true;
        return;
      default:
        forEachChild(n, visit);
    }
  };
  visit(word);
  return !dynamic;
}

/** The word as the program receives it when static (quotes removed), else its source text. */
const wordValue = (w: Word): string => (PLAIN.test(w.text) ? w.text : isStatic(w) ? w.value : w.text);

interface Collector {
  source: string;
  out: ShellCommand[];
  /** How deep in `sh -c` scripts this is. */
  depth: number;
}

/**
 * Reads what the redirections of `cmd` write and read. Words in them that hold a substitution
 * (an unquoted heredoc body, a here-string, a target) are added to `substituted`, so what they
 * run meets the rules too.
 */
function redirectionsOf(
  redirs: readonly Redirection[],
  cmd: ShellCommand,
  reasons: string[],
  pipedIn: boolean,
  substituted: SyntaxNode[],
): { stdinProgram: boolean } {
  let stdinProgram = pipedIn;
  for (const r of redirs) {
    if (r.type === 'HereDoc') {
      // Stryker disable next-line BooleanLiteral: stdinProgram only picks the wording of the reason; a shell with no script operand is unsafe either way
      stdinProgram = true;
      // Stryker disable next-line OptionalChaining: the parser gives every heredoc a delimiter
      if (!r.delimiter?.quoted && hasSubstitution(r.body)) {
        reasons.push('a heredoc runs a command substitution');
        substituted.push(r.body);
      }
      continue;
    }
    if (r.type === 'HereString') {
      // Stryker disable next-line BooleanLiteral: stdinProgram only picks the wording of the reason; a shell with no script operand is unsafe either way
      stdinProgram = true;
      if (r.target && hasSubstitution(r.target)) {
        reasons.push('a here-string runs a command substitution');
        substituted.push(r.target);
      }
      continue;
    }
    const target = r.target;
    // Stryker disable next-line ConditionalExpression: the parser gives every file redirection a target
    if (!target) continue;
    // Stryker disable next-line ConditionalExpression,BlockStatement: a target holding a substitution is never static, so the check below gives it a reason too
    if (hasSubstitution(target)) {
      reasons.push('a redirection runs a command or process substitution');
      substituted.push(target);
      continue;
    }
    const op = r.operator;
    // `>&2`, `2>&1`, `<&-`: descriptor copies, not files.
    if ((op === '>&' || op === '<&') && /^(\d+-?|-)$/.test(target.value)) continue;
    if (!isStatic(target)) {
      reasons.push(`the redirection target ${target.text} is only known when the command runs`);
      continue;
    }
    const path = target.value;
    if (op === '<') {
      cmd.reads.push(path);
      // Stryker disable next-line BooleanLiteral: stdinProgram only picks the wording of the reason; a shell with no script operand is unsafe either way
      stdinProgram = true;
    } else if (op === '<>') {
      cmd.reads.push(path);
      if (!NOT_FILES.has(path)) cmd.writes.push(path);
    } else if (!NOT_FILES.has(path) && !path.startsWith('/dev/fd/')) {
      cmd.writes.push(path);
    }
  }
  // Stryker disable next-line ObjectLiteral: stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
  return { stdinProgram };
}

/** Why running `words` (a static command name first) is unsafe for a prefix rule, or null. */
function commandRisk(words: readonly string[], stdinProgram: boolean): string | null {
  // Stryker disable next-line StringLiteral: called with the words of a program, never empty
  const name = baseName(words[0] ?? '');
  const args = words.slice(1);
  if (EVAL_LIKE.has(name)) return `${name} runs a string as shell code`;
  if (SHELLS.has(name) || INTERPRETERS.has(name) || /^python\d+(\.\d+)?$/.test(name)) {
    if (args.some((a) => INLINE_CODE_FLAGS.has(a) || /^-[a-zA-Z]*c$/.test(a))) return `${name} runs inline code`;
    if (name === 'awk' || name === 'gawk' || name === 'mawk') return `${name} runs an inline program`;
    // With a script file operand, what comes on stdin is data; without one, it is the program.
    const operands = args.filter((a) => !a.startsWith('-'));
    if (operands.length === 0 || args.includes('-') || args.includes('-s')) {
      // Stryker disable next-line ConditionalExpression: both answers are reasons; only the wording differs
      return stdinProgram ? `${name} reads its program from a pipe or redirection` : `${name} reads its program from standard input`;
    }
  }
  const fromData = RUNS_FROM_DATA.get(name);
  if (fromData?.(args)) return `${name} builds the command it runs at run time`;
  return null;
}

/** The command a wrapper (`env FOO=1 cmd`, `sudo -u x cmd`, `timeout 5 cmd`) runs, or null. */
function unwrap(words: readonly string[]): string[] | null {
  // Stryker disable next-line StringLiteral: called with the words of a program, never empty
  const spec = WRAPPERS.get(baseName(words[0] ?? ''));
  if (!spec) return null;
  let i = 1;
  let leading = spec.leadingOperands ?? 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (w.startsWith('-') && w.length > 1) {
      i += spec.valueOptions.includes(w) ? 2 : 1;
      continue;
    }
    // `env` takes NAME=VALUE pairs before the command.
    if (baseName(words[0]!) === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      i++;
      continue;
    }
    if (leading > 0) {
      leading--;
      i++;
      continue;
    }
    break;
  }
  const inner = words.slice(i);
  return inner.length > 0 ? inner : null;
}

function simpleCommand(node: Command, c: Collector, pipedIn: boolean): void {
  const reasons: string[] = [];
  const words: string[] = [];
  // Stryker disable next-line ArrayDeclaration: a non-node entry has no type nor target and is skipped
  const redirs: Redirection[] = [];
  /** Words and assignments that hold a substitution, whose scripts are read below. */
  const substituted: SyntaxNode[] = [];
  let assignments = 0;
  for (const p of node.prefix) {
    if (p.type === 'Assignment') {
      assignments++;
      if (hasSubstitution(p)) {
        reasons.push('an assignment runs a command substitution');
        substituted.push(p);
      }
      words.push(p.text);
    } else redirs.push(p);
  }
  // Stryker disable next-line BooleanLiteral: read only together with node.name, which sets it
  let nameStatic = true;
  if (node.name) {
    const plain = PLAIN.test(node.name.text);
    if (!plain && hasSubstitution(node.name)) {
      // Stryker disable next-line all: a name holding a substitution is never static, so the check below gives it a reason too
      reasons.push('the command name runs a command substitution');
      substituted.push(node.name);
    }
    nameStatic = plain || isStatic(node.name);
    if (!nameStatic) reasons.push(`the command name ${node.name.text} is only known when it runs`);
    words.push(plain ? node.name.text : wordValue(node.name));
  }
  for (const a of node.suffix) {
    if (a.type === 'Word' || a.type === 'Assignment') {
      // Stryker disable next-line ConditionalExpression,BlockStatement: a fast path; the full path below gives a plain word the same value and no reason
      if (PLAIN.test(a.text)) {
        words.push(a.text);
        continue;
      }
      if (hasSubstitution(a)) {
        reasons.push('an argument runs a command or process substitution');
        substituted.push(a);
      }
      words.push(a.type === 'Word' ? wordValue(a) : a.text);
    } else redirs.push(a);
  }
  const cmd: ShellCommand = { text: c.source.slice(node.pos, node.end), words, writes: [], reads: [], unsafe: null };
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ObjectLiteral: no redirections change nothing; stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
  const { stdinProgram } = redirs.length > 0 ? redirectionsOf(redirs, cmd, reasons, pipedIn, substituted) : { stdinProgram: pipedIn };
  // The program's own words start after the assignments.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,ArrayDeclaration: a command without a static name is already unsafe, and its source text names no wrapper or shell
  let program = node.name && nameStatic ? words.slice(assignments) : [];
  const nested: string[][] = [];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty program has no risk and unwraps to nothing
  for (let depth = 0; program.length > 0 && depth < 8; depth++) {
    const risk = commandRisk(program, stdinProgram);
    if (risk) reasons.push(risk);
    const inner = unwrap(program);
    if (!inner) break;
    nested.push(inner);
    program = inner;
  }
  cmd.unsafe = reasons.length > 0 ? reasons[0]! : null;
  readSubstitutions(substituted, c);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a command without a static name is already unsafe, and its source text names no wrapper or shell
  const inlineScript = node.name && nameStatic ? inlineShellScript(words.slice(assignments)) : null;
  if (node.name || words.length > 0 || cmd.writes.length > 0 || cmd.reads.length > 0) c.out.push(cmd);
  // A wrapped command is judged on its own too: `sudo rm -rf /` must meet the rules on `rm -rf`.
  for (const inner of nested) {
    c.out.push({ text: inner.join(' '), words: inner, writes: [], reads: [], unsafe: cmd.unsafe });
  }
  // `bash -c 'rm -rf /'`: what the inline script runs meets the rules too (and stays unsafe).
  if (inlineScript !== null && c.depth < 4) {
    const inner = analyzeShell(inlineScript, c.depth + 1);
    for (const ic of inner.commands) c.out.push({ ...ic, unsafe: cmd.unsafe ?? ic.unsafe });
  }
}

/** The script of `sh -c SCRIPT` (after any wrapper), when the command is a shell given inline code. */
function inlineShellScript(program: readonly string[]): string | null {
  let words: readonly string[] | null = program;
  for (let depth = 0; words && depth < 8; depth++) {
    // Stryker disable next-line StringLiteral: called with the words of a program, never empty
    if (SHELLS.has(baseName(words[0] ?? ''))) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: words[0] is a shell's name, which never looks like -c
      const at = words.findIndex((w, i) => i > 0 && /^-[a-zA-Z]*c$/.test(w));
      // Stryker disable next-line EqualityOperator: at is never 0 (see above); -1 fails both forms
      return at > 0 && at + 1 < words.length ? words[at + 1]! : null;
    }
    words = unwrap(words);
  }
  return null;
}

/**
 * What a substitution runs meets the rules too: `echo $(mkfs /dev/sda)`, `cat <<< $(mkfs …)`,
 * `echo > $(mkfs …)` and `for f in $(mkfs …)` must all meet the BLOCK on mkfs. Each command
 * inside is judged on its own and is never allowed by a rule or a grant (it is unsafe).
 */
function readSubstitutions(parts: readonly SyntaxNode[], c: Collector): void {
  if (c.depth >= 4) return;
  for (const part of parts) {
    for (const script of substitutionScripts(part)) {
      const inner: Collector = { source: c.source, out: [], depth: c.depth + 1 };
      // Stryker disable next-line BooleanLiteral: stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
      for (const st of (script as unknown as { commands: Statement[] }).commands) visitCommand(st.command, inner, false);
      // Stryker disable next-line StringLiteral: any non-null unsafe asks; the text is only the reason shown
      for (const ic of inner.out) c.out.push({ ...ic, unsafe: ic.unsafe ?? 'it runs inside a command or process substitution' });
    }
  }
}

function visitCommand(node: CommandNode | Statement['command'], c: Collector, pipedIn: boolean): void {
  switch (node.type) {
    case 'Command':
      simpleCommand(node, c, pipedIn);
      return;
    // Stryker disable next-line ConditionalExpression: falling through, a pipeline is read like an and-or list; stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
    case 'Pipeline':
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: pipedIn only picks the wording of a shell's reason
      node.commands.forEach((n, i) => visitCommand(n, c, pipedIn || i > 0));
      return;
    case 'AndOr':
      for (const n of node.commands) visitCommand(n, c, pipedIn);
      return;
    case 'Redirected': {
      const before = c.out.length;
      visitCommand(node.command, c, pipedIn);
      // Redirections of a compound command apply to each command inside it.
      const probe: ShellCommand = { text: c.source.slice(node.pos, node.end), words: [], writes: [], reads: [], unsafe: null };
      const reasons: string[] = [];
      const substituted: SyntaxNode[] = [];
      // Stryker disable next-line BooleanLiteral: stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
      redirectionsOf(node.redirects, probe, reasons, false, substituted);
      if (probe.writes.length > 0 || probe.reads.length > 0 || reasons.length > 0) {
        c.out.push({ ...probe, unsafe: reasons[0] ?? null });
      }
      readSubstitutions(substituted, c);
      void before;
      return;
    }
    // Stryker disable next-line ConditionalExpression,StringLiteral: falling through, a function body is read like a coproc body, the same way
    case 'Function':
      visitCommand(node.body as CommandNode, c, pipedIn);
      return;
    case 'Coproc':
      visitCommand(node.body as CommandNode, c, pipedIn);
      return;
    // Stryker disable all: defensive; the parser nests compound lists inside compound commands, which visitCompound reads
    case 'CompoundList' as string:
      for (const s of (node as unknown as { commands: Statement[] }).commands) visitCommand(s.command, c, pipedIn);
      return;
    // Stryker restore all
    default:
      visitCompound(node, c, pipedIn);
  }
}

/** `if`, loops, `case`, subshells, groups, `[[ ]]`, `(( ))`: every command inside, and every word they expand. */
function visitCompound(node: SyntaxNode, c: Collector, pipedIn: boolean): void {
  const reasons: string[] = [];
  const substituted: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    switch (n.type) {
      // Stryker disable all: defensive; statements come inside compound lists, read by the case below
      case 'Statement':
        visitCommand(n.command, c, pipedIn);
        return;
      // Stryker restore all
      // Stryker disable next-line StringLiteral: falling through, the Statement case reads the same statements
      case 'CompoundList':
        for (const s of n.commands) visitCommand(s.command, c, pipedIn);
        return;
      case 'Word':
        if (hasSubstitution(n)) {
          reasons.push('a word runs a command or process substitution');
          substituted.push(n);
        }
        return;
      default:
        forEachChild(n, visit);
    }
  };
  forEachChild(node, visit);
  if (reasons.length > 0) c.out.push({ text: c.source.slice((node as { pos: number }).pos, (node as { end: number }).end), words: [], writes: [], reads: [], unsafe: reasons[0]! });
  readSubstitutions(substituted, c);
}

/** Longest command line analyzed; a longer one is unreadable (fail closed), never cut. */
export const MAX_SHELL_COMMAND = 100_000;

/** Reads `command` as bash would, without running anything. Never throws. */
export function analyzeShell(command: string, depth = 0): ShellAnalysis {
  const unreadable = (error: string): ShellAnalysis => ({
    ok: false,
    error,
    // Stryker disable next-line StringLiteral: any non-null unsafe asks; the text is only the reason shown
    commands: [{ text: command, words: [], writes: [], reads: [], unsafe: `the command could not be read as shell: ${error}` }],
  });
  // Stryker disable next-line ConditionalExpression,StringLiteral: the parser refuses a non-string too, and the catch below answers the same
  if (typeof command !== 'string') return unreadable('the command is not a string');
  // Stryker disable next-line StringLiteral: any non-null unsafe asks; the text is only the reason shown
  if (command.length > MAX_SHELL_COMMAND) return unreadable(`it is longer than ${MAX_SHELL_COMMAND} characters`);
  try {
    const script = parse(command);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the parser leaves errors undefined when there are none, never an empty list
    if (script.errors && script.errors.length > 0) return unreadable(script.errors[0]!.message);
    const c: Collector = { source: command, out: [], depth };
    // Stryker disable next-line BooleanLiteral: stdinProgram and pipedIn only pick the wording of a shell's reason; a shell with no script operand is unsafe either way
    for (const s of script.commands) visitCommand(s.command, c, false);
    return { ok: true, error: null, commands: c.out };
  } catch (err) {
    // Stryker disable next-line all: defensive; the parser reports errors rather than throwing, this keeps the never-throws promise
    return unreadable(err instanceof Error ? err.message : 'parser error');
  }
}

const analysisCache = new Map<string, ShellAnalysis>();

/** `analyzeShell` remembered for the last few thousand commands (a decision reads one several times). */
export function analyzeShellCached(command: string): ShellAnalysis {
  let a = analysisCache.get(command);
  if (!a) {
    a = analyzeShell(command);
    // Stryker disable next-line all: the cache bound trades memory for parse time only
    if (analysisCache.size > 2_000) analysisCache.clear();
    analysisCache.set(command, a);
  }
  return a;
}

/** True when `command` is one simple command whose words begin with `pattern`'s words. */
export function commandStartsWith(command: string, pattern: string): boolean {
  const a = analyzeShellCached(command);
  return a.ok && a.commands.length === 1 && wordsMatch(pattern, a.commands[0]!.words, true);
}

/**
 * True when `words` start with the words of `pattern` (parsed as shell words too). A pattern word
 * `*` alone at the end matches any remaining words (none included); `*` inside a word matches
 * within that word only.
 *
 * @example
 *   wordsMatch('git push origin *', ['git', 'push', 'origin', 'feature/x'])  // true
 *   wordsMatch('npm test', ['npm', 'test', '--watch'])                       // false: exact words
 */
export function wordsMatch(pattern: string, words: readonly string[], prefix = false): boolean {
  const want = patternWords(pattern);
  if (want === null) return false;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty pattern has no last word; want[-1] is undefined, never '*'
  const open = want.length > 0 && want[want.length - 1] === '*';
  const fixed = open ? want.slice(0, -1) : want;
  if (words.length < fixed.length) return false;
  if (!open && !prefix && words.length !== fixed.length) return false;
  for (let i = 0; i < fixed.length; i++) {
    if (!globMatch(fixed[i]!, words[i]!)) return false;
  }
  return true;
}

const patternCache = new Map<string, string[] | null>();

/** A pattern's words: quoting removed, `*` kept as written. Null when it is not plain words. */
function patternWords(pattern: string): string[] | null {
  let words = patternCache.get(pattern);
  // Stryker disable next-line ConditionalExpression: the cache only saves parse time
  if (words !== undefined) return words;
  // `*` parses as a glob word, whose value keeps the star.
  const a = analyzeShell(pattern);
  const only = a.ok && a.commands.length === 1 && a.commands[0]!.writes.length === 0 && a.commands[0]!.reads.length === 0 ? a.commands[0]! : null;
  words = only && only.unsafe === null ? only.words : null;
  // Stryker disable next-line all: the cache bound trades memory for parse time only
  if (patternCache.size > 5_000) patternCache.clear();
  // Stryker disable next-line all: the cache only saves parse time
  patternCache.set(pattern, words);
  return words;
}
