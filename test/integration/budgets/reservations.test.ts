/** Reservations: estimates held in cap-mode budgets until the action ends, and the reaper of abandoned ones. */
import { afterEach, describe, expect, it } from 'vitest';
import { immediate } from '../../../electron/db/connection.js';
import { agentCtx, openLedgerDb, type LedgerDb } from './ledger-db.js';
import { budgetModules } from './modules.js';

let l: LedgerDb;
afterEach(() => l.close());

const reserved = (l: LedgerDb) =>
  Object.fromEntries((l.db.prepare('SELECT scope, reserved_micro_usd AS r FROM budgets').all() as { scope: string; r: number }[]).map((b) => [b.scope, b.r]));

describe('Reservations', () => {
  it('holds the estimate in cap-mode budgets only, and gives it back on release', () => {
    l = openLedgerDb();
    const { settings, reservations } = budgetModules(l);
    settings.set({ scope: 'agent', scope_id: 'agt_1', limit_usd_cents: 100, mode: 'cap' }, 'system');
    settings.set({ scope: 'team', scope_id: 'crew', limit_usd_cents: 100 }, 'system');
    settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    reservations.reserve('act_1', agentCtx('agt_1', 'crew'), null, 40_000);
    expect(reserved(l)).toEqual({ agent: 40_000, team: 0, global: 40_000 });
    reservations.release('act_1', 'denied');
    expect(reserved(l)).toEqual({ agent: 0, team: 0, global: 0 });
    expect(l.db.prepare("SELECT outcome FROM reservations WHERE action_id = 'act_1'").get()).toEqual({ outcome: 'denied' });
    // A second release finds nothing open and changes nothing.
    reservations.release('act_1', 'failed');
    expect(l.db.prepare("SELECT outcome FROM reservations WHERE action_id = 'act_1'").get()).toEqual({ outcome: 'denied' });
  });

  it('one reservation per action; a bad amount or a total past 2^53 − 1 is refused with nothing written', () => {
    l = openLedgerDb();
    const { settings, reservations, store } = budgetModules(l);
    const b = settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    reservations.reserve('act_1', agentCtx('agt_1'), null, 1);
    expect(() => reservations.reserve('act_1', agentCtx('agt_1'), null, 1)).toThrow('action act_1 already has a reservation');
    expect(() => reservations.reserve('act_2', agentCtx('agt_1'), null, -1)).toThrow(/cost_estimate_micro_usd: expected an integer/);
    l.db.prepare('UPDATE budgets SET reserved_micro_usd = ? WHERE id = ?').run(Number.MAX_SAFE_INTEGER - 1, b.id);
    expect(() => reservations.reserve('act_3', agentCtx('agt_1'), null, 5)).toThrow(/past 9007199254740991 micro-USD/);
    expect(l.db.prepare("SELECT COUNT(*) AS n FROM reservations WHERE action_id = 'act_3'").get()).toEqual({ n: 0 });
    expect(store.byId(b.id)!.reserved_micro_usd).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('close runs in the caller\'s transaction: rolled back, the hold is back', () => {
    l = openLedgerDb();
    const { settings, reservations } = budgetModules(l);
    settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    reservations.reserve('act_1', agentCtx('agt_1'), null, 9);
    expect(() =>
      immediate(l.db, () => {
        expect(reservations.close('act_1', 'settled')).toBe(true);
        expect(reservations.close('act_1', 'settled')).toBe(false);
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    expect(reserved(l)).toEqual({ global: 9 });
  });

  it('the reaper releases reservations older than the timeout, audited, and not the young ones', () => {
    l = openLedgerDb();
    const { settings, reservations } = budgetModules(l);
    settings.set({ scope: 'global', limit_usd_cents: 100, mode: 'cap' }, 'system');
    const stop = reservations.startReaper();
    try {
      reservations.reserve('act_old', agentCtx('agt_1'), null, 5);
      l.clock.advance(30_000);
      reservations.reserve('act_new', agentCtx('agt_2'), null, 7);
      l.clock.advance(40_000); // act_old is 70 s old, act_new 40 s; the reaper looks every 10 s
      expect(reserved(l)).toEqual({ global: 7 });
      expect(l.audited('reservation.released')).toEqual([
        { event_type: 'reservation.released', actor: 'system', subject_id: 'act_old', data: { action_id: 'act_old', reason: 'abandoned', timeout_ms: 60_000 } },
      ]);
    } finally {
      stop();
    }
    l.clock.advance(120_000);
    expect(reserved(l)).toEqual({ global: 7 });
    expect(reservations.releaseStale(0)).toBe(1);
    expect(reserved(l)).toEqual({ global: 0 });
  });
});
