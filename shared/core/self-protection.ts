/**
 * Built-in rules that protect Warden itself. No policy, grant or setting can lift them:
 *
 * - `warden-data-folder`: no agent action may read or write Warden's data folder (the operator
 *   token, the database and its WAL, backups). With the token an agent could approve its own
 *   requests; with the database it could rewrite its budget.
 * - `agent-wiring-files`: no agent action may change the files that wire an agent to Warden
 *   (Claude Code's `.claude/settings.json` and `.claude/settings.local.json`, MCP client configs
 *   Warden wrote). Reading them with a file tool is fine; a shell command that names one must be
 *   a known read-only program.
 *
 * Paths are found wherever an agent can put them: any string argument that looks like a path,
 * and, for `shell.exec`, every word and redirection of every simple command (shared/core/shell.ts).
 * `~`, `$HOME` and relative paths (against `args.cwd`) are resolved before comparing.
 */
import { normalizePath, SHELL_TOOL } from './grants.js';
import { analyzeShellCached } from './shell.js';
import type { ActionInput, ProtectedPaths } from './types.js';

export type BuiltinRule = 'warden-data-folder' | 'agent-wiring-files';

export interface SelfProtectionOutcome {
  verdict: 'BLOCK' | 'ABSTAIN';
  rule: BuiltinRule | null;
  detail: string;
}

/** Tools that only read. Any other tool touching a wiring file counts as changing it. */
const READ_TOOLS = new Set(['fs.read', 'fs.list', 'fs.search', 'fs.stat']);
/** Programs that only read the files they name (when they carry no in-place flag). */
const READ_ONLY_PROGRAMS = new Set(['cat', 'head', 'tail', 'less', 'more', 'grep', 'egrep', 'fgrep', 'rg', 'jq', 'wc', 'ls', 'stat', 'file', 'diff', 'bat', 'test', '[']);
/** File names that belong to a Warden data folder wherever it is. */
const WARDEN_FILE_NAMES = new Set(['operator.token', 'warden.db', 'warden.db-wal', 'warden.db-shm', 'warden.lock']);
const WIRING_TAILS = ['/.claude/settings.json', '/.claude/settings.local.json'];

const ABSTAIN: SelfProtectionOutcome = { verdict: 'ABSTAIN', rule: null, detail: 'touches none of Warden\u2019s own files' };

/** Deepest argument nesting and most strings read; a bigger action is judged on what was read plus the raw text. */
const MAX_DEPTH = 8;
const MAX_STRINGS = 2_000;

/** Every string inside `value` (object values and array items, bounded); true when the bounds left some unread. */
function stringsOf(value: unknown, out: string[], depth = 0): boolean {
  if (typeof value === 'string') {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the bounds only move a string between the word-by-word reading and the raw-text check, which names at least as much
    if (out.length >= MAX_STRINGS) return true;
    out.push(value);
    return false;
  }
  // Stryker disable next-line BooleanLiteral,ConditionalExpression: a cut only adds the raw-text check, which names at least as much; Object.values of a number or boolean is empty
  if (value === null || typeof value !== 'object') return false;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: the bounds only move a string between the word-by-word reading and the raw-text check, which names at least as much
  if (depth >= MAX_DEPTH || out.length >= MAX_STRINGS) return true;
  let cut = false;
  // Stryker disable next-line ArithmeticOperator: the bounds only move a string between the word-by-word reading and the raw-text check, which names at least as much
  for (const v of Array.isArray(value) ? value : Object.values(value)) cut = stringsOf(v, out, depth + 1) || cut;
  return cut;
}

/** A Warden file name standing as a word of its own anywhere in a text. */
const WARDEN_FILE_IN_TEXT = /(?:^|[^\w.-])(?:operator\.token|warden\.db(?:-wal|-shm)?|warden\.lock)(?![\w.-])/;

/** The ways a raw text can name `path`: as is, and from the home folder (`~/…`, `$HOME/…`, relative to it). */
function spellings(path: string, home: string | null): string[] {
  const h = home === null ? null : normalizePath(home);
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: with home at the root, no normalized path starts with '//' either
  if (h === null || h === '/' || !path.startsWith(`${h}/`)) return [path];
  const rel = path.slice(h.length + 1);
  return [path, rel];
}

