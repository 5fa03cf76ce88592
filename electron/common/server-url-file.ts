/**
 * The running Warden's base URL, kept in its data folder (`server.url`, mode 0600) so a CLI that
 * shares the folder finds a server on a non-default port without `--url`. Written once the server
 * listens, removed when it stops cleanly.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVER_URL_FILE = 'server.url';

export function writeServerUrl(dataDir: string, url: string): void {
  const path = join(dataDir, SERVER_URL_FILE);
  // Removed first: a file left by a crash keeps its old mode, and writeFileSync's mode applies only when it creates.
  rmSync(path, { force: true });
  writeFileSync(path, `${url}\n`, { mode: 0o600 });
}

export function removeServerUrl(dataDir: string): void {
  rmSync(join(dataDir, SERVER_URL_FILE), { force: true });
}

/** The URL recorded in `dataDir`, or undefined when there is none to read. */
export function readServerUrl(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, SERVER_URL_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
