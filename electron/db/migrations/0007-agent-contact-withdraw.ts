import type { Migration } from '../migrate.js';

/**
 * An agent's last contact (`agents.last_seen_at`, written at most every few seconds), and the
 * columns of a withdrawn request and of an allowed action's pick-up: `withdrawn_at` on the action
 * and its approval (the agent stopped waiting), `picked_up_at` on an action an approval allowed
 * (the agent read its allowed status; until then the pick-up window may release its slot).
 */
export const agentContactWithdraw: Migration = {
  version: 7,
  name: 'agent-contact-withdraw',
  up: `
    ALTER TABLE agents ADD COLUMN last_seen_at TEXT;
    ALTER TABLE actions ADD COLUMN withdrawn_at TEXT;
    ALTER TABLE actions ADD COLUMN picked_up_at TEXT;
    ALTER TABLE approvals ADD COLUMN withdrawn_at TEXT;
  `,
};
