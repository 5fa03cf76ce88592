/**
 * `warden connect claude-code [--project DIR | --user]`: wires Claude Code to Warden and proves it.
 *
 * 1. The agent key: `--key`, else the key the settings file already holds (when it still
 *    authenticates as that agent), else a new key for `--agent NAME` (default `claude-code`),
 *    registering the agent if it does not exist (operator token needed).
 * 2. The settings: `DIR/.claude/settings.local.json` (default: the current folder) or
 *    `~/.claude/settings.json` gets Warden's env and hooks (see claude-settings.ts) merged in;
 *    everything else in it is kept, the previous file is backed up beside it, and a file that
 *    already holds this wiring is left untouched.
 * 3. The self-test: the PreToolUse command runs as Claude Code runs it (`sh -c`, the settings'
 *    env, a sample event on stdin); Warden must record the sample action and the hook must
 *    answer with a decision. A sample left waiting for an operator is withdrawn; one allowed is
 *    completed through the PostToolUse command.
 *
 * Exit codes: 0 wired and tested; 1 the self-test failed (the settings are written: tool calls
 * are refused until Warden answers) or Warden refused a call; 2 usage errors.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import type { Action } from '../../shared/api/actions.js';
import { WardenClient } from '../../shared/client.js';
import { parseWaitSeconds } from './ask.js';
import { claudeCodeWiring, mergeClaudeSettings, type ClaudeSettingsWiring } from './claude-settings.js';
import { withConnection, withGlobalOptions, type Connection } from './context.js';
import { CliError, CliExit, usageError, type CliIO } from './io.js';
import { writeJson, writeLine } from './output.js';

interface ConnectOptions {
  project?: string;
  user?: boolean;
  key?: string;
  agent?: string;
  wait: number;
  selfTest: boolean;
}

/** Where the settings go: the project's local settings, or the user's. */
export function settingsPath(opts: Pick<ConnectOptions, 'project' | 'user'>, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  if (opts.user && opts.project !== undefined) throw usageError('choose one of --project DIR and --user');
  if (opts.user) return join(env.HOME || homedir(), '.claude', 'settings.json');
  return join(resolve(cwd, opts.project ?? '.'), '.claude', 'settings.local.json');
}

function readSettings(file: string): { text: string | null; value: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: null, value: undefined };
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!text.trim()) return { text, value: undefined };
  try {
    return { text, value: JSON.parse(text) };
  } catch (err) {
    throw new CliError(`${file} is not valid JSON (${(err as Error).message}); fix or move it, then run this again`);
  }
}

/** Writes `value` to `file` (0600: it holds a key), keeping the previous content as a backup. */
function writeSettings(file: string, previous: string | null, value: unknown, now: Date): string | null {
  mkdirSync(join(file, '..'), { recursive: true });
  let backup: string | null = null;
  if (previous !== null) {
    backup = `${file}.backup-${now.toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(file, backup);
    chmodSync(backup, 0o600);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return backup;
}

/** The agent a key authenticates as, or undefined when it does not (revoked, another Warden, not an agent key). */
async function agentOfKey(url: string, key: string): Promise<{ id: string; name: string } | undefined> {
  try {
    const me = await new WardenClient({ baseUrl: url, key }).call('me');
    return 'scopes' in me ? { id: me.id, name: me.name } : undefined;
  } catch {
    return undefined;
  }
}

async function resolveKey(conn: Connection, opts: ConnectOptions, existing: unknown): Promise<{ key: string; agent: { id: string; name: string }; how: string }> {
  if (opts.key) {
    const agent = await agentOfKey(conn.url, opts.key);
    if (!agent) throw new CliError(`--key is not a live agent key of the Warden at ${conn.url}`);
    return { key: opts.key, agent, how: 'the key given with --key' };
  }
  const held = (existing as { env?: { WARDEN_KEY?: unknown } } | undefined)?.env?.WARDEN_KEY;
  if (typeof held === 'string' && held) {
    const agent = await agentOfKey(conn.url, held);
    if (agent && (opts.agent === undefined || agent.name === opts.agent)) return { key: held, agent, how: 'the key already in the settings' };
  }
  const name = opts.agent ?? 'claude-code';
  for await (const a of conn.client.paginate('listAgents', { query: { limit: 500 } })) {
    if (a.name !== name) continue;
    const issued = await conn.client.call('createAgentKey', { params: { id: a.id }, body: {} });
    return { key: issued.api_key, agent: { id: a.id, name: a.name }, how: `a new key for agent ${a.name}` };
  }
  const created = await conn.client.call('createAgent', { body: { name, role: 'coder' } });
  return { key: created.api_key, agent: { id: created.id, name: created.name }, how: `agent ${created.name}, registered now` };
}

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a hook command as Claude Code does: through the shell, the event as JSON on stdin. */
export function runHookCommand(command: string, event: unknown, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HookRun> {
  return new Promise((done) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr: `${stderr}${err.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(event));
  });
}

export interface SelfTestResult {
  ok: boolean;
  message: string;
  action?: Pick<Action, 'id' | 'decision' | 'status'>;
}

/**
 * Runs the PreToolUse command with a sample `Read` and checks that Warden recorded it and that
 * the hook answered with a decision. Uses only the agent key, as the hook does.
 */
