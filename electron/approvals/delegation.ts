/**
 * Delegation approvals: a child agent's delegation is routed to its leader's
 * queue. A live grant for (leader, `delegate:KIND`) answers `allow_always` at once; otherwise the
 * request waits up to `wait_s` for the resolution and answers `timeout` (with the approval id,
 * so the caller can wait again) when none came.
 *
 * INVARIANT: a delegation is an action too. The kill-switch layer (global switch, a disabled
 * agent, a paused budget of the caller's scopes) is checked before a grant or a human is asked
 * and again when the answer lands; a BLOCK there answers `deny` with the reason.
 */
import type { z } from 'zod';
import type { DelegationBody, DelegationResult } from '../../shared/api/approvals.js';
import { findGrant, killSwitchGate } from '../../shared/core/index.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { Agent } from '../../shared/api/agents.js';
import { agentContext, type AgentService } from '../agents/service.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { BudgetLedger, PolicyStore } from '../ports.js';
import { notFound } from '../server/errors.js';
import type { Principal } from '../server/principal.js';
import type { GrantService } from './grants.js';
import type { ApprovalService } from './service.js';

export interface DelegationDeps {
  approvals: ApprovalService;
  grants: GrantService;
  agents: AgentService;
  policies: PolicyStore;
  budgets: Pick<BudgetLedger, 'killSwitch' | 'applicableBudgets'>;
  audit: AuditService;
  clock: Clock;
}

type Result = z.output<typeof DelegationResult>;

/** Why the kill-switch layer stops this delegation now, or null. Errors block (fail closed). */
function blockedBecause(deps: DelegationDeps, leader: Agent, caller: Agent | null): string | null {
  try {
    if (leader.status !== 'active') return `the leader ${leader.name} is disabled`;
    const agent = agentContext(caller ?? leader);
    const gate = killSwitchGate({}, { kill_switch: deps.budgets.killSwitch(), agent, budgets: deps.budgets.applicableBudgets(agent, null) });
    return gate.verdict === 'BLOCK' ? gate.detail : null;
  } catch (err) {
    return `the kill-switches could not be checked (fail closed): ${err instanceof Error ? err.message : String(err)}`;
  }
}

export async function requestDelegation(
  deps: DelegationDeps,
  body: z.output<typeof DelegationBody>,
  principal: Principal | null,
  actor: string,
  res?: NodeJS.EventEmitter & { writableEnded: boolean },
): Promise<Result> {
  const leader = deps.agents.find(body.leader_agent_id);
  if (!leader) throw notFound('agent', body.leader_agent_id);
  // The row authorizer let an agent key name only itself or its own leader: a grant for
  // (leader, delegate:KIND) covers that leader's crew, not any agent that names it.
  const child = principal?.kind === 'agent' ? deps.agents.find(principal.agentId) ?? null : null;
  const args: Record<string, unknown> = {};
  if (body.target_agent_name !== undefined) args.target_agent_name = body.target_agent_name;
  if (body.task !== undefined) args.task = body.task;
  if (body.task_id !== undefined) args.task_id = body.task_id;
  const action: ActionInput = { tool: `delegate:${body.kind}`, args };
  const audited = { leader_agent_id: leader.id, child_agent_id: child?.id ?? null, kind: body.kind, args };

  const deny = (reason: string, approvalId: string | null): Result => {
    deps.audit.append({ event_type: 'delegation.blocked', actor, agent_id: leader.id, subject_id: approvalId, data: { ...audited, approval_id: approvalId, reason } });
    return { object: 'delegation_approval', resolution: 'deny', approval_id: approvalId, grant_id: null, reason };
  };
  const before = blockedBecause(deps, leader, child);
  if (before) return deny(before, null);

  const now = deps.clock.now();
  const grant = findGrant(deps.grants.liveGrants(leader.id, now), leader.id, action, now);
  if (grant) {
    deps.audit.append({
      event_type: 'delegation.allowed',
      actor,
      agent_id: leader.id,
      subject_id: grant.id,
      data: { ...audited, grant_id: grant.id },
    });
    return { object: 'delegation_approval', resolution: 'allow_always', approval_id: null, grant_id: grant.id, reason: null };
  }

  const settings = deps.policies.governanceSettings();
  const who = child ? child.name : 'the operator';
  const explanation =
    `${who} asks ${leader.name} to approve delegating ${body.kind}` +
    `${body.target_agent_name ? ` to ${body.target_agent_name}` : ''}${body.task ? `: ${body.task}` : ''}`;
  const row = deps.approvals.open({
    kind: 'delegation',
    agent_id: leader.id,
    child_agent_id: child?.id ?? null,
    action_id: null,
    receipt_id: null,
    action,
    explanation: explanation.slice(0, 1000),
    grantable: true,
    required_approvals: settings.approval_threshold,
    ttl_seconds: settings.approval_ttl_seconds,
    started_by: principal?.kind === 'operator' ? principal.operatorId : null,
    actor,
  });
  const approval = await deps.approvals.waitFor(row.id, body.wait_s, res);
  if (approval.status === 'approved') {
    // The world may have changed while the leader's operator decided.
    const after = blockedBecause(deps, deps.agents.find(leader.id) ?? leader, child ? deps.agents.find(child.id) ?? child : null);
    if (after) return deny(`approved, but blocked at release: ${after}`, approval.id);
  }
  const denial = approval.decisions.find((d) => d.decision === 'deny');
  return {
    object: 'delegation_approval',
    resolution: approval.status === 'pending' ? 'timeout' : (approval.resolution ?? 'timeout'),
    approval_id: approval.id,
    grant_id: approval.grant_id,
    reason: denial?.comment ?? null,
  };
}
