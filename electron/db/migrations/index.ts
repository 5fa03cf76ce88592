/** Every migration in order. Append only: a shipped migration never changes. */
import type { Migration } from '../migrate.js';
import { foundation } from './0001-foundation.js';
import { policies } from './0002-policies.js';
import { budgets } from './0003-budgets.js';
import { actions } from './0004-actions.js';
import { actionIndexes } from './0005-action-indexes.js';
import { grantValueScope } from './0006-grant-value-scope.js';
import { agentContactWithdraw } from './0007-agent-contact-withdraw.js';
import { policyVersionNotes } from './0008-policy-version-notes.js';
import { operatorRevocation } from './0009-operator-revocation.js';
import { missions } from './0010-missions.js';
import { approvalUndo } from './0011-approval-undo.js';
import { mcpServers } from './0012-mcp-servers.js';
import { operatorRoles } from './0013-operator-roles.js';
import { workflows } from './0014-workflows.js';
import { workflowRuns } from './0015-workflow-runs.js';
import { gates } from './0016-gates.js';
import { desk } from './0017-desk.js';

export const MIGRATIONS: readonly Migration[] = [
  foundation,
  policies,
  budgets,
  actions,
  actionIndexes,
  grantValueScope,
  agentContactWithdraw,
  policyVersionNotes,
  operatorRevocation,
  missions,
  approvalUndo,
  mcpServers,
  operatorRoles,
  workflows,
  workflowRuns,
  gates,
  desk,
];
