/**
 * Plain-Node entry (`warden serve`): the same createApp() the desktop app runs, serving the API
 * and the UI to a browser. Prints the ready line and a sign-in URL; SIGTERM/SIGINT stop cleanly.
 */
import { createApp, type App } from './app.js';
import { DEFAULT_PORT, defaultDataDir } from './common/data-dir.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
}

/**
 * `WARDEN_RESERVATION_TIMEOUT_S` in milliseconds; undefined when unset or empty (the app's
 * default, 1 h). Anything but a positive integer number of seconds throws a one-line message.
 */
export function reservationTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.WARDEN_RESERVATION_TIMEOUT_S;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds <= 0 || !Number.isSafeInteger(seconds * 1000)) {
    throw new Error(`WARDEN_RESERVATION_TIMEOUT_S: expected a positive integer number of seconds, got ${JSON.stringify(raw)}`);
  }
  return seconds * 1000;
}

/**
 * `WARDEN_PICKUP_TIMEOUT_S` in milliseconds: how long an action an approval allowed may wait for
 * its agent to pick it up before its slot and reservation are released (default 120 s).
 */
export function pickupTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.WARDEN_PICKUP_TIMEOUT_S;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds <= 0 || !Number.isSafeInteger(seconds * 1000)) {
    throw new Error(`WARDEN_PICKUP_TIMEOUT_S: expected a positive integer number of seconds, got ${JSON.stringify(raw)}`);
  }
  return seconds * 1000;
}

export async function runHeadless(options: ServeOptions, out: (line: string) => void = console.log): Promise<App> {
  const app = await createApp({
    dataDir: options.dataDir ?? defaultDataDir(),
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '127.0.0.1',
    durability: process.env.WARDEN_DURABILITY === 'full' ? 'full' : 'normal',
    reservationTimeoutMs: reservationTimeoutFromEnv(),
    pickupTimeoutMs: pickupTimeoutFromEnv(),
  });
  let url: string;
  try {
    url = await app.start();
  } catch (err) {
    await app.stop();
    throw err;
  }
  // The handlers go in before the ready lines: a supervisor that reads them and sends SIGTERM
  // at once must get a clean stop (exit 0), never the default signal death.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`warden: error while stopping after ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  out(`warden listening on ${url}`);
  out(`open ${url}/#token=${app.operatorToken}`);
  return app;
}
