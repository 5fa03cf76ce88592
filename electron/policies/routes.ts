import { GuardrailRules } from '../../shared/api/policies.js';
import type { Api } from '../server/api.js';
import type { AgentService } from '../agents/service.js';
import { agentContext, type PolicyService } from './service.js';
import { STARTER_POLICY } from './starter.js';

export function policyRoutes(api: Api, policies: PolicyService, agents: AgentService): void {
  const { guardrails, tools, settings } = policies;
  api.handle('listGuardrails', ({ query }) => guardrails.list(query));
  api.handle('createGuardrail', ({ body, actor }) => guardrails.create(body, actor));
  // Checked like any request's rules: a starter rule the expression language cannot read must
  // fail here, not be stored to block every action it could match.
  api.handle('createStarterGuardrail', ({ actor }) =>
    guardrails.create({ ...STARTER_POLICY, rules: GuardrailRules.parse(STARTER_POLICY.rules), note: 'the starter policy for coding agents' }, actor),
  );
  api.handle('getGuardrail', ({ params, query }) => guardrails.get(params.id, query.version));
  api.handle('listGuardrailVersions', ({ params, query }) => guardrails.versions(params.id, query));
  api.handle('updateGuardrail', ({ params, body, actor }) => guardrails.update(params.id, body, actor));
  api.handle('deleteGuardrail', ({ params, actor }) => guardrails.delete(params.id, actor));
  api.handle('evaluateGuardrails', ({ body }) =>
    policies.dryRun({ ...body, agent: body.agent_id !== undefined ? agentContext(agents.get(body.agent_id)) : null }),
  );

  api.handle('listTools', ({ query }) => tools.listTools(query));
  api.handle('createTool', ({ body, actor }) => tools.declare(body, actor));
  api.handle('listToolPolicies', ({ query }) => tools.listToolPolicies(query));
  api.handle('createToolPolicy', ({ body, actor }) => tools.createToolPolicy(body, actor));
  api.handle('getToolPolicy', ({ params }) => tools.getToolPolicy(params.id));
  api.handle('updateToolPolicy', ({ params, body, actor }) => tools.updateToolPolicy(params.id, body, actor));
  api.handle('deleteToolPolicy', ({ params, actor }) => tools.deleteToolPolicy(params.id, actor));
  api.handle('listRoleOverrides', ({ query }) => tools.listOverrides(query));
  api.handle('createRoleOverride', ({ body, actor }) => tools.createOverride(body, actor));
  api.handle('deleteRoleOverride', ({ params, actor }) => tools.deleteOverride(params.id, actor));

  api.handle('getGovernanceSettings', () => settings.getObject());
  api.handle('updateGovernanceSettings', ({ body, actor }) => settings.update(body, actor));
  api.handle('getQuota', ({ query }) => settings.quota(query.agent_id));
  api.handle('updateQuota', ({ body, actor }) => settings.updateQuota(body, actor));
}
