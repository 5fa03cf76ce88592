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

/**
 * The base of a service that writes audited rows: it keeps the four dependencies every such
 * service is built from, so each service states only what is its own.
 */
export abstract class RecordingService {
  protected readonly db: Db;
  protected readonly audit: AuditService;
  protected readonly clock: Clock;
  protected readonly ids: Ids;

  constructor(deps: RecordingDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.ids = deps.ids;
  }
}
