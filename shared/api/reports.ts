/** The governance and approval reports. */
import { z } from 'zod';
import { defineRoute } from './contract.js';

export const ReportPeriod = z.enum(['last_7_days', 'last_30_days', 'all']);

export const GovernanceReport = z.object({
  object: z.literal('governance_report'),
  period: ReportPeriod,
  /** Actions evaluated in the period. */
  total_executions: z.number().int(),
  /** Of those, the ones that needed an approval. */
  gated_executions: z.number().int(),
  /** Of those, the ones decided BLOCK (by a rule, a kill-switch, a quota or a failure). */
  blocked_executions: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  expired: z.number().int(),
  pending: z.number().int(),
  /** approved / (approved + rejected + expired); null when none resolved. */
  approval_rate: z.number().nullable(),
  /** Mean time from request to approval, in minutes; null when none approved. */
  avg_approval_time_minutes: z.number().nullable(),
  top_approvers: z.array(z.object({ operator_id: z.string(), name: z.string().nullable(), approvals: z.number().int() })),
});

const ApprovalCounts = {
  total: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  expired: z.number().int(),
  pending: z.number().int(),
};

export const ApprovalsReport = z.object({
  object: z.literal('approvals_report'),
  period: ReportPeriod,
  by_tool: z.array(z.object({ tool: z.string(), ...ApprovalCounts })),
  by_agent: z.array(z.object({ agent_id: z.string(), name: z.string().nullable(), ...ApprovalCounts })),
  by_category: z.record(z.string(), z.object(ApprovalCounts)),
  /** Approvals a workflow run asked for (human steps, its actions' ALERTs, its start), by workflow. */
  by_workflow: z.array(z.object({ workflow: z.string(), total: z.number().int(), approved: z.number().int(), rejected: z.number().int() })),
});

export const reportRoutes = {
  governanceReport: defineRoute({
    method: 'GET', path: '/v1/reports/governance', auth: 'operator', tag: 'reports',
    summary: 'Executions, gated executions, approval rate, time to approve, top approvers.',
    query: z.strictObject({ period: ReportPeriod.default('last_30_days') }),
    response: GovernanceReport,
  }),
  approvalsReport: defineRoute({
    method: 'GET', path: '/v1/reports/approvals', auth: 'operator', tag: 'reports',
    summary: 'Approval requests by tool, by agent and by category.',
    query: z.strictObject({ period: ReportPeriod.default('last_30_days') }),
    response: ApprovalsReport,
  }),
};
