/** The review gates' routes: policies, solutions, submissions, enforcement, resource types, metrics. */
import type { Api } from '../server/api.js';
import { requireOperator } from '../server/principal.js';
import type { GateService } from './service.js';

export function gateRoutes(api: Api, gates: GateService): void {
  api.handle('listGatePolicies', ({ query }) => gates.policies.list(query));
  api.handle('createGatePolicy', ({ body, actor }) => gates.policies.create(body, actor));
  api.handle('getGatePolicy', ({ params }) => gates.policies.get(params.id));
  api.handle('updateGatePolicy', ({ params, body, actor }) => gates.policies.update(params.id, body, actor));
  api.handle('deleteGatePolicy', ({ params, actor, reply }) => {
    gates.policies.delete(params.id, actor);
    reply.code(204).send();
    return undefined;
  });

  api.handle('listSolutions', ({ query }) => gates.solutions.list(query));
  api.handle('createSolution', ({ body, principal, actor }) => gates.solutions.create(body, principal, actor));
  api.handle('getSolution', ({ params }) => gates.solutions.get(params.id));
  api.handle('updateSolution', ({ params, body, principal, actor }) => gates.solutions.update(params.id, body, principal, actor));
  api.handle('deleteSolution', ({ params, actor, reply }) => {
    gates.solutions.delete(params.id, actor);
    reply.code(204).send();
    return undefined;
  });
  api.handle('getRequirements', ({ params }) => gates.solutions.requirements(params.id));
  api.handle('recomputeSolution', ({ params, actor }) => gates.solutions.recompute(params.id, actor));
  api.handle('submitGate', ({ params, body, actor }) => gates.submissions.submit(params.id, params.gate_id, body, actor));

  api.handle('listGateSubmissions', ({ query }) => gates.submissions.list(query));
  api.handle('pendingReviews', ({ principal, query }) => gates.submissions.pendingFor(requireOperator(principal).operatorId, query));
  api.handle('getGateSubmission', ({ params }) => gates.submissions.get(params.id));
  api.handle('decideGateSubmission', ({ params, body, principal, actor }) =>
    gates.submissions.decide(params.id, requireOperator(principal).operatorId, body, actor),
  );
  api.handle('waiveGateSubmission', ({ params, body, actor }) => gates.submissions.waive(params.id, body.reason, actor));

  api.handle('enforcementCheck', ({ query }) => gates.check(query.resource_type, query.resource_id));
  api.handle('listResourceTypes', () => gates.resourceTypes());
  api.handle('gateMetrics', () => gates.metrics());
}
