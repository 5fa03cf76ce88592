/**
 * Missions and their members, and the rule every action and spend goes through: which mission
 * (if any) it is charged to. A registered mission can be named only by its members (403 for
 * anyone else); a member of exactly one active mission that names none is charged to it. Mission
 * ids never registered keep the old behaviour: any agent may name them.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { Mission } from '../../shared/api/missions.js';
import type { AgentService } from '../agents/service.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, type Db } from '../db/connection.js';
import { HttpError, conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';

interface MissionRow {
  id: string;
  name: string;
  status: 'active' | 'closed';
  created_at: string;
  updated_at: string;
}

export class MissionService {
  private readonly s;

  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly agents: AgentService;

  constructor({ db, audit, clock, agents }: { db: Db; audit: AuditService; clock: Clock; agents: AgentService }) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.agents = agents;
    this.s = {
      byId: db.prepare<[string], MissionRow>('SELECT * FROM missions WHERE id = ?'),
      members: db.prepare<[string], { agent_id: string }>('SELECT agent_id FROM mission_members WHERE mission_id = ? ORDER BY agent_id'),
      isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM mission_members WHERE mission_id = ? AND agent_id = ?'),
      activeOf: db.prepare<[string], { id: string }>(
        `SELECT m.id FROM mission_members mm JOIN missions m ON m.id = mm.mission_id
         WHERE mm.agent_id = ? AND m.status = 'active' LIMIT 2`,
      ),
      addMember: db.prepare('INSERT OR IGNORE INTO mission_members (mission_id, agent_id) VALUES (?, ?)'),
      clearMembers: db.prepare('DELETE FROM mission_members WHERE mission_id = ?'),
    };
  }

  private toMission(r: MissionRow): Mission {
    return { id: r.id, object: 'mission', name: r.name, status: r.status, agent_ids: this.s.members.all(r.id).map((m) => m.agent_id), created_at: r.created_at, updated_at: r.updated_at };
  }

  private setMembers(id: string, agentIds: readonly string[]): void {
    agentIds.forEach((agentId, i) => {
      if (!this.agents.find(agentId)) throw new HttpError(404, 'not_found', `no agent with id ${agentId}`, `agent_ids[${i}]`);
    });
    this.s.clearMembers.run(id);
    for (const agentId of new Set(agentIds)) this.s.addMember.run(id, agentId);
  }

  create(input: { id: string; name: string; agent_ids: readonly string[] }, actor: string): Mission {
    return immediate(this.db, () => {
      if (this.s.byId.get(input.id)) throw conflict(`a mission with id ${input.id} already exists`, 'id');
      const now = toIso(this.clock.now());
      this.db
        .prepare("INSERT INTO missions (id, name, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)")
        .run(input.id, input.name, now, now);
      this.setMembers(input.id, input.agent_ids);
      const mission = this.get(input.id);
      this.audit.append({ event_type: 'mission.created', actor, subject_id: mission.id, data: { mission } });
      return mission;
    });
  }

  get(id: string): Mission {
    const mission = this.find(id);
    if (!mission) throw notFound('mission', id);
    return mission;
  }

  find(id: string): Mission | undefined {
    const row = this.s.byId.get(id);
    return row ? this.toMission(row) : undefined;
  }

  list(query: { limit: number; cursor?: string; status?: 'active' | 'closed' }): ListPage<Mission> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], MissionRow>('SELECT * FROM missions WHERE (? IS NULL OR status = ?) AND (? IS NULL OR id > ?) ORDER BY id ASC LIMIT ?')
      .all(query.status ?? null, query.status ?? null, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, (r) => this.toMission(r), (r) => r.id);
  }

  update(id: string, patch: { name?: string; status?: 'active' | 'closed'; agent_ids?: readonly string[] }, actor: string): Mission {
    return immediate(this.db, () => {
      const before = this.get(id);
      this.db
        .prepare('UPDATE missions SET name = ?, status = ?, updated_at = ? WHERE id = ?')
        .run(patch.name ?? before.name, patch.status ?? before.status, toIso(this.clock.now()), id);
      if (patch.agent_ids) this.setMembers(id, patch.agent_ids);
      const mission = this.get(id);
      this.audit.append({ event_type: 'mission.updated', actor, subject_id: id, data: { patch, mission } });
      return mission;
    });
  }

  /**
   * The mission an action or spend of `agentId` is charged to. Naming a registered mission the
   * agent is not a member of (or a closed one) is 403; naming none charges its only active
   * mission, if it has exactly one.
   */
  chargedMission(agentId: string, named: string | null | undefined): string | null {
    if (named) {
      const mission = this.s.byId.get(named);
      if (!mission) return named;
      if (!this.s.isMember.get(named, agentId)) {
        const agentName = this.agents.find(agentId)?.name ?? agentId;
        throw new HttpError(403, 'insufficient_scope', `agent ${agentName} is not a member of mission ${mission.name} (${named})`, 'mission_id');
      }
      if (mission.status !== 'active') throw new HttpError(403, 'insufficient_scope', `mission ${named} is closed`, 'mission_id');
      return named;
    }
    const active = this.s.activeOf.all(agentId);
    return active.length === 1 ? active[0]!.id : null;
  }
}
