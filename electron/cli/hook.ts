/**
 * `warden hook claude-code`: Claude Code's PreToolUse/PostToolUse/PostToolUseFailure hook.
 * PreToolUse asks Warden (waiting for an operator up to `--wait` seconds) and prints Claude Code's
 * permission decision; when the wait runs out the request is withdrawn first, so no operator
 * allows it after nobody acts on it. PostToolUse and PostToolUseFailure complete the action
 * Warden allowed (succeeded / failed), which frees its concurrency slot.
 *
 * Exit codes: always 0 (a deny is the JSON decision). The settings wrap the command in
 * `… || exit 2` (see claude-settings.ts): any other exit means the program could not run, and
 * Claude Code blocks the call.
 *
 * INVARIANT: a PreToolUse run always prints one decision and exits 0, and never prints `allow`
 * unless Warden allowed this very action: bad options, malformed input, an input too large to
 * send whole, a missing key, an unreachable or failing server all end in `deny` (or `ask`, where
 * the operator chose so). What Warden decides on is sent as Claude Code gave it, never cut.
 */
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { ActionInput } from '../../shared/api/vocabulary.js';
import { ACTION_LIMITS } from '../../shared/vocabulary.js';
import { WardenApiError, type AskResult } from '../../shared/client.js';
import { CompletionStore, actionTooLarge, parseWaitSeconds, privateDir } from './ask.js';
import { connect, describeError, globalsOf, resolveDataDir, withGlobalOptions } from './context.js';
import { CliExit, type CliIO } from './io.js';

export type PermissionDecision = 'allow' | 'deny' | 'ask';

export interface HookOutput {
  hookSpecificOutput: { hookEventName: 'PreToolUse'; permissionDecision: PermissionDecision; permissionDecisionReason: string };
}

export function decision(permissionDecision: PermissionDecision, reason: string): HookOutput {
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason: reason } };
}

/** The fields of Claude Code's hook input that Warden reads (PreToolUse, PostToolUse). */
export interface ClaudeHookInput {
  session_id?: unknown;
  cwd?: unknown;
  hook_event_name?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
  tool_use_id?: unknown;
  tool_response?: unknown;
}

/** Seconds the hook allows itself beyond `--wait` before it answers on its own. */
const HOOK_GRACE_SECONDS = 5;
/** The API's limits on `tool` and `mission_id` (ActionInput): longer ones are refused, not cut. */
const MAX_TOOL = ACTION_LIMITS.tool;
const MAX_MISSION_ID = ACTION_LIMITS.mission_id;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Tool-name characters Warden accepts; anything else becomes `_`. */
function toolSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:/-]/g, '_') || '_';
}

/**
 * Claude Code's tool call as a Warden action:
 * Bash → `shell.exec` {command}; Write/Edit/MultiEdit/NotebookEdit → `fs.write` {path}; Read/Glob/Grep →
 * `fs.read` {path, pattern}; WebFetch → `http.request` {url}; `mcp__SERVER__TOOL` →
 * `mcp.SERVER.TOOL` {…tool_input}; anything else → `claude.TOOLNAME` {…tool_input}. Every action
 * carries `claude_tool` and `cwd` in its args and the session as `mission_id`.
 *
 * SECURITY: every value Warden decides on goes as Claude Code gave it: never cut, never replaced
 * (a command cut after `npm test` would pass a rule the full command fails). File contents stay
 * out by design (`fs.write` gets their length); an action too large to send is denied by the caller.
 */
export function mapClaudeToolCall(input: ClaudeHookInput): ActionInput {
  const toolName = str(input.tool_name);
  if (!toolName) throw new Error('hook input has no tool_name');
  const ti = (input.tool_input && typeof input.tool_input === 'object' && !Array.isArray(input.tool_input) ? input.tool_input : {}) as Record<string, unknown>;
  let tool: string;
  let args: Record<string, unknown>;
  switch (toolName) {
    case 'Bash':
      tool = 'shell.exec';
      args = { command: ti.command, ...(ti.description !== undefined ? { description: ti.description } : {}) };
      break;
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
    case 'NotebookEdit':
      tool = 'fs.write';
      args = { path: ti.file_path ?? ti.notebook_path ?? ti.path };
      if (typeof ti.new_source === 'string') args.content_length = ti.new_source.length;
      if (typeof ti.content === 'string') args.content_length = ti.content.length;
      if (Array.isArray(ti.edits)) args.edits = ti.edits.length;
      break;
    case 'Read':
    case 'Glob':
    case 'Grep':
      tool = 'fs.read';
      args = { path: ti.file_path ?? ti.path ?? null };
      if (ti.pattern !== undefined) args.pattern = ti.pattern;
      break;
    case 'WebFetch':
      tool = 'http.request';
      args = { url: ti.url, method: 'GET' };
      break;
    default: {
      const mcp = /^mcp__(.+?)__(.+)$/.exec(toolName);
      tool = mcp ? `mcp.${toolSegment(mcp[1]!)}.${toolSegment(mcp[2]!)}` : `claude.${toolSegment(toolName)}`;
      args = { ...ti };
    }
  }
  if (tool.length > MAX_TOOL) throw new Error(`tool name ${tool.slice(0, 40)}… is longer than ${MAX_TOOL} characters`);
  args.claude_tool = toolName;
  const cwd = str(input.cwd);
  if (cwd) args.cwd = cwd;
  const session = str(input.session_id);
  if (session && session.length > MAX_MISSION_ID) throw new Error(`session_id is longer than ${MAX_MISSION_ID} characters`);
  return { tool, args, ...(session ? { mission_id: session } : {}) };
}

