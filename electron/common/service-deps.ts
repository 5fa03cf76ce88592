/** What every service that writes audited rows is built from (one dependency object). */
import type { AuditService } from '../audit/service.js';
import type { Db } from '../db/connection.js';
import type { Clock } from './clock.js';
import type { Ids } from './ids.js';

export interface RecordingDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}
