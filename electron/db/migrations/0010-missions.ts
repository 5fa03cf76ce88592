import type { Migration } from '../migrate.js';

/**
 * Missions with member agents: only members may charge a mission, and a member of exactly one
 * active mission is charged to it when it names none. Mission ids not registered here keep the
 * old behaviour (any agent may name them).
 */
export const missions: Migration = {
  version: 10,
  name: 'missions',
  up: `
    CREATE TABLE missions (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE mission_members (
      mission_id TEXT NOT NULL REFERENCES missions(id),
      agent_id TEXT NOT NULL REFERENCES agents(id),
      PRIMARY KEY (mission_id, agent_id)
    );
    CREATE INDEX mission_members_by_agent ON mission_members (agent_id, mission_id);
  `,
};
