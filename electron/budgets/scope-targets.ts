/**
 * What a team or mission budget may be set on: a team some agent is in, a mission that is
 * registered. A budget for an id nothing has would never apply to any action (a `Growth` budget
 * over agents of team `growth`), so it is refused with the close matches.
 */
import { closeMatches } from '../common/close-matches.js';
import type { Db } from '../db/connection.js';
import { unprocessable } from '../server/errors.js';
import type { Scope } from './budget-store.js';

export class ScopeTargets {
  private readonly teams;
  private readonly missions;

  constructor(db: Db) {
    this.teams = db.prepare<[], string>('SELECT DISTINCT team_id FROM agents WHERE team_id IS NOT NULL').pluck();
    this.missions = db.prepare<[], string>('SELECT id FROM missions').pluck();
  }

  /** Throws 422 naming `param` when `scopeId` is a team no agent is in or a mission not registered. */
  requireKnown(scope: Scope, scopeId: string, param = 'scope_id'): void {
    if (scope !== 'team' && scope !== 'mission') return;
    const known = scope === 'team' ? this.teams.all() : this.missions.all();
    if (known.includes(scopeId)) return;
    const close = closeMatches(scopeId, known);
    const where = scope === 'team' ? 'no agent is in team' : 'no mission has the id';
    const hint = close.length
      ? `; close matches: ${close.join(', ')}`
      : scope === 'team'
        ? '; set team_id on an agent first (GET /v1/agents lists them)'
        : '; register it first with POST /v1/missions';
    throw unprocessable(`${param}: ${where} ${JSON.stringify(scopeId)}${hint}`, param);
  }
}
