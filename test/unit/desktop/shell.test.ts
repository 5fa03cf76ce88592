/**
 * The desktop shell driven with a fake `electron` module and a real createApp() (temp data dir,
 * port 0): what it creates, how it is locked down, and how notifications, tray and quit behave.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP_CHANNELS } from '../../../shared/desktop-bridge.js';
import { createApp } from '../../../electron/app.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { desktopArgs, startDesktop, type Desktop } from '../../../electron/desktop/shell.js';
import { fakeElectron, fakeEvent } from './fake-electron.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function boot(options: { platform?: NodeJS.Platform; port?: number; lockHeld?: boolean; clock?: ManualClock } = {}) {
  const fake = fakeElectron({ lockHeld: options.lockHeld });
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-desktop-'));
  const logs: string[] = [];
  const desktop = await startDesktop(fake.electron, {
    dataDir,
    port: options.port ?? 0,
    rendererDir: null,
    platform: options.platform ?? 'linux',
    log: (line) => logs.push(line),
    ...(options.clock ? { createApp: (config) => createApp({ ...config, clock: options.clock }) } : {}),
  });
  cleanups.push(async () => {
    await desktop?.app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { fake, desktop, logs, dataDir };
}

async function api(desktop: Desktop, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(desktop.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An agent whose first action ALERTs (no policies: unmatched actions ask the operator). */
async function pendingApproval(desktop: Desktop) {
  const op = desktop.app.operatorToken;
  const agent = await api(desktop, 'POST', '/v1/agents', op, { name: 'coder' });
  const action = await api(desktop, 'POST', '/v1/actions', agent.body.api_key, { tool: 'shell.exec', args: { command: 'make deploy' } });
  expect(action.body.decision).toBe('ALERT');
  return { agent: agent.body, approvalId: action.body.approval_id as string };
}

describe('single instance', () => {
  it('a second launch quits at once without creating a window or touching the database', async () => {
    const { fake, desktop } = await boot({ lockHeld: true });
    expect(desktop).toBeNull();
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.windows).toHaveLength(0);
    expect(fake.tray.created).toBe(0);
  });

  it('the first instance focuses (and restores) its window when another launch is attempted', async () => {
    const { fake } = await boot();
    const win = fake.windows[0]!;
    win.hide();
    win.minimized = true;
    fake.app.emit('second-instance', fakeEvent(), ['warden'], '/');
    expect(win.minimized).toBe(false);
    expect(win.visible).toBe(true);
    expect(win.focusCount).toBe(1);
  });
});

