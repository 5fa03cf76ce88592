/** The budgets modules wired on a LedgerDb as ledger.ts wires them, for tests that need several. */
import { BudgetEvents } from '../../../electron/budgets/budget-events.js';
import { BudgetSettings } from '../../../electron/budgets/budget-settings.js';
import { BudgetStore } from '../../../electron/budgets/budget-store.js';
import { PeriodRoll } from '../../../electron/budgets/period-roll.js';
import { Reservations } from '../../../electron/budgets/reservations.js';
import { SpendLedger } from '../../../electron/budgets/spend.js';
import type { LedgerDb } from './ledger-db.js';

export function budgetModules(l: LedgerDb, timeZone = 'UTC') {
  const { db, audit, bus, clock, ids, periodClock } = l;
  const store = new BudgetStore({ db });
  const events = new BudgetEvents({ db, audit, bus });
  const periods = new PeriodRoll({ db, store, events, periodClock, timeZone });
  const settings = new BudgetSettings({ db, store, periods, events, audit, clock, ids, timeZone });
  const reservations = new Reservations({ db, store, periods, audit, clock, periodClock, timeoutMs: 60_000, reaperIntervalMs: 10_000 });
  const spend = new SpendLedger({ db, store, periods, events, audit, clock, ids });
  return { store, events, periods, settings, reservations, spend };
}
