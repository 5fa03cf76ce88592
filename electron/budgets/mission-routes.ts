import type { Api } from '../server/api.js';
import type { MissionService } from './missions.js';

export function missionRoutes(api: Api, missions: MissionService): void {
  api.handle('createMission', ({ body, actor }) => missions.create(body, actor));
  api.handle('listMissions', ({ query }) => missions.list(query));
  api.handle('updateMission', ({ params, body, actor }) => missions.update(params.id, body, actor));
}
