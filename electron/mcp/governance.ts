/**
 * How an MCP tool call becomes a Warden action, and what Warden's answer means for it: the one
 * place the stdio proxy asks Warden over its HTTP API, waits, refuses and reports completion
 * (`McpGovernor`). The HTTP gateway, inside Warden, does the same steps in process
 * (`LocalGovernor`, local-governor.ts); both answer through `decisionOf`.
 *
 * INVARIANT: `decide` answers `forward: true` only for an action Warden allowed (status
 * `allowed`); every other outcome — BLOCK, a denial, an expiry, no answer in time, an unreachable
 * or failing Warden, a malformed reply — is `forward: false` with one readable sentence.
 */
import type { ActionInput } from '../../shared/api/vocabulary.js';
import { WardenApiError, type AskResult, type WardenClient } from '../../shared/client.js';
import { HttpError } from '../server/errors.js';
import { evaluateToolAccess } from '../../shared/core/tool-access.js';

/** The annotations of an MCP tool that Warden reads (all hints are untrusted, from the server). */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  openWorldHint?: boolean;
}

export interface GovernorOptions {
  /** The server's name as the operator knows it (`--name`): `mcp.NAME.TOOL`, connector NAME. */
  server: string;
  /** Seconds to wait for the operator on ALERT. */
  waitSeconds: number;
  /** A fixed cost estimate per call, reported again as the call's cost on completion. */
  costMicroUsd?: number;
}

export type Decision =
  | { forward: true; actionId: string }
  | { forward: false; message: string; approvalId?: string };

/** Tool-name characters Warden accepts in a name segment; anything else becomes `_` (as the Claude Code hook does). */
export function toolSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:/-]/g, '_') || '_';
}

/** `mcp.NAME.TOOL`: the Warden tool of an MCP server's tool. */
export function wardenToolName(server: string, tool: string): string {
  return `mcp.${toolSegment(server)}.${toolSegment(tool)}`;
}

/** Categories from an MCP tool's annotations: openWorldHint → external_comm, destructiveHint → destructive. */
export function categoriesOf(annotations: ToolAnnotations | undefined): string[] {
  const categories: string[] = [];
  if (annotations?.openWorldHint === true) categories.push('external_comm');
  if (annotations?.destructiveHint === true) categories.push('destructive');
  return categories;
}

/** The `POST /v1/actions` body for one MCP tool call. */
export function actionFor(opts: Pick<GovernorOptions, 'server' | 'costMicroUsd'>, tool: string, args: Record<string, unknown> | undefined, annotations: ToolAnnotations | undefined): ActionInput {
  const categories = categoriesOf(annotations);
  return {
    tool: wardenToolName(opts.server, tool),
    connector: opts.server,
    args: args ?? {},
    resource: { type: 'mcp_server', id: opts.server },
    ...(categories.length ? { categories } : {}),
    ...(opts.costMicroUsd !== undefined ? { cost_estimate_micro_usd: opts.costMicroUsd } : {}),
  };
}

function refusalFor(result: AskResult, tool: string, waitSeconds: number): string {
  const approval = result.approval?.id;
  switch (result.verdict) {
    case 'blocked':
      return `Warden blocked ${tool}: ${result.reason}`;
    case 'denied':
      return `Warden refused ${tool}: ${approval} was ${result.reason}.`;
    case 'expired':
      return `Warden refused ${tool}: ${approval ?? 'the approval'} expired before anyone answered.`;
    case 'pending':
      return `Warden refused ${tool}: no operator answered ${approval ?? 'the approval'} within ${waitSeconds} s${result.action.withdrawn_at ? ' (request withdrawn)' : ''}.`;
    case 'allowed':
      return `Warden allowed ${tool}.`;
  }
}

/** Warden's answer for one call: forward it only when the action is `allowed`. */
export function decisionOf(result: AskResult, tool: string, waitSeconds: number): Decision {
  if (result.verdict === 'allowed' && result.action.status === 'allowed') return { forward: true, actionId: result.action.id };
  return { forward: false, message: refusalFor(result, tool, waitSeconds), ...(result.approval ? { approvalId: result.approval.id } : {}) };
}

export interface DecideOptions {
  /** Aborted when the client cancels the call: nothing is forwarded and the approval stays open. */
  signal?: AbortSignal;
  /** Called once Warden's answer is ALERT, before the wait for an operator begins. */
  onWaiting?: () => void;
}

