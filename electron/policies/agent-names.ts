/**
 * Agents named in guardrail rules. A rule may say `agent: "refund-bot"`; it is stored as the
 * agent's id (so a rename keeps it valid, and evaluation compares ids only) and read back with
 * both the id and the agent's current name.
 */
import { distance } from 'fastest-levenshtein';
import type { Db } from '../db/connection.js';

/** How many close matches an unknown name's error lists. */
const SUGGESTIONS = 3;

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

  /**
   * Up to three agent names closest to `name`: names that contain it or that it contains first,
   * then by edit distance, keeping only those a typo away (at most half the name's length).
   */
  closeMatches(name: string): string[] {
    const wanted = name.toLowerCase();
    const limit = Math.max(2, Math.floor(wanted.length / 2));
    return this.allNames
      .all()
      .map((candidate) => {
        const lower = candidate.toLowerCase();
        const related = lower.includes(wanted) || wanted.includes(lower);
        return { candidate, score: related ? 0 : distance(wanted, lower) };
      })
      .filter((m) => m.score <= limit)
      .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
      .slice(0, SUGGESTIONS)
      .map((m) => m.candidate);
  }
}
