/**
 * What a decision pays to read the policies it is judged by (the six `PolicyStore` reads of a
 * snapshot, cache warm, 100 active guardrails), next to the decision core's own `evaluate` of the
 * same action in the same run: µs per decision of each and their ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../electron/app.js';
import { assembleSnapshot } from '../../electron/actions/snapshot.js';
import { evaluate } from '../../shared/core/evaluate.js';
import type { ActionInput } from '../../shared/core/types.js';
import type { BenchModule } from './run.js';

const DECISIONS = 200_000;
const RUNS = 5;

async function run(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-policy-store-'));
  const app = await createApp({ dataDir, port: 0, rendererDir: null });
  try {
    const policies = app.services.policies;
    for (let i = 0; i < 100; i++) {
      policies.guardrails.create({ name: `bench-${i}`, rules: [{ tool: `svc${i}.item.*`, decision: 'ALLOW', max_value: 100 + i }] }, 'bench');
    }
    const agent = { id: 'agt_bench', name: 'bench', role: null, team_id: null, leader_agent_id: null, status: 'active' as const };
    const action: ActionInput = { tool: 'svc42.item.read', args: {}, value: 10 };
    const reads = () => {
      policies.toolPolicies();
      policies.roleOverrides();
      policies.compiledGuardrails();
      policies.governanceSettings();
      policies.toolCategories();
      policies.effectiveQuota(agent.id);
    };
    const snapshot = assembleSnapshot({ policies, state: null }, agent, action, Date.now());
    const time = (fn: () => void) => {
      let best = Infinity;
      for (let r = 0; r < RUNS; r++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < DECISIONS; i++) fn();
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / DECISIONS);
      }
      return +best.toFixed(3);
    };
    const readsUs = time(reads);
    const evaluateUs = time(() => void evaluate(action, snapshot));
    return { decisions: DECISIONS, policy_reads_us_per_decision: readsUs, evaluate_us_per_decision: evaluateUs, reads_to_evaluate: +(readsUs / evaluateUs).toFixed(3) };
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bench: BenchModule = { name: 'policy-store', run };
export default bench;
