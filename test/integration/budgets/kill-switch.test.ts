/** KillSwitchControl: the one row, audited and announced once the change commits. */
import { afterEach, describe, expect, it } from 'vitest';
import { KillSwitchControl } from '../../../electron/budgets/kill-switch.js';
import { immediate } from '../../../electron/db/connection.js';
import { openLedgerDb, type LedgerDb } from './ledger-db.js';

let l: LedgerDb;
afterEach(() => l.close());

describe('KillSwitchControl', () => {
  it('starts released; engaging is audited and announced after the commit', () => {
    l = openLedgerDb();
    const ks = new KillSwitchControl({ db: l.db, audit: l.audit, bus: l.bus, clock: l.clock });
    expect(ks.get()).toEqual({ object: 'kill_switch', engaged: false, reason: null, changed_at: null, changed_by: null });
    let seenInside = -1;
    const state = immediate(l.db, () => {
      const s = ks.set(true, 'stop all agents', 'operator:op_1');
      seenInside = l.events.length;
      return s;
    });
    expect(seenInside).toBe(0);
    expect(state).toEqual({ object: 'kill_switch', engaged: true, reason: 'stop all agents', changed_at: '2026-01-05T12:00:00.000Z', changed_by: 'operator:op_1' });
    expect(l.events.map((e) => [e.type, e.data])).toEqual([['kill_switch.changed', { kill_switch: state, engaged: true, reason: 'stop all agents' }]]);
    expect(l.audited('kill_switch.engaged', 'kill_switch.released')).toEqual([
      { event_type: 'kill_switch.engaged', actor: 'operator:op_1', subject_id: null, data: { kill_switch: state } },
    ]);
    expect(ks.set(false, undefined, 'operator:op_1')).toMatchObject({ engaged: false, reason: null });
    expect(l.events.at(-1)!.data).toMatchObject({ engaged: false });
  });

  it('a change rolled back by the caller stays unchanged and unannounced', () => {
    l = openLedgerDb();
    const ks = new KillSwitchControl({ db: l.db, audit: l.audit, bus: l.bus, clock: l.clock });
    expect(() =>
      immediate(l.db, () => {
        ks.set(true, 'oops', 'operator:op_1');
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    expect(ks.get().engaged).toBe(false);
    expect(l.events).toEqual([]);
    expect(l.audited('kill_switch.engaged')).toEqual([]);
  });

  it('a missing row throws, so the caller blocks', () => {
    l = openLedgerDb();
    const ks = new KillSwitchControl({ db: l.db, audit: l.audit, bus: l.bus, clock: l.clock });
    l.db.prepare('DELETE FROM kill_switch').run();
    expect(() => ks.get()).toThrow('kill_switch row is missing');
  });
});
