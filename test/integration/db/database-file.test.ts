/**
 * A folder that held Warden data never starts afresh over a wiped or damaged database: each
 * corruption refuses with what is wrong and how to restore, and leaves the folder as it was.
 * Backups (online, 0600, the last 7) and `warden backup` / `warden restore FILE` bring the data
 * back; the folder is 0700 and its files 0600, tightened with a one-line notice.
 */
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { DatabaseUnusableError } from '../../../electron/db/file-check.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

const dirs: string[] = [];
const running: TestApp[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'warden-dbfile-'));
  dirs.push(d);
  return d;
};

async function start(dataDir: string, notices: string[] = []): Promise<TestApp> {
  const t = await startTestApp({ dataDir, backups: false, notice: (l) => notices.push(l) });
  running.push(t);
  return t;
}

/** A folder with one agent, one backup taken through the API, and the server stopped. */
async function folderWithData(): Promise<{ dir: string; backup: string; token: string }> {
  const dir = tempDir();
  const t = await start(dir);
  await t.agent('keeper');
  const made = await t.api(t.op).answer('createBackup', { body: undefined });
  expect(made.status).toBe(201);
  await t.stop();
  return { dir, backup: made.body.file as string, token: t.op };
}

const db = (dir: string) => join(dir, 'warden.db');

async function refusal(dir: string): Promise<string> {
  const err = await createApp({ dataDir: dir, port: 0, rendererDir: null, backups: false }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DatabaseUnusableError);
  return (err as Error).message;
}

const snapshot = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((n) => n.startsWith('warden.db'))
      .map((n) => [n, readFileSync(join(dir, n)).toString('base64')]),
  );

