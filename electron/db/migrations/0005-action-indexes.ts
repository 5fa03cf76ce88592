import type { Migration } from '../migrate.js';

/**
 * Indexes that a commit writes fewer pages for.
 *
 * A commit writes every page it dirtied to the WAL, and an index keyed by agent first takes its
 * new entries on as many pages as there are agents in the batch. The quota counters now live in
 * memory (QuotaCounters), read from the file once at startup, so:
 *  - `actions_runs` (agent, created_at) goes: the startup read of the rolling hour uses
 *    `actions_created`;
 *  - `actions_open` is keyed by the time a slot was taken instead: new entries land on the
 *    rightmost page.
 * Measured on a batch of 10 actions from 64 agents: 7.9 → 5.7 WAL frames per action.
 */
export const actionIndexes: Migration = {
  version: 5,
  name: 'action-indexes',
  up: `
    DROP INDEX actions_runs;
    DROP INDEX actions_open;
    CREATE INDEX actions_open ON actions(updated_at) WHERE holds_slot = 1;
  `,
};
