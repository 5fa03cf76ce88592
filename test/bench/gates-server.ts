/**
 * A Warden for the gates bench, in a process of its own so its CPU time is its own: no rate
 * limit; it prints its URL and operator token and answers `cpu` messages with process.cpuUsage().
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../electron/app.js';

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-gates-'));
const app = await createApp({ dataDir, port: 0, rendererDir: null, rateLimit: false, backups: false });
const url = await app.start();
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
process.send?.({ url, token: app.operatorToken, dataDir });
