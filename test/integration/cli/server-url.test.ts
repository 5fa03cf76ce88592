/**
 * A Warden on a non-default port is found through its data folder: `warden serve --port 0`
 * records its URL in DATA_DIR/server.url (0600), the real `bin/warden.js` given only
 * WARDEN_DATA_DIR reaches it, and a clean stop removes the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import { SERVER_URL_FILE } from '../../../electron/common/server-url-file.js';
import { binPath, buildCli, cliProcess } from '../../support/cli-harness.js';

let server: ChildProcess;
let url: string;
let dataDir: string;

beforeAll(async () => {
  await buildCli();
  dataDir = mkdtempSync(join(tmpdir(), 'warden-url-'));
  server = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const lines = createInterface({ input: server.stdout! });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('warden serve did not print its ready line')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    server.once('exit', (code) => reject(new Error(`warden serve exited ${code}`)));
  });
  url = ready.slice('warden listening on '.length);
}, 300_000);

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('server.url', () => {
  it('the running server records its URL, readable by its user only', () => {
    const file = join(dataDir, SERVER_URL_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(url);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a command given only the data folder finds the server on its non-default port', async () => {
    expect(new URL(url).port).not.toBe('7419');
    const added = await cliProcess(['agent', 'add', 'found-by-url-file', '--json'], { env: { WARDEN_DATA_DIR: dataDir } });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.json(routes.createAgent.response).name).toBe('found-by-url-file');
  });

  it('--url still wins over the recorded URL', async () => {
    const r = await cliProcess(['agent', 'list', '--url', 'http://127.0.0.1:1'], { env: { WARDEN_DATA_DIR: dataDir } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('http://127.0.0.1:1');
  });

  it('a clean stop removes the file', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, SERVER_URL_FILE))).toBe(false);
  });
});
