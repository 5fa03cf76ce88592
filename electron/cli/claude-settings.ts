/**
 * The Claude Code settings that wire `warden hook claude-code`: the block `warden agent add
 * --claude-code` prints and `warden connect claude-code` merges into a settings file.
 *
 * SECURITY (fail closed): the hook command names Warden's program by absolute path (the Node
 * binary running this CLI and Warden's `bin/warden.js`), so it does not depend on Claude Code's
 * PATH, and ends in `|| exit 2`. The hook itself always exits 0 with its decision as JSON (a
 * deny is `permissionDecision: "deny"`), so any other exit means Warden's program could not run
 * (a missing Node or entry exits 127 or 1) — and exit 2 is what Claude Code treats as "block".
 */
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine } from './ask.js';

/** The hook events Warden handles: ask before, complete after (success or failure). */
export const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Seconds the post-tool hooks may take (one completion call). */
const POST_TIMEOUT_S = 15;
/** Claude Code's timeout for PreToolUse sits this far above `--wait`, so it never kills a waiting hook. */
const PRE_TIMEOUT_MARGIN_S = 10;

/** Warden's `bin/warden.js`, found upwards from this module (sources or `dist/node/…`); undefined if absent. */
export function wardenEntry(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'bin', 'warden.js');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return realpathSync(candidate);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The absolute path of `name` on `PATH`, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return realpathSync(file);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * The argv that starts Warden's CLI: this Node (`process.execPath`) and Warden's entry, both
 * absolute; else the installed `warden` found on PATH, by its absolute path.
 */
export function wardenProgram(env: NodeJS.ProcessEnv = process.env): string[] {
  const entry = wardenEntry();
  if (entry) {
    // Under Electron the binary runs scripts only as Node.
    return process.versions.electron ? ['env', 'ELECTRON_RUN_AS_NODE=1', process.execPath, entry] : [process.execPath, entry];
  }
  const installed = onPath('warden', env.PATH);
  if (installed) return [installed];
  throw new Error("cannot find Warden's program (bin/warden.js, or `warden` on PATH) to write into the hook command");
}

/** The shell command Claude Code runs for a hook event: Warden's hook, or exit 2 (block) if it cannot run. */
export function hookCommand(program: readonly string[], waitSeconds?: number): string {
  const args = [...program, 'hook', 'claude-code', ...(waitSeconds === undefined ? [] : ['--wait', String(waitSeconds)])];
  return `${commandLine(args)} || exit 2`;
}

export interface ClaudeSettingsWiring {
  env: { WARDEN_URL: string; WARDEN_KEY: string };
  hooks: Record<HookEvent, { matcher: string; hooks: { type: 'command'; command: string; timeout: number }[] }[]>;
}

/** The settings block for an agent key. */
export function claudeCodeWiring(url: string, apiKey: string, opts: { waitSeconds?: number; program?: readonly string[] } = {}): ClaudeSettingsWiring {
  const wait = opts.waitSeconds ?? 50;
  const program = opts.program ?? wardenProgram();
  const post = [{ matcher: '*', hooks: [{ type: 'command' as const, command: hookCommand(program), timeout: POST_TIMEOUT_S }] }];
  return {
    env: { WARDEN_URL: url, WARDEN_KEY: apiKey },
    hooks: {
      PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: hookCommand(program, wait), timeout: wait + PRE_TIMEOUT_MARGIN_S }] }],
      PostToolUse: post,
      PostToolUseFailure: structuredClone(post),
    },
  };
}

/** The block as printed (and as written into a fresh settings file). */
export function claudeCodeSettings(url: string, apiKey: string, opts: { waitSeconds?: number; program?: readonly string[] } = {}): string {
  return JSON.stringify(claudeCodeWiring(url, apiKey, opts), null, 2);
}

/** A hook entry Warden wrote (this wiring or an earlier one, `warden hook claude-code …`). */
export function isWardenHook(hook: unknown): boolean {
  const command = (hook as { command?: unknown } | null)?.command;
  return typeof command === 'string' && /(^|[\s/'])(warden(\.js)?'?)\s+hook\s+claude-code\b/.test(command);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `existing` settings with Warden's wiring in: its env entries set, every earlier Warden hook
 * replaced by this one, and everything else (other env entries, other hooks, other settings)
 * kept as it was. Throws when the settings are not shaped as Claude Code reads them.
 */
export function mergeClaudeSettings(existing: unknown, wiring: ClaudeSettingsWiring): Json {
  if (existing === undefined) existing = {};
  if (!isObject(existing)) throw new Error('the settings file does not hold a JSON object');
  const out: Json = structuredClone(existing);
  if (out.env !== undefined && !isObject(out.env)) throw new Error('"env" in the settings file is not an object');
  out.env = { ...(out.env as Json | undefined), ...wiring.env };
  if (out.hooks !== undefined && !isObject(out.hooks)) throw new Error('"hooks" in the settings file is not an object');
  const hooks: Json = { ...(out.hooks as Json | undefined) };
  for (const event of HOOK_EVENTS) {
    const groups = hooks[event] ?? [];
    if (!Array.isArray(groups)) throw new Error(`"hooks.${event}" in the settings file is not a list`);
    const kept = groups
      .map((g: unknown) => (isObject(g) && Array.isArray(g.hooks) ? { ...g, hooks: g.hooks.filter((h: unknown) => !isWardenHook(h)) } : g))
      .filter((g: unknown) => !(isObject(g) && Array.isArray(g.hooks) && g.hooks.length === 0));
    hooks[event] = [...kept, ...structuredClone(wiring.hooks[event])];
  }
  out.hooks = hooks;
  return out;
}
