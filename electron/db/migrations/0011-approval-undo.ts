import type { Migration } from '../migrate.js';

/**
 * Approvals remember an undo: `z` in the Inbox (POST /v1/approvals/{id}/undo) within 10 s of an
 * allow revokes its grant and withdraws an action its agent has not picked up yet. The history
 * shows the undo beside the decision it undid.
 */
export const approvalUndo: Migration = {
  version: 11,
  name: 'approval-undo',
  up: `
    ALTER TABLE approvals ADD COLUMN undone_at TEXT;
    ALTER TABLE approvals ADD COLUMN undone_by TEXT;
  `,
};