export async function selfTest(wiring: ClaudeSettingsWiring, dir: string, env: NodeJS.ProcessEnv, waitSeconds: number): Promise<SelfTestResult> {
  const agent = new WardenClient({ baseUrl: wiring.env.WARDEN_URL, key: wiring.env.WARDEN_KEY });
  const marker = randomBytes(6).toString('hex');
  const path = join(dir, `warden-self-test-${marker}.txt`);
  const toolUseId = `toolu_warden_self_test_${marker}`;
  const event = { hook_event_name: 'PreToolUse', cwd: dir, tool_name: 'Read', tool_input: { file_path: path }, tool_use_id: toolUseId };
  const hookEnv = { ...env, ...wiring.env };
  const find = async (): Promise<Action | undefined> => {
    try {
      const page = await agent.call('listActions', { query: { limit: 20 } });
      return page.data.find((a) => a.action.args?.path === path);
    } catch {
      return undefined;
    }
  };
  const pre = wiring.hooks.PreToolUse[0]!.hooks[0]!;
  let finished = false;
  const run = runHookCommand(pre.command, event, hookEnv, (waitSeconds + 15) * 1000).finally(() => (finished = true));
  // While the hook runs: once Warden has the sample, a request waiting for an operator is withdrawn.
  let seen: Action | undefined;
  while (!finished) {
    seen ??= await find();
    if (seen?.status === 'pending_approval') {
      await agent.call('withdrawAction', { params: { id: seen.id } }).catch(() => undefined);
      seen = { ...seen, status: 'expired' };
    }
    await Promise.race([run, new Promise((r) => setTimeout(r, 100))]);
  }
  const out = await run;
  seen = (await find()) ?? seen;
  const detail = `exit ${out.code ?? 'killed'}${out.stderr.trim() ? `: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
  if (out.code !== 0) return { ok: false, message: `the hook command failed (${detail}); Claude Code will block every tool call until it runs` };
  let decision: string | undefined;
  try {
    decision = (JSON.parse(out.stdout) as { hookSpecificOutput?: { permissionDecision?: string } }).hookSpecificOutput?.permissionDecision;
  } catch {
    /* reported below */
  }
  if (!decision) return { ok: false, message: `the hook printed no decision (${detail}): ${out.stdout.trim().slice(0, 200)}` };
  if (!seen) return { ok: false, message: `the hook answered "${decision}" but Warden at ${wiring.env.WARDEN_URL} has no record of the sample call (${detail})` };
  if (decision === 'allow') {
    // Allowed: report it done through the PostToolUse command, as Claude Code would after the Read.
    const post = wiring.hooks.PostToolUse[0]!.hooks[0]!;
    await runHookCommand(post.command, { ...event, hook_event_name: 'PostToolUse', tool_response: { success: true } }, hookEnv, 15_000);
    seen = (await find()) ?? seen;
  }
  return {
    ok: true,
    message: `the hook asked Warden about a sample Read (${seen.id}: ${seen.decision}, now ${seen.status}) and answered "${decision}"`,
    action: { id: seen.id, decision: seen.decision, status: seen.status },
  };
}

export function connectCommands(program: Command, io: CliIO): void {
  const group = program.command('connect').description('wire an agent program to Warden');
  withGlobalOptions(
    group
      .command('claude-code')
      .description("write Claude Code's hook settings (PreToolUse, PostToolUse, PostToolUseFailure) and test them")
      .option('--project <dir>', 'wire this project: DIR/.claude/settings.local.json (default: the current folder)')
      .option('--user', 'wire every project: ~/.claude/settings.json')
      .option('--key <key>', 'the agent key to write (default: the one already there, or a new one for --agent)')
      .option('--agent <name>', 'the agent to issue a key for, registered if new (default claude-code)')
      .option('--wait <seconds>', 'how long the hook waits for an operator on ALERT', parseWaitSeconds, 50)
      .option('--no-self-test', 'write the settings without running the hook once'),
  ).action((opts: ConnectOptions, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const file = settingsPath(opts, io.env);
      const { text, value } = readSettings(file);
      const { key, agent, how } = await resolveKey(conn, opts, value);
      const wiring = claudeCodeWiring(conn.url, key, { waitSeconds: opts.wait });
      let merged: Record<string, unknown>;
      try {
        merged = mergeClaudeSettings(value, wiring);
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}; fix it, then run this again`);
      }
      const changed = !isDeepStrictEqual(merged, value);
      const backup = changed ? writeSettings(file, text, merged, new Date()) : null;
      const projectDir = opts.user ? process.cwd() : resolve(process.cwd(), opts.project ?? '.');
      const test = opts.selfTest ? await selfTest(wiring, projectDir, io.env, opts.wait) : null;
      if (conn.json) {
        writeJson(io, { settings: file, changed, backup, agent, key_source: how, self_test: test });
      } else {
        writeLine(io, changed ? `Wrote ${file} (agent ${agent.name}, ${how}).` : `${file} already wires Warden (agent ${agent.name}); left unchanged.`);
        if (backup) writeLine(io, `The previous file is saved as ${backup}.`);
        writeLine(io, `Hooks: PreToolUse (waits up to ${opts.wait} s for you), PostToolUse, PostToolUseFailure; if Warden's program cannot start they exit 2 and Claude Code blocks the call.`);
        if (test?.ok) writeLine(io, `Self-test passed: ${test.message}.`);
        writeLine(io, 'Restart Claude Code (or open /hooks) to load the settings. Keep the file out of git: it holds the key.');
      }
      if (test && !test.ok) {
        io.stderr.write(`warden: self-test failed: ${test.message}\n`);
        throw new CliExit(1);
      }
    }),
  );
}
