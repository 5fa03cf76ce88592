/** A pending approval as the API returns it, with the fields a test changes. */
import type { Approval } from '../../../shared/api/approvals.js';

export function approval(over: Partial<Approval> & { action?: Partial<Approval['action']> } = {}): Approval {
  const { action, ...rest } = over;
  return {
    id: 'apr_1', object: 'approval', kind: 'action', status: 'pending', agent_id: 'agt_1', agent_name: 'crew-03', child_agent_id: null,
    action: { tool: 'shell.exec', ...action }, action_id: 'act_1', receipt_id: 'rcp_1', explanation: 'asks', categories: [], grantable: true,
    required_approvals: 1, decisions: [], eligible_operators: [], created_at: '2026-12-05T10:00:00.000Z', expires_at: '2026-12-05T10:05:00.000Z',
    resolved_at: null, resolution: null, grant_id: null, blocked_at_release: null, undone_at: null, undone_by: null, withdrawn_at: null, agent_waiting_until: null,
    ...rest,
  } as Approval;
}
