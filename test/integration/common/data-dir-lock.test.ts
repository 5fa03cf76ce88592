/**
 * The data folder lock is held by the kernel (an exclusive SQLite lock on warden.lock.db), so it
 * can never be stale: a server killed with SIGKILL leaves nothing that stops the next start (even
 * while it is an unreaped zombie), a live unrelated pid in the old pid file does not either, and a
 * second server on a folder in use refuses with one line naming the first one's pid. Real
 * servers: the built bin as child processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { DataDirInUseError, LOCK_DB_FILE, LOCK_FILE } from '../../../electron/common/data-dir-lock.js';
import { serveHarness } from '../../support/serve.js';

const procs = serveHarness('lock');
const { bin, tempDir, track } = procs;

/** A server on `dataDir`: `ready` resolves with its URL, or rejects when it exits first. */
function serve(dataDir: string) {
  const run = procs.serve(['--port', '0', '--data-dir', dataDir]);
  const ready = run.ready.then((r) => r.url);
  ready.catch(() => undefined);
  return { child: run.child, ready, exited: run.exited };
}

describe('the data folder lock', () => {
  it('a server killed with SIGKILL leaves no lock behind: the next one starts at once', async () => {
    const dir = tempDir();
    const first = serve(dir);
    await first.ready;
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(first.child.pid));
    first.child.kill('SIGKILL');
    await first.exited;
    // The pid file is still there, naming a dead process; the kernel lock went with the process.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const second = serve(dir);
    await expect(second.ready).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(second.child.pid));
  });

  it('a live unrelated process named in the old pid file does not stop a start', async () => {
    const dir = tempDir();
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    track(unrelated);
    writeFileSync(join(dir, LOCK_FILE), `${unrelated.pid}\n`);
    const app = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await app.stop();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a live unrelated process named in the old pid file does not stop a served Warden either', async () => {
    const dir = tempDir();
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    track(unrelated);
    writeFileSync(join(dir, LOCK_FILE), `${unrelated.pid}\n`);
    const server = serve(dir);
    await expect(server.ready).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(server.child.pid));
    expect(unrelated.exitCode).toBeNull();
  });

  it.runIf(process.platform === 'linux')('a server killed with SIGKILL and not yet reaped (a zombie) does not stop the next start', async () => {
    const dir = tempDir();
    // A parent that starts the server and then blocks on its stdin: its event loop never runs,
    // so it never reaps the server once it dies, and the dead server's pid stays in the table.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ${JSON.stringify([bin, 'serve', '--port', '0', '--data-dir', dir])}, { stdio: ['ignore', 'inherit', 'inherit'] });
      process.stdout.write('pid ' + child.pid + '\\n');
      setTimeout(() => require('node:fs').readSync(0, Buffer.alloc(1)), 0);
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['pipe', 'pipe', 'pipe'] });
    track(parent);
    let out = '';
    const serverPid = await new Promise<number>((resolve) => {
      parent.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const pid = /^pid (\d+)$/m.exec(out)?.[1];
        if (pid && /^warden listening on /m.test(out)) resolve(Number(pid));
      });
    });
    process.kill(serverPid, 'SIGKILL');
    const state = () => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${serverPid}/stat`, 'utf8'))?.[1];
    while (state() !== 'Z') await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(serverPid));
    const next = serve(dir);
    await expect(next.ready).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Still a zombie: the start did not wait for the dead process to be reaped.
    expect(state()).toBe('Z');
    parent.stdin!.end('x');
  });

  it('a second server on a folder in use refuses with one line naming the first', async () => {
    const dir = tempDir();
    const first = serve(dir);
    await first.ready;
    const second = serve(dir);
    const { code, stderr } = await second.exited;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`another Warden (pid ${first.child.pid}) is using ${dir}`);
    // In this process too (a desktop app and a test harness share one process).
    const err = await createApp({ dataDir: dir, port: 0, rendererDir: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toContain(`(pid ${first.child.pid})`);
    // The first one is unharmed.
    const health = await fetch(`${await first.ready}/v1/health`);
    expect(health.status).toBe(200);
  });

  it('two apps in one process: the second refuses until the first stops', async () => {
    const dir = tempDir();
    const first = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false });
    const err = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    await first.stop();
    const again = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false });
    await again.stop();
  });

  it('a lock file that is not a database (overwritten by hand) is started again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_DB_FILE), 'not a database at all, long enough to have a header of sorts........................................');
    const app = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false });
    await app.stop();
  });
});
