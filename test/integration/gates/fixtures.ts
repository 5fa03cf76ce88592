/** Gate policies the gates tests build on. */
import type { RouteInput } from '../../../shared/api/contract.js';
import type { Routes } from '../../../shared/api/index.js';

export type PolicyBody = RouteInput<Routes['createGatePolicy']>['body'];

/** Two stages over MCP servers: Security review (one approval), then Legal sign-off (a checklist). */
export function securityPolicy(extra: Partial<PolicyBody> = {}): PolicyBody {
  return {
    name: 'MCP security',
    description: 'New MCP servers need a security review',
    category: 'security',
    severity: 'high',
    applicable_resource_types: ['mcp_server'],
    stages: [
      { id: 'security', name: 'Security review', gates: [{ id: 'sec', type: 'approval' }] },
      {
        id: 'legal',
        name: 'Legal sign-off',
        gates: [{ id: 'legal-check', type: 'checklist', questions: [{ id: 'dpa', text: 'Is a DPA in place?', required: true }, { id: 'notes', text: 'Anything else?', required: false }] }],
      },
    ],
    ...extra,
  };
}

/** One stage, one approval gate over `types`. */
export function onePolicy(types: PolicyBody['applicable_resource_types'], extra: Partial<PolicyBody> = {}): PolicyBody {
  return {
    name: 'one review',
    category: 'ops',
    severity: 'medium',
    applicable_resource_types: types,
    stages: [{ id: 'review', name: 'Review', gates: [{ id: 'ok', type: 'approval' }] }],
    ...extra,
  };
}