/** `text` as an absolute normalized path, or null when it cannot be placed (a relative path without a cwd). */
function resolvePath(text: string, home: string | null, cwd: string | null): string | null {
  let p = text.startsWith('file://') ? text.slice('file://'.length) : text;
  // Stryker disable next-line ConditionalExpression: with no home, 'null/…' stays relative and is placed like any relative text
  if (home !== null) {
    if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
    else if (p.startsWith('$HOME/') || p === '$HOME') p = home + p.slice('$HOME'.length);
    else if (p.startsWith('${HOME}')) p = home + p.slice('${HOME}'.length);
  }
  if (!p.startsWith('/')) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: a path joined to a missing or relative cwd stays relative, and no relative path lies inside the absolute data folder
    if (cwd === null || !cwd.startsWith('/')) return null;
    p = `${cwd}/${p}`;
  }
  return normalizePath(p);
}

const GLOB_CHARS = /[*?[]/;

/** The last segment of a path as written (`a/b/../operator.token` → `operator.token`). */
function baseOf(text: string): string {
  const slash = text.lastIndexOf('/');
  // Stryker disable next-line ConditionalExpression: with no slash, slice(slash + 1) is slice(0), the text itself
  return slash >= 0 ? text.slice(slash + 1) : text;
}

function dataFolderBlock(text: string): SelfProtectionOutcome {
  return {
    verdict: 'BLOCK',
    rule: 'warden-data-folder',
    detail: `built-in rule warden-data-folder: agents may not read or write Warden\u2019s data folder (${text.length > 200 ? `${text.slice(0, 200)}\u2026` : text})`,
  };
}

function wiringBlock(text: string): SelfProtectionOutcome {
  return {
    verdict: 'BLOCK',
    rule: 'agent-wiring-files',
    detail: `built-in rule agent-wiring-files: agents may not change the files that wire an agent to Warden (${text.length > 200 ? `${text.slice(0, 200)}\u2026` : text})`,
  };
}

const inside = (path: string, root: string): boolean => path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);

/** The `*`/`?`/`[…]` word of a shell glob as a test on one path (conservative: any class is one `*`). */
function globCouldName(word: string, path: string): boolean {
  const pattern = word.replace(/\[[^\]]*\]/g, '*').replace(/\?/g, '*');
  const parts = pattern.split('*');
  if (!path.startsWith(parts[0]!) || !path.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = path.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  return true;
}

interface Candidate {
  text: string;
  /** True when the action writes (or may write) this path. */
  writes: boolean;
}

/**
 * Decides the self-protection layer for one action. Pure; never throws on any input.
 *
 * @example
 *   selfProtection({ tool: 'fs.read', args: { path: '~/.local/share/warden/operator.token' } },
 *     { data_dir: '/home/u/.local/share/warden', home: '/home/u', wiring_files: [] })
 *   // { verdict: 'BLOCK', rule: 'warden-data-folder', … }
 */