describe('a wiped or damaged database refuses to start', () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ['an empty file', (dir) => truncateSync(db(dir), 0), /is empty \(0 bytes\)/],
    ['a file cut in half', (dir) => truncateSync(db(dir), Math.floor(statSync(db(dir)).size / 2)), /is truncated/],
    ['a file cut inside its header', (dir) => truncateSync(db(dir), 50), /is truncated/],
    [
      'a garbage header',
      (dir) => {
        const fd = openSync(db(dir), 'r+');
        writeSync(fd, Buffer.from('this is not sqlite at all'), 0, 25, 0);
        closeSync(fd);
      },
      /is not a SQLite database/,
    ],
    [
      'a missing file with its WAL still there',
      (dir) => {
        rmSync(db(dir));
        writeFileSync(join(dir, 'warden.db-wal'), Buffer.alloc(4096, 7));
      },
      /is missing, but this folder held Warden data \(operator\.token, warden\.db-wal, backups\/\)/,
    ],
    [
      'a blank SQLite database in its place',
      (dir) => {
        rmSync(db(dir));
        const blank = new Database(db(dir));
        blank.exec('CREATE TABLE t (x)');
        blank.close();
      },
      /holds no Warden data/,
    ],
  ];

  for (const [what, damage, says] of cases) {
    it(`${what}: names the problem and the newest backup, and touches nothing`, async () => {
      const { dir, backup } = await folderWithData();
      damage(dir);
      const before = snapshot(dir);
      const message = await refusal(dir);
      expect(message).toMatch(says);
      expect(message).toContain(`warden restore ${backup}`);
      expect(message).not.toContain('\n');
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('a file shorter than its header says, with a WAL beside it, is checked by SQLite and refused when pages are gone', async () => {
    const { dir, backup } = await folderWithData();
    // A WAL is there (as after a crash), but it cannot hold the pages cut off the file.
    writeFileSync(join(dir, 'warden.db-wal'), '');
    truncateSync(db(dir), Math.floor(statSync(db(dir)).size / 2));
    const message = await refusal(dir);
    expect(message).toMatch(/is damaged|cannot be read by SQLite/);
    expect(message).toContain(`warden restore ${backup}`);
  });

  it('a fresh folder starts, and a folder whose only trace is the token refuses without a backup to name', async () => {
    const fresh = tempDir();
    const t = await start(fresh);
    await t.stop();
    const dir = tempDir();
    writeFileSync(join(dir, 'operator.token'), 'wk_op_something\n', { mode: 0o600 });
    const message = await refusal(dir);
    expect(message).toMatch(/is missing/);
    expect(message).toContain('no backup was found');
    expect(existsSync(db(dir))).toBe(false);
  });
});

describe('warden restore', () => {
  it('brings the agents back into a wiped folder, keeps the replaced file aside, and the chain verifies', async () => {
    const { dir, backup } = await folderWithData();
    truncateSync(db(dir), 0);
    const res = await cli(['restore', backup, '--data-dir', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`restored ${backup} into ${db(dir)}`);
    const aside = readdirSync(join(dir, 'replaced'));
    expect(aside).toHaveLength(1);
    expect(statSync(join(dir, 'replaced', aside[0]!)).size).toBe(0);

    const t = await start(dir);
    const agents = await t.api(t.op).answer('listAgents');
    expect(agents.body.data.map((a: { name: string }) => a.name)).toEqual(['keeper']);
    expect((await t.api(t.op).answer('verifyAudit')).body).toMatchObject({ ok: true, first_bad_id: null });
    if (process.platform !== 'win32') expect(statSync(db(dir)).mode & 0o777).toBe(0o600);
  });

  it('refuses while a server runs on the folder, and changes nothing', async () => {
    const { dir, backup } = await folderWithData();
    const t = await start(dir);
    await t.agent('newer');
    const res = await cli(['restore', backup, '--data-dir', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^warden: a Warden \\(pid ${process.pid}\\) is running on ${dir}: quit it before you restore\\n$`));
    const agents = await t.api(t.op).answer('listAgents');
    expect(agents.body.data.map((a: { name: string }) => a.name).sort()).toEqual(['keeper', 'newer']);
  });

  it('refuses a file that is not a Warden database of a supported version, and changes nothing', async () => {
    const { dir, backup } = await folderWithData();
    const garbage = join(tempDir(), 'garbage.db');
    writeFileSync(garbage, 'hello');
    const foreign = join(tempDir(), 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    const future = join(tempDir(), 'future.db');
    writeFileSync(future, readFileSync(backup));
    const copy = new Database(future);
    copy.pragma('user_version = 999');
    copy.close();
    const before = snapshot(dir);
    for (const [file, says] of [
      [garbage, /is not a SQLite database/],
      [foreign, /is not a Warden database \(schema version 0, no agents, audit, operators table\)/],
      [future, /is at schema version 999 but this Warden understands up to \d+/],
      [join(dir, 'nope.db'), /does not exist/],
    ] as const) {
      const res = await cli(['restore', file, '--data-dir', dir]);
      expect(res.code, file).toBe(1);
      expect(res.stderr).toMatch(says);
    }
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'replaced'))).toBe(false);
  });
});

describe('backups', () => {
  it('warden backup asks the running server; with none running it copies the file under the lock', async () => {
    const dir = tempDir();
    const t = await start(dir);
    await t.agent('one');
    const online = await cli(['backup', '--data-dir', dir, '--url', t.url, '--token', t.op]);
    expect(online.stderr).toBe('');
    expect(online.stdout).toMatch(/^backup written: .*warden-.*\.db \(\d+ bytes, taken by the running Warden\)\n$/);
    await t.stop();
    const offline = await cli(['backup', '--data-dir', dir]);
    expect(offline.stderr).toBe('');
    expect(offline.stdout).toContain('no Warden was running');
    const files = readdirSync(join(dir, 'backups'));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const copy = new Database(join(dir, 'backups', f), { readonly: true });
      expect(copy.prepare("SELECT name FROM agents").all()).toEqual([{ name: 'one' }]);
      copy.close();
    }
  });

  it('the server takes one after it starts listening, files are 0600 in a 0700 folder, and only the last 7 stay', async () => {
    const dir = tempDir();
    const t = await startTestApp({ dataDir: dir, notice: () => undefined });
    running.push(t);
    const folder = join(dir, 'backups');
    for (let i = 0; i < 50 && !(existsSync(folder) && readdirSync(folder).some((f) => f.endsWith('.db'))); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(folder).filter((f) => f.endsWith('.db'))).toHaveLength(1);
    const made: string[] = [];
    for (let i = 0; i < 8; i++) made.push(basename((await t.api(t.op).answer('createBackup', { body: undefined })).body.file));
    const kept = readdirSync(folder).sort();
    expect(kept).toEqual(made.slice(-7).sort());
    if (process.platform !== 'win32') {
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      for (const f of kept) expect(statSync(join(folder, f)).mode & 0o777).toBe(0o600);
    }
    const agent = await t.agent('x');
    expect((await t.raw('POST', '/v1/backups', { key: agent.key })).status).toBe(403);
  });
});

describe.skipIf(process.platform === 'win32')('file modes', () => {
  it('a new folder is 0700 and the database, WAL and shared-memory files 0600', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const notices: string[] = [];
    await start(dir, notices);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['warden.db', 'warden.db-wal', 'warden.db-shm', 'operator.token']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect(notices).toEqual([]);
  });

  it('wider modes found at start are tightened, with one line saying so', async () => {
    const dir = tempDir();
    const t = await start(dir);
    await t.stop();
    chmodSync(dir, 0o755);
    chmodSync(db(dir), 0o644);
    chmodSync(join(dir, 'operator.token'), 0o640);
    const notices: string[] = [];
    await start(dir, notices);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(db(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'operator.token')).mode & 0o777).toBe(0o600);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toBe(`warden: tightened permissions that allowed other users in: ${dir} 0755 → 0700, warden.db 0644 → 0600, operator.token 0640 → 0600`);
  });
});
