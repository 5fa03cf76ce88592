/**
 * Delegation approvals (reference 003): a child agent's delegation is routed to its leader's
 * queue. A live grant for (leader, `delegate:KIND`) answers `allow_always` at once; otherwise the
 * request waits up to `wait_s` for the resolution and answers `timeout` (with the approval id,
 * so the caller can wait again) when none came.
 */
import type { z } from 'zod';
import type { DelegationBody, DelegationResult } from '../../shared/api/actions.js';
import { findGrant } from '../../shared/core/index.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { AgentService } from '../agents/service.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../common/clock.js';
import type { PolicyStore } from '../ports.js';
import { notFound } from '../server/errors.js';
import type { Principal } from '../server/principal.js';
import type { GrantService } from './grants.js';
import type { ApprovalService } from './service.js';

export interface DelegationDeps {
  approvals: ApprovalService;
  grants: GrantService;
  agents: AgentService;
  policies: PolicyStore;
  audit: AuditService;
  clock: Clock;
}

export async function requestDelegation(
  deps: DelegationDeps,
  body: z.output<typeof DelegationBody>,
  principal: Principal | null,
  actor: string,
  res?: NodeJS.EventEmitter & { writableEnded: boolean },
): Promise<z.output<typeof DelegationResult>> {
  const leader = deps.agents.find(body.leader_agent_id);
  if (!leader) throw notFound('agent', body.leader_agent_id);
  const child = principal?.kind === 'agent' ? deps.agents.find(principal.agentId) ?? null : null;
  const args: Record<string, unknown> = {};
  if (body.target_agent_name !== undefined) args.target_agent_name = body.target_agent_name;
  if (body.task !== undefined) args.task = body.task;
  if (body.task_id !== undefined) args.task_id = body.task_id;
  const action: ActionInput = { tool: `delegate:${body.kind}`, args };

  const now = deps.clock.now();
  const grant = findGrant(deps.grants.liveGrants(leader.id, now), leader.id, action, now);
  if (grant) {
    deps.audit.append({
      event_type: 'delegation.allowed',
      actor,
      agent_id: leader.id,
      subject_id: grant.id,
      data: { leader_agent_id: leader.id, child_agent_id: child?.id ?? null, kind: body.kind, grant_id: grant.id, args },
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
  deps.approvals.announce(row);
  const approval = await deps.approvals.waitFor(row.id, body.wait_s, {}, res);
  const denial = approval.decisions.find((d) => d.decision === 'deny');
  return {
    object: 'delegation_approval',
    resolution: approval.status === 'pending' ? 'timeout' : (approval.resolution ?? 'timeout'),
    approval_id: approval.id,
    grant_id: approval.grant_id,
    reason: denial?.comment ?? null,
  };
}
