/**
 * Missions: a named piece of work with member agents and (optionally) a budget of scope
 * `mission`. Only members may name a mission in an action or a spend; a member of exactly one
 * active mission that names none is charged to it.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, Timestamp, listOf } from './common.js';

export const MissionStatus = z.enum(['active', 'closed']);
const MissionId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected letters, digits, ".", "_", ":" or "-"');
const AgentIds = z.array(z.string().min(1).max(100)).max(1000);

export const Mission = z.object({
  id: z.string(),
  object: z.literal('mission'),
  name: z.string(),
  status: MissionStatus,
  agent_ids: z.array(z.string()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Mission = z.infer<typeof Mission>;

export const missionRoutes = {
  createMission: defineRoute({
    method: 'POST', path: '/v1/missions', auth: 'operator', role: 'admin', tag: 'missions', status: 201,
    summary: 'Register a mission and its member agents. Its id is the `mission_id` actions and spend name, and the `scope_id` of its budget.',
    body: z.strictObject({ id: MissionId, name: z.string().min(1).max(200), agent_ids: AgentIds.default([]) }),
    response: Mission,
  }),
  listMissions: defineRoute({
    method: 'GET', path: '/v1/missions', auth: 'operator', tag: 'missions',
    summary: 'List missions, by id.',
    query: ListQuery.extend({ status: MissionStatus.optional() }),
    response: listOf(Mission),
  }),
  updateMission: defineRoute({
    method: 'PATCH', path: '/v1/missions/:id', auth: 'operator', role: 'admin', tag: 'missions',
    summary: 'Rename, close or reopen a mission, or replace its members (`agent_ids`).',
    params: IdParams,
    body: z.strictObject({ name: z.string().min(1).max(200).optional(), status: MissionStatus.optional(), agent_ids: AgentIds.optional() }),
    response: Mission,
  }),
};
