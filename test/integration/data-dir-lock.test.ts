/**
 * createApp() takes the data folder's lock before it opens the database: a folder held by a live
 * process is refused with DataDirInUseError and left untouched; a lock whose owner is gone, or
 * that is unreadable, is taken over; stop() gives it back.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../electron/app.js';
import { DataDirInUseError, LOCK_FILE } from '../../electron/common/data-dir-lock.js';

const dirs: string[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  dirs.push(d);
  return d;
};

describe('the data folder lock', () => {
  it('a folder held by another live process is refused before anything is written', async () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    cleanups.push(() => holder.kill('SIGKILL'));
    writeFileSync(join(dir, LOCK_FILE), `${holder.pid}\n`);
    const err = await createApp({ dataDir: dir, port: 0, rendererDir: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toContain(`another Warden (pid ${holder.pid}) is using ${dir}`);
    expect(existsSync(join(dir, 'warden.db'))).toBe(false);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(holder.pid));
  });

  it('a lock whose process is gone, or that is garbage, is taken over; stop() removes it', async () => {
    for (const stale of ['999999999\n', 'not a pid']) {
      const dir = tempDir();
      writeFileSync(join(dir, LOCK_FILE), stale);
      const app = await createApp({ dataDir: dir, port: 0, rendererDir: null });
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      await app.stop();
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }
  });
});
