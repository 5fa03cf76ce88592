/**
 * The data folder lock is held by the kernel (an exclusive SQLite lock on warden.lock.db), so it
 * can never be stale: a server killed with SIGKILL leaves nothing that stops the next start (even
 * while it is an unreaped zombie), a live unrelated pid in the old pid file does not either, and a
 * second server on a folder in use refuses with one line naming the first one's pid. Real
 * servers: the built bin as child processes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { DataDirInUseError, LOCK_DB_FILE, LOCK_FILE } from '../../../electron/common/data-dir-lock.js';
import { packageRoot } from '../../../electron/common/version.js';

const root = packageRoot();
const bin = join(root, 'bin', 'warden.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.node.json'], { cwd: root, stdio: 'pipe' });
}, 120_000);
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  dirs.push(d);
  return d;
};

interface Run {
  child: ChildProcess;
  /** Resolves with the URL once the ready line is out, or rejects with stderr when it exits first. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function serve(dataDir: string): Run {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const url = /^warden listening on (\S+)$/m.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code} before ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited };
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
    children.push(unrelated);
    writeFileSync(join(dir, LOCK_FILE), `${unrelated.pid}\n`);
    const app = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await app.stop();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a live unrelated process named in the old pid file does not stop a served Warden either', async () => {
    const dir = tempDir();
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(unrelated);
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
    children.push(parent);
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
