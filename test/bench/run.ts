/**
 * `npm run bench`: runs every benchmark module and writes bench-results.json. Each module
 * measures Warden next to a baseline in the same run and reports ratios, never bare timings alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../electron/common/version.js';

export interface BenchModule {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

// The benches drive one agent far past its request rate limit; the soak bench sets its own.
process.env.WARDEN_RATE_LIMIT ??= 'off';

const modules: (() => Promise<{ default: BenchModule }>)[] = [
  () => import('./foundation.bench.js'),
  () => import('./policy.bench.js'),
  () => import('./policy-store.bench.js'),
  () => import('./shell.bench.js'),
  () => import('./budgets.bench.js'),
  () => import('./actions.bench.js'),
  () => import('./renderer.bench.js'),
  () => import('./inbox-flood.bench.js'),
  () => import('./soak.bench.js'),
  // [mcp] bench
  () => import('./mcp.bench.js'),
  () => import('./gates.bench.js'),
];

const only = process.argv.slice(2);
const results: Record<string, unknown> = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, at: new Date().toISOString() };
for (const load of modules) {
  const mod = (await load()).default;
  if (only.length && !only.includes(mod.name)) continue;
  console.log(`bench: ${mod.name}…`);
  try {
    results[mod.name] = await mod.run();
  } catch (err) {
    results[mod.name] = { error: (err as Error).message };
    process.exitCode = 1;
  }
  console.log(JSON.stringify(results[mod.name], null, 2));
}
writeFileSync(join(packageRoot(), 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('bench: wrote bench-results.json');
