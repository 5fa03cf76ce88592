/** Small helpers shared by the policies services. */
import { onCommit, onRollback, type Db } from '../db/connection.js';

/**
 * The policy epoch: a number in memory that moves whenever what the policy cache mirrors may
 * have changed. Warden is the only writer of its database, so it needs no row: a change moves it
 * as it is made (a reader later in the same transaction sees the change) and again once its
 * transaction commits or rolls back (nothing read while the change was open outlives it, and a
 * rolled-back change never comes back under a number a later change reaches).
 */
export class PolicyEpoch {
  private n = 0;
  private readonly settle = (): void => {
    this.n++;
  };

  constructor(private readonly db: Db) {}

  get value(): number {
    return this.n;
  }

  /** Marks a policy change; call inside the change's transaction. */
  changed(): void {
    this.n++;
    onRollback(this.db, this.settle);
    onCommit(this.db, this.settle);
  }
}

/** JSON with object keys sorted, to compare documents regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
