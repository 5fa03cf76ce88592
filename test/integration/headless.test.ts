/**
 * `warden serve` as users run it: the built bin as a child process. The ready line and the
 * sign-in line exactly, the token file (0600, reused on restart), WARDEN_DATA_DIR, a busy port,
 * and SIGTERM exiting 0 after in-flight requests finish — also with the UI's event stream open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveHarness, type ServeReady, type ServeRun } from '../support/serve.js';

const procs = serveHarness('headless');
const { bin, tempDir, track, runToExit } = procs;

interface Served extends ServeReady {
  child: ChildProcess;
  stderr: () => string;
  exited: ServeRun['exited'];
}

/** `warden serve ARGS`, once its ready lines are out. */
async function serve(args: string[], env: Record<string, string | undefined> = {}): Promise<Served> {
  const run = procs.serve(args, env);
  return { ...(await run.ready), child: run.child, stderr: run.stderr, exited: run.exited };
}

const stop = async (s: Served) => {
  s.child.kill('SIGTERM');
  return s.exited;
};

describe('warden serve', () => {
  it('prints exactly the ready line, then the sign-in URL, and nothing else', async () => {
    const dir = tempDir();
    const s = await serve(['--port', '0', '--data-dir', dir]);
    expect(s.lines[0]).toMatch(/^warden listening on http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(s.url).port);
    expect(port).toBeGreaterThan(0);
    expect(s.lines[1]).toBe(`open ${s.url}/#token=${s.token}`);
    expect(s.token).toMatch(/^wk_op_[A-Za-z0-9_-]{20,}$/);
    const health = await fetch(`${s.url}/v1/health`);
    expect(await health.json()).toMatchObject({ ok: true });
    const { code, stdout } = await stop(s);
    expect(code).toBe(0);
    expect(stdout).toBe(`warden listening on ${s.url}\nopen ${s.url}/#token=${s.token}\n`);
    expect(s.stderr()).toBe('');
  });

  it('writes operator.token with mode 0600 and reuses it (and the data) on restart', async () => {
    const dir = tempDir();
    const first = await serve(['--port', '0', '--data-dir', dir]);
    const file = join(dir, 'operator.token');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const made = await fetch(`${first.url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survivor' }),
    });
    expect(made.status).toBe(201);
    expect((await stop(first)).code).toBe(0);

    const second = await serve(['--port', '0', '--data-dir', dir]);
    expect(second.token).toBe(first.token);
    const agents = (await (await fetch(`${second.url}/v1/agents`, { headers: { authorization: `Bearer ${second.token}` } })).json()) as { data: { name: string }[] };
    expect(agents.data.map((a) => a.name)).toEqual(['survivor']);
    expect((await stop(second)).code).toBe(0);
  });

  it('a SIGTERM sent the moment the ready line appears still stops cleanly (exit 0)', async () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) {
      const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      child.stdout!.once('data', () => child.kill('SIGTERM'));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, sig) => resolve([c, sig])));
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    }
  }, 60_000);

  it('honours WARDEN_DATA_DIR when --data-dir is not given', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const s = await serve(['--port', '0'], { WARDEN_DATA_DIR: dir });
    expect(existsSync(join(dir, 'warden.db'))).toBe(true);
    expect(readFileSync(join(dir, 'operator.token'), 'utf8').trim()).toBe(s.token);
    expect((await stop(s)).code).toBe(0);
  });

  it('SIGTERM exits 0 after in-flight requests finish, with the UI’s event stream open', async () => {
    const dir = tempDir();
    const s = await serve(['--port', '0', '--data-dir', dir]);
    const auth = { authorization: `Bearer ${s.token}` };
    const agent = (await (await fetch(`${s.url}/v1/agents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"waiter"}' })).json()) as { api_key: string };
    const action = (await (await fetch(`${s.url}/v1/actions`, { method: 'POST', headers: { authorization: `Bearer ${agent.api_key}`, 'content-type': 'application/json' }, body: '{"tool":"deploy.prod"}' })).json()) as { approval_id: string };
    expect(action.approval_id).toMatch(/^apr_/);

    // The UI's stream, and an agent long-polling its approval: neither must hold shutdown open.
    const events = await fetch(`${s.url}/v1/events`, { headers: auth });
    const reader = events.body!.getReader();
    await reader.read();
    const longPoll = fetch(`${s.url}/v1/approvals/${action.approval_id}/wait?timeout_s=30`, { headers: { authorization: `Bearer ${agent.api_key}` } });
    await new Promise((r) => setTimeout(r, 200));

    const t0 = Date.now();
    const { code, signal } = await stop(s);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const answered = await longPoll;
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { status: string }).status).toBe('pending');
    // The database was closed cleanly: a WAL checkpoint leaves no -wal content behind to replay.
    const wal = join(dir, 'warden.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });

  it('a busy port is a one-line error and exit code 1', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
    try {
      const { code, stdout, stderr } = await runToExit(['serve', '--port', String(port), '--data-dir', tempDir()]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/EADDRINUSE|in use/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('one Warden per data folder', () => {
  it('a second server on the same folder exits 1 with one line naming the first; the first keeps serving', async () => {
    const dir = tempDir();
    const first = await serve(['--port', '0', '--data-dir', dir]);
    const lock = readFileSync(join(dir, 'warden.lock'), 'utf8').trim();
    expect(lock).toBe(String(first.child.pid));

    const second = await runToExit(['serve', '--port', '0', '--data-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`another Warden (pid ${first.child.pid}) is using ${dir}`);
    expect((await fetch(`${first.url}/v1/health`)).status).toBe(200);
    expect(readFileSync(join(dir, 'warden.lock'), 'utf8').trim()).toBe(lock);

    // A clean stop gives the folder back.
    expect((await stop(first)).code).toBe(0);
    expect(existsSync(join(dir, 'warden.lock'))).toBe(false);
    const third = await serve(['--port', '0', '--data-dir', dir]);
    expect(third.token).toBe(first.token);
    expect((await stop(third)).code).toBe(0);
  });

  it('a lock left by a process that is gone (kill -9) is taken over', async () => {
    const dir = tempDir();
    const first = await serve(['--port', '0', '--data-dir', dir]);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(readFileSync(join(dir, 'warden.lock'), 'utf8').trim()).toBe(String(first.child.pid));
    const second = await serve(['--port', '0', '--data-dir', dir]);
    expect(readFileSync(join(dir, 'warden.lock'), 'utf8').trim()).toBe(String(second.child.pid));
    expect((await stop(second)).code).toBe(0);
  });
});