/** Reads all of stdin, or '' when it is a terminal (nobody is piping a hook payload). */
async function readStdin(io: CliIO, timeoutMs = 10_000, maxBytes = 8 * 1024 * 1024): Promise<string> {
  if (io.stdin.isTTY) return '';
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(new Error(`no end of input on stdin after ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBytes) return finish(new Error(`hook input is larger than ${maxBytes} bytes`));
      chunks.push(buf);
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.off('error', finish);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onEnd = () => finish();
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.once('error', finish);
  });
}

function reasonFor(result: AskResult, waitSeconds: number): { decision: PermissionDecision; reason: string } {
  const tool = result.action.action.tool;
  const approvalNote = (a: AskResult['approval']) => {
    const yes = a?.decisions.filter((d) => d.decision !== 'deny').map((d) => d.operator_name ?? d.operator) ?? [];
    return yes.length ? ` (approved by ${yes.join(', ')})` : '';
  };
  switch (result.verdict) {
    case 'allowed':
      return { decision: 'allow', reason: `Warden allowed ${tool}${approvalNote(result.approval)}: ${result.reason}` };
    case 'blocked':
      return { decision: 'deny', reason: `Warden blocked ${tool}: ${result.reason}` };
    case 'denied':
      return { decision: 'deny', reason: `Warden: ${tool} was ${result.reason}` };
    case 'expired':
      return { decision: 'ask', reason: `Warden: ${result.approval?.id ?? 'the approval'} for ${tool} expired before anyone answered in Warden; asking here instead` };
    case 'pending':
      return {
        decision: 'ask',
        reason: `Warden: no answer to ${result.approval?.id ?? 'the approval'} for ${tool} within ${waitSeconds} s${result.action.withdrawn_at ? ' (request withdrawn)' : ''}; asking here instead (${result.reason})`,
      };
  }
}

interface HookOptions {
  wait: number;
  onUnreachable: 'deny' | 'ask';
  stateDir?: string;
}

async function preToolUse(cmd: Command, io: CliIO, input: ClaudeHookInput, opts: HookOptions): Promise<HookOutput> {
  let action: ActionInput;
  try {
    action = mapClaudeToolCall(input);
  } catch (err) {
    return decision('deny', `Warden hook: ${(err as Error).message}; refusing the tool call`);
  }
  const tooLarge = actionTooLarge(action);
  if (tooLarge) return decision('deny', `Warden hook: the tool input is too large for Warden to evaluate (${tooLarge}); refusing the tool call`);
  const conn = connect(cmd, io, 'agent');
  if (conn.tokenSource === 'none') {
    return decision('deny', 'Warden hook: no agent key — set WARDEN_KEY to the key printed by `warden agent add claude-code`');
  }
  const toolUseId = str(input.tool_use_id);
  let result: AskResult;
  try {
    result = await conn.client.ask(action, {
      waitSeconds: opts.wait,
      // A hook that outlives Claude Code's own timeout is killed, and Claude Code then goes on
      // without us: answer ourselves a little after --wait instead.
      signal: AbortSignal.timeout((opts.wait + HOOK_GRACE_SECONDS) * 1000),
      idempotencyKey: toolUseId ? `claude-code:${str(input.session_id) ?? ''}:${toolUseId}` : undefined,
    });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
      return decision('deny', `Warden did not answer within ${opts.wait + HOOK_GRACE_SECONDS} s; refusing the tool call`);
    }
    if (err instanceof WardenApiError && err.unreachable) {
      const how = `Warden is not reachable at ${conn.url} — start it with \`warden serve\` or the desktop app`;
      return opts.onUnreachable === 'ask'
        ? decision('ask', `${how}; asking here instead`)
        : decision('deny', `${how} (or run the hook with --on-unreachable ask)`);
    }
    if (err instanceof WardenApiError && err.status === 401) {
      return decision('deny', `Warden rejected the agent key from ${conn.tokenSource} (${err.code}) — create one with \`warden agent add claude-code\``);
    }
    return decision('deny', `Warden could not decide on ${action.tool}: ${describeError(err, conn)}`);
  }
  const { decision: d, reason } = reasonFor(result, opts.wait);
  if (d === 'allow' && toolUseId) {
    try {
      const store = new CompletionStore(privateDir(opts.stateDir ?? join(resolveDataDir(globalsOf(cmd), io.env), 'hook-state', 'claude-code')));
      store.prune();
      store.put(toolUseId, { action_id: result.action.id, url: conn.url });
    } catch (err) {
      // The tool may still run; only its completion report would be missing.
      io.stderr.write(`warden: cannot remember ${result.action.id} for PostToolUse: ${(err as Error).message}\n`);
    }
  }
  return decision(d, reason);
}