describe('window', () => {
  it('loads the server’s own URL with a sandboxed, isolated, node-less renderer and the CommonJS preload', async () => {
    const { fake, desktop } = await boot();
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.loadedUrl).toBe(`${desktop!.url}/`);
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(prefs.preload).toMatch(/electron[/\\]preload\.cjs$/);
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('blocks navigation away from the app origin and opens web links in the browser instead', async () => {
    const { fake, desktop } = await boot();
    const wc = fake.windows[0]!.webContents;
    const inside = fakeEvent();
    wc.emit('will-navigate', inside, `${desktop!.url}/#/budgets`);
    expect(inside.defaultPrevented).toBe(false);

    for (const target of ['https://evil.example/', 'http://localhost:1/', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const e = fakeEvent();
      wc.emit('will-navigate', e, target);
      expect(e.defaultPrevented, target).toBe(true);
    }
    const redirect = fakeEvent();
    wc.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.defaultPrevented).toBe(true);
    expect(fake.externalOpened).toEqual(['https://evil.example/', 'http://localhost:1/']);
  });

  it('denies every window.open; web links go to the browser, file: and other schemes nowhere', async () => {
    const { fake, desktop } = await boot();
    const open = fake.windows[0]!.webContents.openHandler!;
    expect(open({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(open({ url: `${desktop!.url}/popup` })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.externalOpened).toEqual(['https://docs.example/']);
  });

  it('grants the page no permissions and refuses <webview>', async () => {
    const { fake } = await boot();
    const wc = fake.windows[0]!.webContents;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      wc.session.requestHandler!(wc, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
    }
    expect(wc.session.checkHandler!(wc, 'media')).toBe(false);
    const e = fakeEvent();
    wc.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });

  it('closing the window hides it (Warden keeps running in the tray); the tray click brings it back', async () => {
    const { fake } = await boot();
    const win = fake.windows[0]!;
    win.show();
    win.userClose();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    fake.tray.emitter.emit('click');
    expect(win.visible).toBe(true);
  });
});

describe('preload channel', () => {
  it('hands the base URL and operator token to the app’s own page only', async () => {
    const { fake, desktop } = await boot();
    const mine = fake.ipcSend(DESKTOP_CHANNELS.config, `${desktop!.url}/`);
    expect(mine.returnValue).toEqual({ baseUrl: desktop!.url, operatorToken: desktop!.app.operatorToken });
    for (const frame of ['https://evil.example/', 'http://127.0.0.1:1/', '', 'not a url']) {
      expect(fake.ipcSend(DESKTOP_CHANNELS.config, frame).returnValue, frame).toBeNull();
    }
  });

  it('setPendingCount from the page updates the tray and badge; bad values and foreign frames are ignored', async () => {
    const { fake, desktop } = await boot();
    fake.ipcSend(DESKTOP_CHANNELS.setPendingCount, `${desktop!.url}/`, 3);
    expect(fake.tray.tooltip).toBe('Warden — 3 approvals waiting');
    expect(fake.app.badge.at(-1)).toBe(3);
    fake.ipcSend(DESKTOP_CHANNELS.setPendingCount, `${desktop!.url}/`, -1);
    fake.ipcSend(DESKTOP_CHANNELS.setPendingCount, `${desktop!.url}/`, 'lots');
    fake.ipcSend(DESKTOP_CHANNELS.setPendingCount, 'https://evil.example/', 99);
    expect(fake.app.badge.at(-1)).toBe(3);
  });
});

describe('notifications and tray', () => {
  it('a new approval shows a notification; clicking it focuses the window and opens that approval', async () => {
    const { fake, desktop } = await boot();
    const { approvalId } = await pendingApproval(desktop!);
    const n = await until(() => fake.notifications.find((x) => x.shown), 'a notification');
    expect(n.options.title).toBe('coder asks to run shell.exec');
    expect(n.options.body).toBeTruthy();
    expect(n.options.actions).toBeUndefined(); // no notification buttons on Linux
    const win = fake.windows[0]!;
    n.emit('click', fakeEvent());
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toContainEqual([DESKTOP_CHANNELS.focusApproval, approvalId]);
  });

  it('on macOS the notification offers Allow once / Deny, and Allow once approves over the API', async () => {
    const { fake, desktop } = await boot({ platform: 'darwin' });
    const { approvalId } = await pendingApproval(desktop!);
    const n = await until(() => fake.notifications.find((x) => x.shown), 'a notification');
    expect(n.options.actions).toEqual([{ type: 'button', text: 'Allow once' }, { type: 'button', text: 'Deny' }]);
    n.emit('action', { actionIndex: 0 }, 0);
    const approval = await until(async () => {
      const r = await api(desktop!, 'GET', `/v1/approvals/${approvalId}`, desktop!.app.operatorToken);
      return r.body.status === 'pending' ? undefined : r.body;
    }, 'the approval to resolve');
    expect(approval.status).toBe('approved');
    expect(approval.resolution).toBe('allow_once');
  });

  it('Deny from the notification denies; a second answer to a resolved approval shows why it failed', async () => {
    const { fake, desktop } = await boot({ platform: 'darwin' });
    const { approvalId } = await pendingApproval(desktop!);
    const n = await until(() => fake.notifications.find((x) => x.shown), 'a notification');
    n.emit('action', { actionIndex: 1 }, 1);
    await until(async () => (await api(desktop!, 'GET', `/v1/approvals/${approvalId}`, desktop!.app.operatorToken)).body.status === 'denied', 'denied');
    n.emit('action', { actionIndex: 0 }, 0);
    const failure = await until(() => fake.notifications.find((x) => x.options.title === 'Warden could not record your answer'), 'a failure notice');
    expect(failure.options.body).toMatch(/already denied/);
  });

  it('an approval decided elsewhere closes its notification; the others stay', async () => {
    const { fake, desktop } = await boot({ platform: 'darwin' });
    const op = desktop!.app.operatorToken;
    const { agent, approvalId } = await pendingApproval(desktop!);
    const other = (await api(desktop!, 'POST', '/v1/actions', agent.api_key, { tool: 'fs.delete', args: { path: '/tmp/x' } })).body.approval_id as string;
    const [first, second] = await until(() => (fake.notifications.length === 2 ? fake.notifications : undefined), 'two notifications');
    expect(first!.closed).toBe(false);
    // Answered in the inbox (the API), not on the notification.
    expect((await api(desktop!, 'POST', `/v1/approvals/${approvalId}/decision`, op, { decision: 'allow_once' })).status).toBe(200);
    expect(first!.closed).toBe(true);
    expect(second!.closed).toBe(false);
    expect((await api(desktop!, 'POST', `/v1/approvals/${other}/decision`, op, { decision: 'deny' })).status).toBe(200);
    expect(second!.closed).toBe(true);
  });

  it('an approval that expires closes its notification', async () => {
    const clock = new ManualClock(Date.now());
    const { fake, desktop } = await boot({ clock });
    const { approvalId } = await pendingApproval(desktop!);
    const n = await until(() => fake.notifications.find((x) => x.shown), 'a notification');
    clock.advance(301_000); // past the default approval_ttl_seconds (300)
    expect((await api(desktop!, 'GET', `/v1/approvals/${approvalId}`, desktop!.app.operatorToken)).body.status).toBe('expired');
    expect(n.closed).toBe(true);
  });

  it('the pending count reaches the tray tooltip, the macOS title and the badge', async () => {
    const { fake, desktop } = await boot({ platform: 'darwin' });
    expect(fake.tray.tooltip).toBe('Warden — nothing waiting');
    await pendingApproval(desktop!);
    await until(() => fake.app.badge.at(-1) === 1, 'the badge');
    expect(fake.tray.tooltip).toBe('Warden — 1 approval waiting');
    expect(fake.tray.title).toBe('1');
  });

  it('a budget pause shows a notification', async () => {
    const { fake, desktop } = await boot();
    const op = desktop!.app.operatorToken;
    const agent = (await api(desktop!, 'POST', '/v1/agents', op, { name: 'spender' })).body;
    expect((await api(desktop!, 'POST', '/v1/budgets', op, { scope: 'agent', scope_id: agent.id, limit_usd_cents: 1, mode: 'cap' })).status).toBeLessThan(300);
    expect((await api(desktop!, 'POST', '/v1/spend', agent.api_key, { amount_micro_usd: 20_000 })).body.paused).toBe(true);
    const n = await until(() => fake.notifications.find((x) => x.options.title.startsWith('Budget paused')), 'a budget notification');
    // Named, not by id: the operator reads "spender", not agt_…
    expect(n.options.title).toBe('Budget paused: agent spender');
    expect(n.shown).toBe(true);
  });

  it('the tray menu opens the window, stops all agents through the API, and quits', async () => {
    const { fake, desktop } = await boot();
    const labels = fake.tray.menu!.map((item) => item.label ?? item.type);
    expect(labels).toEqual(['Open Warden', 'Stop all agents', 'separator', 'Quit Warden']);
    fake.tray.menu![0].click();
    expect(fake.windows[0]!.visible).toBe(true);
    fake.tray.menu![1].click();
    await until(async () => (await api(desktop!, 'GET', '/v1/kill-switch', desktop!.app.operatorToken)).body.engaged === true, 'the kill-switch');
  });
});

describe('ports and quit', () => {
  let blocker: Server | null = null;
  afterEach(() => new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r())));

  it('uses a free port when the one asked for is busy, and says so', async () => {
    blocker = createServer();
    const busy = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    const { desktop, logs } = await boot({ port: busy });
    expect(desktop!.port.requested).toBe(busy);
    expect(desktop!.port.actual).not.toBe(busy);
    expect(desktop!.port.actual).toBeGreaterThan(0);
    expect(logs).toContain(`warden: port ${busy} is in use; using a free port instead`);
    expect(logs).toContain(`warden listening on ${desktop!.url}`);
    expect((await fetch(`${desktop!.url}/v1/health`)).status).toBe(200);
  });

  it('quitting stops the server and closes the database before Electron quits', async () => {
    const { fake, desktop } = await boot();
    const e = fakeEvent();
    fake.app.emit('before-quit', e);
    expect(e.defaultPrevented).toBe(true);
    await until(() => fake.app.quitCalls === 1, 'app.quit');
    await expect(fetch(`${desktop!.url}/v1/health`)).rejects.toThrow();
    expect(desktop!.app.db.open).toBe(false);
    // Electron's own quit then runs through before-quit again without being held up.
    const again = fakeEvent();
    fake.app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(false);
    // The window may close now.
    const win = fake.windows[0]!;
    win.userClose();
    expect(win.destroyed).toBe(true);
  });
});

describe('command line', () => {
  it('reads --port and --data-dir like warden serve, and ignores Chromium switches', () => {
    expect(desktopArgs(['/app', '--port', '7500', '--data-dir', '/tmp/w'])).toEqual({ port: 7500, dataDir: '/tmp/w' });
    expect(desktopArgs(['--port=0', '--data-dir=/d=x', '--enable-logging', '--no-sandbox'])).toEqual({ port: 0, dataDir: '/d=x' });
    expect(desktopArgs(['--port', 'abc'])).toEqual({});
    expect(desktopArgs(['--port', '70000'])).toEqual({});
    expect(desktopArgs(['--port'])).toEqual({});
    expect(desktopArgs([])).toEqual({});
  });
});
