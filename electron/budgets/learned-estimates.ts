/**
 * A default cost estimate for actions that give none: the median of the last completed costs of
 * the same tool by the same agent. Reserved like a given estimate, it keeps concurrent actions
 * without estimates from overshooting a cap by more than about one action's typical cost.
 *
 * Kept in memory per (agent, tool), loaded from the ledger on first use and fed by completions.
 * INVARIANT: one Warden owns the database (warden.lock), so every completion passes through
 * `record` and the memory never falls behind the ledger.
 */
import type { Db } from '../db/connection.js';

/** How many recent completed costs the median is taken over. */
export const LEARNED_WINDOW = 20;

const keyOf = (agentId: string, tool: string) => `${agentId}\u0000${tool}`;

export class LearnedEstimates {
  private readonly recent = new Map<string, number[]>();
  private readonly load;

  constructor(db: Db) {
    this.load = db.prepare<[string, string, number], { cost_micro_usd: number }>(
      `SELECT cost_micro_usd FROM actions
       WHERE agent_id = ? AND tool = ? AND status = 'completed' AND cost_micro_usd IS NOT NULL
       ORDER BY completed_at DESC, id DESC LIMIT ?`,
    );
  }

  private costs(agentId: string, tool: string): number[] {
    const key = keyOf(agentId, tool);
    let costs = this.recent.get(key);
    if (!costs) {
      // Oldest first, so `record` can push and shift.
      costs = this.load.all(agentId, tool, LEARNED_WINDOW).map((r) => r.cost_micro_usd).reverse();
      this.recent.set(key, costs);
    }
    return costs;
  }

  /** The median of the recent completed costs (the upper middle of an even count); null without history or when it is 0. */
  estimate(agentId: string, tool: string): number | null {
    const costs = this.costs(agentId, tool);
    if (costs.length === 0) return null;
    const sorted = [...costs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return median > 0 ? median : null;
  }

  /** A completed action's cost, once its completion has committed. */
  record(agentId: string, tool: string, costMicroUsd: number): void {
    // Not loaded yet: loading now reads this completion from the ledger with the rest.
    if (!this.recent.has(keyOf(agentId, tool))) {
      this.costs(agentId, tool);
      return;
    }
    const costs = this.costs(agentId, tool);
    costs.push(costMicroUsd);
    if (costs.length > LEARNED_WINDOW) costs.shift();
  }
}
