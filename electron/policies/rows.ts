/** Small helpers shared by the policies services. */
import type { Db } from '../db/connection.js';

/** Marks a policy change so every process's compiled cache rebuilds; call inside the change's transaction. */
export function bumpEpoch(db: Db): void {
  db.prepare('UPDATE policy_state SET epoch = epoch + 1 WHERE id = 1').run();
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