/** PostToolUse / PostToolUseFailure: reports the outcome of the action PreToolUse allowed. */
async function postToolUse(cmd: Command, io: CliIO, input: ClaudeHookInput, opts: HookOptions, failed: boolean): Promise<void> {
  const toolUseId = str(input.tool_use_id);
  if (!toolUseId) return;
  let entry: { action_id: string; url: string } | null = null;
  try {
    entry = new CompletionStore(privateDir(opts.stateDir ?? join(resolveDataDir(globalsOf(cmd), io.env), 'hook-state', 'claude-code'))).take(toolUseId);
  } catch {
    /* no state folder: nothing to complete */
  }
  if (!entry) return; // Warden did not allow this call (or it ran after an `ask` in the terminal)
  const response = input.tool_response as Record<string, unknown> | undefined;
  const errored = failed || (response && typeof response === 'object' && (response.is_error === true || response.success === false || response.interrupted === true));
  const conn = connect(cmd, io, 'agent');
  try {
    await conn.client.call('completeAction', { params: { id: entry.action_id }, body: { outcome: errored ? 'failed' : 'succeeded' } });
  } catch (err) {
    io.stderr.write(`warden: could not complete ${entry.action_id}: ${describeError(err, conn)}\n`);
  }
}

export function hookCommands(program: Command, io: CliIO): void {
  const hook = program.command('hook').description('hooks for agents that support them');
  const print = (out: HookOutput): void => {
    io.stdout.write(`${JSON.stringify(out)}\n`);
  };

  const claudeCode = withGlobalOptions(
    hook
      .command('claude-code')
      .description("Claude Code's PreToolUse/PostToolUse hook: reads the hook JSON on stdin, asks Warden with WARDEN_KEY, prints the decision")
      .option('--wait <seconds>', 'how long to wait for an operator on ALERT before falling back to asking in the terminal', parseWaitSeconds, 50)
      .addOption(new Option('--on-unreachable <decision>', 'what to answer when Warden is not running').choices(['deny', 'ask']).default('deny'))
      .option('--state-dir <dir>', 'where PreToolUse leaves action ids for PostToolUse (default DATA_DIR/hook-state/claude-code)'),
  );
  // A bad option still gets a decision: exit 2 with nothing on stdout would leave Claude Code
  // without one. Commander has already printed the error on stderr; --help passes through.
  claudeCode.exitOverride((err) => {
    if (err.exitCode === 0) throw err;
    print(decision('deny', `Warden hook: ${err.message.replace(/^error: /, '').replace(/\.$/, '')}; refusing the tool call`));
    throw new CliExit(0);
  });
  claudeCode.action(async (opts: HookOptions, cmd: Command) => {
    let input: ClaudeHookInput;
    try {
      const text = await readStdin(io);
      if (!text.trim()) return print(decision('deny', 'Warden hook: no hook input on stdin (expected Claude Code\'s PreToolUse JSON); refusing the tool call'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        return print(decision('deny', `Warden hook: hook input is not valid JSON (${(err as Error).message}); refusing the tool call`));
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return print(decision('deny', 'Warden hook: hook input is not a JSON object; refusing the tool call'));
      }
      input = parsed as ClaudeHookInput;
    } catch (err) {
      return print(decision('deny', `Warden hook: cannot read stdin (${(err as Error).message}); refusing the tool call`));
    }
    const event = str(input.hook_event_name) ?? 'PreToolUse';
    try {
      if (event === 'PostToolUse' || event === 'PostToolUseFailure') return await postToolUse(cmd, io, input, opts, event === 'PostToolUseFailure');
      if (event !== 'PreToolUse') return; // other events: nothing to decide
      print(await preToolUse(cmd, io, input, opts));
    } catch (err) {
      if (event === 'PreToolUse') print(decision('deny', `Warden hook failed: ${(err as Error).message}; refusing the tool call`));
      else io.stderr.write(`warden: hook failed: ${(err as Error).message}\n`);
    }
  });
}