export function selfProtection(action: ActionInput, p: ProtectedPaths | null | undefined): SelfProtectionOutcome {
  if (!p) return ABSTAIN;
  const args = action.args ?? {};
  const cwd = typeof args.cwd === 'string' ? args.cwd : null;
  const dataDir = normalizePath(p.data_dir);
  const readTool = READ_TOOLS.has(action.tool);
  const candidates: Candidate[] = [];
  // Stryker disable next-line ArrayDeclaration: an extra string that names nothing changes nothing
  const strings: string[] = [];
  const cut = stringsOf(args, strings);
  const dataSpellings = spellings(dataDir, p.home);
  const namesData = (text: string): boolean => dataSpellings.some((d) => text.includes(d)) || WARDEN_FILE_IN_TEXT.test(text);
  // A shell action's strings (the command line, its description) are not paths it writes: the
  // parsed command below says what it writes.
  const shell = action.tool === SHELL_TOOL;
  const writesArgs = !readTool && !shell;
  for (const s of strings) {
    if (s === cwd) continue;
    if (shell && s === args.command) {
      if (namesData(s)) return dataFolderBlock(s);
      continue;
    }
    candidates.push({ text: s, writes: writesArgs });
    // `--file=PATH`, `KEY=PATH`
    const eq = s.indexOf('=');
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator: the part after '=' of a leading '=' or of nothing is judged the same within the whole text
    if (eq > 0 && eq < s.length - 1) candidates.push({ text: s.slice(eq + 1), writes: writesArgs });
  }
  // Shell code Warden cannot read word by word (unparsable, or a program fed from a heredoc, a
  // pipe or inline code) is judged on its raw text too.
  let opaqueShell = false;
  if (shell && typeof args.command === 'string') {
    const analysis = analyzeShellCached(args.command);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,BooleanLiteral: an unreadable line is one unsafe command, so the second test alone decides
    opaqueShell = !analysis.ok || analysis.commands.some((c) => c.unsafe !== null);
    for (const c of analysis.commands) {
      // Stryker disable next-line StringLiteral: a command of assignments only has no program; any non-read-only name reads the same
      const program = (c.words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '').split('/').pop() ?? '';
      // Stryker disable next-line ConditionalExpression,StringLiteral: startsWith('-i') already covers -i
      const inPlace = c.words.some((w) => w === '-i' || w.startsWith('-i') || w === '--in-place');
      const readOnly = READ_ONLY_PROGRAMS.has(program) && !inPlace;
      for (const w of c.words) {
        candidates.push({ text: w, writes: !readOnly });
        const eq = w.indexOf('=');
        // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator: the part after '=' of a leading '=' or of nothing is judged the same within the whole word
        if (eq > 0 && eq < w.length - 1) candidates.push({ text: w.slice(eq + 1), writes: !readOnly });
      }
      for (const w of c.writes) candidates.push({ text: w, writes: true });
      for (const r of c.reads) candidates.push({ text: r, writes: false });
    }
  }

  const wiring = p.wiring_files.map(normalizePath);
  // What the bounds or the parser left unread is judged on the raw text.
  const raw = cut ? JSON.stringify(args) : opaqueShell ? (args.command as string) : null;
  if (raw !== null && namesData(raw)) return dataFolderBlock(raw);
  if (raw !== null && !readTool) {
    const wiringSpellings = [...wiring.flatMap((w) => spellings(w, p.home)), ...WIRING_TAILS.map((t) => t.slice(1))];
    if (wiringSpellings.some((w) => raw.includes(w))) return wiringBlock(raw);
  }
  // A relative word without a slash can only name a protected file from a folder at or above one.
  // Stryker disable next-line StringLiteral: a relative cwd normalizes to a relative path, never near an absolute protected one
  const cwdPath = cwd !== null && cwd.startsWith('/') ? normalizePath(cwd) : null;
  const cwdNear =
    // Stryker disable next-line ConditionalExpression,StringLiteral: cwdNear is a fast path; a bare word can only resolve into a protected path from a cwd it marks near
    cwdPath !== null && (inside(cwdPath, dataDir) || inside(dataDir, cwdPath) || cwdPath.endsWith('/.claude') || wiring.some((w) => inside(w, cwdPath)));
  if (cwdPath !== null && inside(cwdPath, dataDir)) {
    return { verdict: 'BLOCK', rule: 'warden-data-folder', detail: `built-in rule warden-data-folder: agents may not act inside Warden\u2019s data folder (cwd ${cwdPath})` };
  }
  for (const c of candidates) {
    const text = c.text.trim();
    // Stryker disable next-line ConditionalExpression: an empty text resolves to the cwd, which the checks below never hold protected (the cwd check above did)
    if (text.length === 0) continue;
    if (text.includes(dataDir)) return dataFolderBlock(text);
    if (WARDEN_FILE_NAMES.has(text)) return dataFolderBlock(text);
    const globby = GLOB_CHARS.test(text);
    // Nothing path-like: a flag, a word, a number.
    // Stryker disable next-line ConditionalExpression,BooleanLiteral,StringLiteral: a fast path; the text it skips resolves to nothing protected
    if (!cwdNear && !globby && !text.includes('/') && text[0] !== '~' && text[0] !== '$') continue;
    const path = resolvePath(text, p.home, cwd);
    const base = baseOf(text);
    const touchesData =
      (path !== null && inside(path, dataDir)) ||
      WARDEN_FILE_NAMES.has(base) ||
      (globby && path !== null && [dataDir, `${dataDir}/operator.token`, `${dataDir}/warden.db`].some((target) => globCouldName(path, target)));
    if (touchesData) return dataFolderBlock(text);
    if (!c.writes) continue;
    const normalized = path ?? normalizePath(text);
    const wiringFile =
      wiring.some((w) => normalized === w || (globby && globCouldName(normalized, w))) ||
      WIRING_TAILS.some((tail) => normalized.endsWith(tail) || `/${normalized}`.endsWith(tail));
    if (wiringFile) return wiringBlock(text);
  }
  return ABSTAIN;
}
