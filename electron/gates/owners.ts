/**
 * Who owns a solution or a gate submission, for the row authorizer: the solution's agent.
 * Statements are prepared on first use.
 */
import type { Db } from '../db/connection.js';
import type { OwnerLookup } from '../server/row-owners.js';

function lazyOwners(db: Db, sql: string): OwnerLookup {
  let statement: { get(id: string): { agent_id: string | null } | undefined } | undefined;
  return (id) => {
    statement ??= db.prepare<[string], { agent_id: string | null }>(sql);
    const row = statement.get(id);
    if (!row) return undefined;
    return row.agent_id ? [row.agent_id] : [];
  };
}

export const solutionOwners = (db: Db): OwnerLookup => lazyOwners(db, 'SELECT agent_id FROM solutions WHERE id = ?');

export const submissionOwners = (db: Db): OwnerLookup =>
  lazyOwners(db, 'SELECT s.agent_id FROM gate_submissions g JOIN solutions s ON s.id = g.solution_id WHERE g.id = ?');
