/**
 * The global kill-switch: one row, engaged or released by an operator. Engaged, every action is
 * blocked. Each change is audited and announced (`kill_switch.changed`) once it commits.
 */
import type { KillSwitch } from '../../shared/api/budgets.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, onCommit, type Db } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';

interface KillSwitchRow {
  engaged: 0 | 1;
  reason: string | null;
  changed_at: string | null;
  changed_by: string | null;
}

export interface KillSwitchDeps {
  db: Db;
  audit: AuditService;
  bus: EventBus;
  clock: Clock;
}

export class KillSwitchControl {
  private readonly s;

  constructor(private readonly deps: KillSwitchDeps) {
    this.s = {
      get: deps.db.prepare<[], KillSwitchRow>('SELECT engaged, reason, changed_at, changed_by FROM kill_switch WHERE id = 1'),
      set: deps.db.prepare('UPDATE kill_switch SET engaged = ?, reason = ?, changed_at = ?, changed_by = ? WHERE id = 1'),
    };
  }

  get(): KillSwitch {
    const row = this.s.get.get();
    // INVARIANT: the migration inserts the one row; a missing row means a broken database,
    // and throwing makes the caller BLOCK (fail closed).
    if (!row) throw new Error('kill_switch row is missing');
    return { object: 'kill_switch', engaged: row.engaged === 1, reason: row.reason, changed_at: row.changed_at, changed_by: row.changed_by };
  }

  set(engaged: boolean, reason: string | undefined, actor: string): KillSwitch {
    const { db, audit, bus, clock } = this.deps;
    return immediate(db, () => {
      this.s.set.run(engaged ? 1 : 0, reason ?? null, toIso(clock.now()), actor);
      const state = this.get();
      audit.append({ event_type: engaged ? 'kill_switch.engaged' : 'kill_switch.released', actor, data: { kill_switch: state } });
      onCommit(db, () => bus.publish('kill_switch.changed', { kill_switch: state, engaged, reason: state.reason }));
      return state;
    });
  }
}
