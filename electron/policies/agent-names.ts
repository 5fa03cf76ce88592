/**
 * Agents named in guardrail rules. A rule may say `agent: "refund-bot"`; it is stored as the
 * agent's id (so a rename keeps it valid, and evaluation compares ids only) and read back with
 * both the id and the agent's current name.
 */
import { closeMatches } from '../common/close-matches.js';
import type { Db } from '../db/connection.js';

export class AgentNames {
  private readonly byName;
  private readonly byId;
  private readonly allNames;

  constructor(db: Db) {
    this.byName = db.prepare<[string], string>('SELECT id FROM agents WHERE name = ?').pluck();
    this.byId = db.prepare<[string], string>('SELECT name FROM agents WHERE id = ?').pluck();
    this.allNames = db.prepare<[], string>('SELECT name FROM agents').pluck();
  }

  idOf(name: string): string | undefined {
    return this.byName.get(name);
  }

  nameOf(id: string): string | undefined {
    return this.byId.get(id);
  }

  /** Up to three agent names closest to `name` (see `closeMatches`). */
  closeMatches(name: string): string[] {
    return closeMatches(name, this.allNames.all());
  }
}
