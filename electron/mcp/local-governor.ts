/**
 * The HTTP gateway's governor: the steps `McpGovernor` takes over Warden's HTTP API, taken in
 * Warden's own process, as the agent whose key opened the session. The same action service
 * calls the routes make (`POST /v1/actions`, the approval wait, `GET /v1/actions/{id}`,
 * withdraw, complete), so the same decisions, receipts, audit rows and refusals, without a
 * loopback request per step.
 */
import { EventEmitter } from 'node:events';
import type { Approval } from '../../shared/api/approvals.js';
import { askResultOf } from '../../shared/client.js';
import { evaluateToolAccess } from '../../shared/core/tool-access.js';
import { checkArgsSize } from '../actions/routes.js';
import type { ActionService } from '../actions/service.js';
import type { ActionRelease } from '../actions/withdraw.js';
import type { AgentService, KeyHolder } from '../agents/service.js';
import type { ApprovalService } from '../approvals/service.js';
import type { MissionService } from '../budgets/missions.js';
import { agentContext } from '../policies/service.js';
import type { PolicyStore } from '../ports.js';
import { actorOf } from '../server/principal.js';
import {
  actionFor,
  cancelledMessage,
  decisionOf,
  describe,
  undecidedMessage,
  type DecideOptions,
  type Decision,
  type Governor,
  type GovernorOptions,
  type ToolAnnotations,
} from './governance.js';

export interface LocalGovernorDeps {
  actions: ActionService;
  approvals: ApprovalService;
  release: ActionRelease;
  missions: MissionService;
  agents: AgentService;
  policies: PolicyStore;
  /** The largest `args` of an action (`POST /v1/actions` refuses larger ones with 413). */
  maxArgsBytes: number;
}

export class LocalGovernor implements Governor {
  private readonly actor: string;

  constructor(
    private readonly deps: LocalGovernorDeps,
    private readonly caller: KeyHolder,
    readonly options: GovernorOptions,
  ) {
    this.actor = actorOf({ kind: 'agent', ...caller });
  }

  async decide(tool: string, args: Record<string, unknown> | undefined, annotations: ToolAnnotations | undefined, opts: DecideOptions = {}): Promise<Decision> {
    const { actions, approvals, release, missions } = this.deps;
    const input = actionFor(this.options, tool, args, annotations);
    const name = input.tool;
    const agentId = this.caller.agentId;
    try {
      if (opts.signal?.aborted) return { forward: false, message: cancelledMessage(name) };
      checkArgsSize(input.args, this.deps.maxArgsBytes);
      const mission = missions.chargedMission(agentId, input.mission_id);
      let action = await actions.submit(agentId, mission === null ? input : { ...input, mission_id: mission }, this.actor, null);
      let approval: Approval | null = null;
      if (action.status === 'pending_approval') opts.onWaiting?.();
      if (action.approval_id) approval = approvals.get(action.approval_id);
      if (action.status === 'pending_approval' && action.approval_id && approval?.status === 'pending') {
        approval = await waitUnlessAborted(approvals, action.approval_id, this.options.waitSeconds, opts.signal);
        // A cancelled call leaves the approval in the Inbox.
        if (opts.signal?.aborted) return { forward: false, message: cancelledMessage(name) };
      }
      if (approval && approval.status !== 'pending') {
        // As `GET /v1/actions/{id}` with the agent's key: what lapsed is expired first, and an
        // allowed action is picked up by this very read.
        approvals.expireLapsed();
        action = actions.get(action.id);
        release.pickedUp(action);
      }
      const result = askResultOf(action, approval);
      if (result.verdict === 'pending') {
        // Nobody is waiting any more: an operator must not allow what will never run.
        try {
          release.withdraw(action.id, this.actor);
        } catch {
          /* decided meanwhile, or already gone: the refusal stands */
        }
      }
      return decisionOf(result, name, this.options.waitSeconds);
    } catch (err) {
      if (opts.signal?.aborted) return { forward: false, message: cancelledMessage(name) };
      return { forward: false, message: undecidedMessage(name, err) };
    }
  }

  complete(actionId: string, failed: boolean): Promise<string | undefined> {
    try {
      this.deps.actions.complete(
        actionId,
        { outcome: failed ? 'failed' : 'succeeded', ...(this.options.costMicroUsd !== undefined ? { cost_micro_usd: this.options.costMicroUsd } : {}) },
        this.actor,
      );
      return Promise.resolve(undefined);
    } catch (err) {
      return Promise.resolve(`could not complete ${actionId}: ${describe(err)}`);
    }
  }

  deniedTools(tools: { name: string; annotations?: ToolAnnotations }[]): Promise<Set<string>> {
    const denied = new Set<string>();
    try {
      if (tools.length === 0) return Promise.resolve(denied);
      const agent = { ...agentContext(this.deps.agents.get(this.caller.agentId)), status: 'active' as const };
      const policies = this.deps.policies.toolPolicies();
      const overrides = this.deps.policies.roleOverrides();
      for (const tool of tools) {
        const outcome = evaluateToolAccess(actionFor(this.options, tool.name, {}, tool.annotations), agent, policies, overrides);
        if (outcome.block_code === 'tool_denied') denied.add(tool.name);
      }
    } catch {
      /* unknown: listed, and still governed when called */
      denied.clear();
    }
    return Promise.resolve(denied);
  }
}

/** Waits for the approval to be decided, at most `seconds`; an aborted signal ends the wait at once. */
async function waitUnlessAborted(approvals: ApprovalService, id: string, seconds: number, signal: AbortSignal | undefined): Promise<Approval> {
  if (!signal) return approvals.waitFor(id, seconds);
  // The wait is tied to this stand-in for a response: "closed" (the call was cancelled) frees it.
  const caller = Object.assign(new EventEmitter(), { writableEnded: false });
  const onAbort = () => caller.emit('close');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await approvals.waitFor(id, seconds, caller);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