/** What the proxy and the gateway ask about each MCP tool call. */
export interface Governor {
  readonly options: GovernorOptions;
  /** Asks Warden about one tool call and waits for the operator on ALERT. Never throws. */
  decide(tool: string, args: Record<string, unknown> | undefined, annotations: ToolAnnotations | undefined, opts?: DecideOptions): Promise<Decision>;
  /** Reports the outcome of a forwarded call (frees its slot, records its cost); a problem as a sentence. Never throws. */
  complete(actionId: string, failed: boolean): Promise<string | undefined>;
  /** The tools tool access denies the agent outright (none when that cannot be told). Never throws. */
  deniedTools(tools: { name: string; annotations?: ToolAnnotations }[]): Promise<Set<string>>;
}

/** The sentence for a call given up while waiting for Warden. */
export function cancelledMessage(tool: string): string {
  return `The call to ${tool} was cancelled while waiting for Warden; nothing was run.`;
}

/** The sentence for a call Warden could not decide on (fail closed). */
export function undecidedMessage(tool: string, err: unknown): string {
  return `Warden could not decide on ${tool}, so it was not run: ${describe(err)}`;
}

/** The stdio proxy's governor: asks Warden over its HTTP API with the agent's key. */
export class McpGovernor implements Governor {
  constructor(
    private readonly client: WardenClient,
    readonly options: GovernorOptions,
  ) {}

  async decide(tool: string, args: Record<string, unknown> | undefined, annotations: ToolAnnotations | undefined, opts: DecideOptions = {}): Promise<Decision> {
    const action = actionFor(this.options, tool, args, annotations);
    const name = action.tool;
    try {
      const result = await this.client.ask(action, {
        waitSeconds: this.options.waitSeconds,
        signal: opts.signal,
        // A cancelled call leaves the approval in the Inbox; a wait that ran out withdraws it below.
        withdraw: false,
        ...(opts.onWaiting ? { onPending: opts.onWaiting } : {}),
      });
      if (result.verdict === 'pending' && !opts.signal?.aborted) {
        // Nobody is waiting any more: an operator must not allow what will never run.
        await this.client.call('withdrawAction', { params: { id: result.action.id } }, { timeoutMs: 2_000 }).catch(() => undefined);
      }
      return decisionOf(result, name, this.options.waitSeconds);
    } catch (err) {
      if (opts.signal?.aborted) return { forward: false, message: cancelledMessage(name) };
      return { forward: false, message: undecidedMessage(name, err) };
    }
  }

  async complete(actionId: string, failed: boolean): Promise<string | undefined> {
    try {
      await this.client.call('completeAction', {
        params: { id: actionId },
        body: { outcome: failed ? 'failed' : 'succeeded', ...(this.options.costMicroUsd !== undefined ? { cost_micro_usd: this.options.costMicroUsd } : {}) },
      });
      return undefined;
    } catch (err) {
      return `could not complete ${actionId}: ${describe(err)}`;
    }
  }

  /**
   * The tools the agent may never use: tool access (the decision core's own layer, over this
   * Warden's tool policies and role overrides and the agent's role) denies `mcp.NAME.TOOL`
   * outright. A handful of requests whatever the number of tools, so a listing never eats the
   * agent's request rate. When they fail nothing is hidden: every call is still asked about.
   */
  async deniedTools(tools: { name: string; annotations?: ToolAnnotations }[]): Promise<Set<string>> {
    const denied = new Set<string>();
    if (tools.length === 0) return denied;
    try {
      const [me, policies, overrides] = await Promise.all([
        this.client.call('me'),
        collect(this.client.paginate('listToolPolicies', { query: { limit: 500 } })),
        collect(this.client.paginate('listRoleOverrides', { query: { limit: 500 } })),
      ]);
      const agent = { id: me.id, name: me.name, role: me.object === 'agent' ? me.role : null, team_id: null, leader_agent_id: null, status: 'active' as const };
      for (const tool of tools) {
        const outcome = evaluateToolAccess(actionFor(this.options, tool.name, {}, tool.annotations), agent, policies, overrides);
        if (outcome.block_code === 'tool_denied') denied.add(tool.name);
      }
    } catch {
      /* unknown: listed, and still governed when called */
    }
    return denied;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** One sentence for a failure, whether it came over HTTP or from the service itself. */
export function describe(err: unknown): string {
  if (err instanceof HttpError) return `${err.message} (${err.code}).`;
  if (err instanceof WardenApiError) {
    if (err.unreachable) return `Warden is not reachable (${err.message}).`;
    return `${err.message} (${err.code}).`;
  }
  if ((err as Error).name === 'TimeoutError') return 'Warden did not answer in time.';
  return `${(err as Error).message ?? String(err)}.`;
}
