/**
 * Who owns a row an agent can name by id: one lookup per `RowOwner` of the route contract. A new
 * kind of agent-owned row adds its name to `ROW_OWNERS` and its one query here.
 */
import type { RowOwner } from '../../shared/api/contract.js';
import type { Db } from '../db/connection.js';
import { solutionOwners, submissionOwners } from '../gates/owners.js';

/** The agents a row belongs to; undefined when there is no such row. */
export type OwnerLookup = (id: string) => readonly string[] | undefined;

export interface RowLookups {
  owners: Record<RowOwner, OwnerLookup>;
  /** The agent's leader, null when it has none or does not exist. */
  leaderOf(agentId: string): string | null;
}

/** A lookup from a query whose one row lists the owning agents' ids (nulls are skipped). */
function ownersBy(db: Db, sql: string): OwnerLookup {
  const statement = db.prepare<[string], Record<string, string | null>>(sql);
  return (id) => {
    const row = statement.get(id);
    return row ? Object.values(row).filter((v): v is string => typeof v === 'string') : undefined;
  };
}

export function rowLookups(db: Db): RowLookups {
  const leader = db.prepare<[string], { leader_agent_id: string | null }>('SELECT leader_agent_id FROM agents WHERE id = ?');
  return {
    owners: {
      action: ownersBy(db, 'SELECT agent_id FROM actions WHERE id = ?'),
      receipt: ownersBy(db, 'SELECT agent_id FROM receipts WHERE id = ?'),
      // A delegation request belongs to the leader asked and to the agent that asked.
      approval: ownersBy(db, 'SELECT agent_id, child_agent_id FROM approvals WHERE id = ?'),
      workflow_run: ownersBy(db, 'SELECT agent_id FROM workflow_runs WHERE id = ?'),
      solution: solutionOwners(db),
      gate_submission: submissionOwners(db),
    },
    leaderOf: (agentId) => leader.get(agentId)?.leader_agent_id ?? null,
  };
}
