/**
 * The Warden the soak bench attacks, in a process of its own (so the load generator never shares
 * its event loop): started with the default per-agent rate limit, it prints its URL and operator
 * token, and answers `cpu` messages with its process.cpuUsage(). `BENCH_SERVER_RATE_LIMIT=off`
 * turns the limit off (the MCP bench drives one agent far past it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../electron/app.js';
import { DEFAULT_RATE_LIMIT } from '../../electron/server/rate-limit.js';

const dataDir = process.env.SOAK_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warden-soak-'));
const app = await createApp({ dataDir, port: 0, rendererDir: null, rateLimit: process.env.BENCH_SERVER_RATE_LIMIT === 'off' ? false : DEFAULT_RATE_LIMIT, heartbeatMs: 5_000 });
const url = await app.start();
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
process.send?.({ url, token: app.operatorToken, dataDir });
