/**
 * A budgets test bench below HTTP: a real SQLite file in a temp dir, opened and migrated as the
 * app opens it, an audit log, a bus whose events are recorded, a manual clock and sequential ids.
 * Each test builds the module it names on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../../../electron/audit/service.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { sequentialIds, type Ids } from '../../../electron/common/ids.js';
import { SteadyWallClock } from '../../../electron/common/steady-clock.js';
import { openDatabase, type Db } from '../../../electron/db/connection.js';
import { EventBus } from '../../../electron/events/bus.js';
import type { AgentContext } from '../../../shared/core/types.js';
import type { WardenEvent } from '../../../shared/events.js';

export interface LedgerDb {
  db: Db;
  clock: ManualClock;
  periodClock: SteadyWallClock;
  ids: Ids;
  audit: AuditService;
  bus: EventBus;
  /** Every event published on `bus`, in order. */
  events: WardenEvent[];
  /** Audit rows of these types, oldest first, data parsed. */
  audited(...types: string[]): { event_type: string; actor: string; subject_id: string | null; data: Record<string, unknown> }[];
  close(): void;
}

export function openLedgerDb(start = '2026-01-05T12:00:00Z'): LedgerDb {
  const dir = mkdtempSync(join(tmpdir(), 'warden-budgets-'));
  const db = openDatabase(join(dir, 'warden.db'));
  const clock = new ManualClock(Date.parse(start));
  const ids = sequentialIds();
  const audit = new AuditService({ db, clock, ids });
  const bus = new EventBus(clock);
  const events: WardenEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return {
    db,
    clock,
    // Settles at once: a test steps the wall clock on purpose.
    periodClock: new SteadyWallClock(clock, 0),
    ids,
    audit,
    bus,
    events,
    audited(...types) {
      const rows = db
        .prepare<unknown[], { event_type: string; actor: string; subject_id: string | null; data: string }>(
          `SELECT event_type, actor, subject_id, data FROM audit WHERE event_type IN (${types.map(() => '?').join(', ')}) ORDER BY seq`,
        )
        .all(...types);
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const agentCtx = (id: string, team: string | null = null): AgentContext => ({
  id,
  name: id,
  role: null,
  team_id: team,
  leader_agent_id: null,
  status: 'active',
});
