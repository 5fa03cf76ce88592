import type { AgentContext } from '../../shared/core/types.js';
import type { AgentService } from '../agents/service.js';
import type { GroupCommit } from '../db/group-commit.js';
import type { Api } from '../server/api.js';
import { notFound } from '../server/errors.js';
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
  api.handle('setBudget', ({ body, actor }) => {
    budgets.settings.requireKnownTarget(body);
    return budgets.settings.set(body, actor);
  });
  api.handle('pauseBudget', ({ params, body, actor }) => budgets.settings.pause(params.scope, params.scope_id, body?.reason, actor));
  api.handle('resumeBudget', ({ params, body, actor }) => budgets.settings.resume(params.scope, params.scope_id, body?.grace_usd_cents, actor, body?.grace_for));
  api.handle('deleteBudget', ({ params, actor }) => budgets.settings.remove(params.scope, params.scope_id, actor));

  api.handle('recordSpend', ({ body, actor }) => {
    // An agent key's own id is filled in by the row authorizer.
    const agent: AgentContext | null = body.agent_id !== undefined ? agents.get(body.agent_id) : null;
    let missionId = body.mission_id ?? null;
    if (agent) {
      // Only a member charges a registered mission; a member of exactly one is charged to it.
      missionId = spendGuards.missions.chargedMission(agent.id, missionId);
      // The spend of an action is its own agent's, whoever records it: another agent's action is not found.
      if (body.action_id !== undefined && spendGuards.actions.get(body.action_id).agent_id !== agent.id) {
        throw notFound('action', body.action_id);
      }
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
  api.handle('listSpend', ({ query }) => budgets.spend.list(query));
  api.handle('spendReport', ({ query }) => budgets.reports.report(query));

  api.handle('getKillSwitch', () => budgets.killSwitchControl.get());
  api.handle('setKillSwitch', ({ body, actor }) => budgets.killSwitchControl.set(body.engaged, body.reason, actor));
  api.handle('engageKillSwitch', ({ body, actor }) => budgets.killSwitchControl.set(true, body.reason, actor));
  api.handle('releaseKillSwitch', ({ actor }) => budgets.killSwitchControl.set(false, undefined, actor));
}
