import type { AgentContext } from '../../shared/core/types.js';
import type { AgentService } from '../agents/service.js';
import type { GroupCommit } from '../db/group-commit.js';
import type { Api } from '../server/api.js';
import { HttpError } from '../server/errors.js';
import type { ActionService } from '../actions/service.js';
import type { MissionService } from './missions.js';
import type { Budgets } from './ledger.js';

/** `commits` batches concurrent spend into shared commits (see GroupCommit). */
export function budgetRoutes(
  api: Api,
  budgets: Budgets,
  agents: AgentService,
  commits: GroupCommit,
  spendGuards: { missions: MissionService; actions: ActionService },
): void {
  api.handle('listBudgets', ({ query }) => budgets.settings.list(query));
  api.handle('getBudget', ({ params }) => budgets.settings.get(params.scope, params.scope_id));
  api.handle('listBudgetPeriods', ({ params, query }) => budgets.settings.periods(params.scope, params.scope_id, query));
  api.handle('setBudget', ({ body, actor }) => budgets.settings.set(body, actor));
  api.handle('pauseBudget', ({ params, body, actor }) => budgets.settings.pause(params.scope, params.scope_id, body?.reason, actor));
  api.handle('resumeBudget', ({ params, body, actor }) => budgets.settings.resume(params.scope, params.scope_id, body?.grace_usd_cents, actor));
  api.handle('deleteBudget', ({ params, actor }) => budgets.settings.remove(params.scope, params.scope_id, actor));

  api.handle('recordSpend', ({ body, principal, actor }) => {
    let agent: AgentContext | null = null;
    if (principal?.kind === 'agent') {
      // An agent key always spends as itself.
      if (body.agent_id !== undefined && body.agent_id !== principal.agentId) {
        throw new HttpError(403, 'insufficient_scope', 'an agent key records spend only for its own agent', 'agent_id');
      }
      agent = agents.get(principal.agentId);
    } else if (body.agent_id !== undefined) {
      agent = agents.get(body.agent_id);
    }
    let missionId = body.mission_id ?? null;
    if (agent) {
      // Only a member charges a registered mission; a member of exactly one is charged to it.
      missionId = spendGuards.missions.chargedMission(agent.id, missionId);
      // The spend of an action is its own agent's: another agent's action is not found.
      if (body.action_id !== undefined) spendGuards.actions.get(body.action_id, { agentId: agent.id });
    }
    const input = {
      agent,
      mission_id: missionId,
      action_id: body.action_id ?? null,
      note: body.note ?? null,
      ...(body.amount_micro_usd !== undefined ? { amount_micro_usd: body.amount_micro_usd } : {}),
      ...(body.usage !== undefined ? { usage: body.usage } : {}),
    };
    return commits.run(() => budgets.spend.record(input, actor));
  });
  api.handle('listSpend', ({ query, principal }) =>
    budgets.spend.list(principal?.kind === 'agent' ? { ...query, agent_id: principal.agentId } : query),
  );
  api.handle('spendReport', ({ query }) => budgets.reports.report(query));

  api.handle('getKillSwitch', () => budgets.killSwitchControl.get());
  api.handle('setKillSwitch', ({ body, actor }) => budgets.killSwitchControl.set(body.engaged, body.reason, actor));
}
