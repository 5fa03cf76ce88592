/**
 * The desktop shell: everything Electron-specific around createApp() — single-instance lock,
 * the window (loading the server's own URL, so the UI and the API share one origin), the
 * preload's config channel, navigation lock-down, the tray with the pending count, native
 * notifications, and a clean quit. It takes the `electron` module as a parameter; main.ts passes
 * the real one, the unit tests a fake.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESKTOP_CHANNELS } from '../../shared/desktop-bridge.js';
import { WardenClient } from '../../shared/client.js';
import { createApp as defaultCreateApp, type App, type AppConfig } from '../app.js';
import { DEFAULT_PORT, defaultDataDir } from '../common/data-dir.js';
import { packageRoot } from '../common/version.js';
import type { DesktopElectron, DesktopTray, DesktopWindow } from './electron-api.js';
import { DesktopNotifier, type QuickDecision } from './notifier.js';

export interface DesktopOptions {
  /** Default: WARDEN_DATA_DIR or the per-user app-data folder (the same one `warden serve` uses). */
  dataDir?: string;
  /** Default 7419; when it is taken, a free port is used instead (and reported). */
  port?: number;
  rendererDir?: string | null;
  /** Where the compiled preload lives. Default: electron/preload.cjs next to this file's folder. */
  preloadPath?: string;
  /** The tray and window icon. Default: build/icon.png of the package. */
  iconPath?: string;
  createApp?: (config: AppConfig) => Promise<App>;
  /** A better-sqlite3 addon built for Electron's ABI (`npm start` builds one; see scripts/start.js). */
  sqliteBinding?: string;
  log?: (line: string) => void;
  platform?: NodeJS.Platform;
}

export interface Desktop {
  app: App;
  url: string;
  /** The port asked for and the one in use (they differ when the first was busy). */
  port: { requested: number; actual: number };
  window(): DesktopWindow | null;
  tray: DesktopTray;
  notifier: DesktopNotifier;
  /** Shows, restores and focuses the window (creating it again if it was destroyed). */
  focus(approvalId?: string): void;
  /** Stops the app and quits Electron. */
  quit(): Promise<void>;
}

/**
 * `--port N` and `--data-dir D` from Electron's command line (`npm start -- --port 7500`), the
 * same spellings as `warden serve`. Anything else (Chromium's own switches) is left alone.
 */
export function desktopArgs(argv: readonly string[]): Pick<DesktopOptions, 'port' | 'dataDir'> {
  const out: Pick<DesktopOptions, 'port' | 'dataDir'> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag !== '--port' && flag !== '--data-dir') continue;
    const value = inline ?? argv[++i];
    if (value === undefined) continue;
    if (flag === '--data-dir') out.dataDir = value;
    else if (/^\d+$/.test(value) && Number(value) <= 65535) out.port = Number(value);
  }
  return out;
}

const isAddressInUse = (err: unknown) => (err as { code?: string } | null)?.code === 'EADDRINUSE';

/** Starts the app on `port`, or on a free port when that one is taken. */
async function startOnPort(make: (port: number) => Promise<App>, port: number, log: (line: string) => void): Promise<{ app: App; url: string }> {
  let app = await make(port);
  try {
    return { app, url: await app.start() };
  } catch (err) {
    await app.stop();
    if (!isAddressInUse(err) || port === 0) throw err;
  }
  log(`warden: port ${port} is in use; using a free port instead`);
  app = await make(0);
  try {
    return { app, url: await app.start() };
  } catch (err) {
    await app.stop();
    throw err;
  }
}

/**
 * Wires the desktop app. Resolves to null when another instance already runs (that one is
 * focused through its `second-instance` event, and this process quits).
 */
export async function startDesktop(electron: DesktopElectron, options: DesktopOptions = {}): Promise<Desktop | null> {
  const { app: eApp, BrowserWindow, Tray, Menu, Notification, nativeImage, ipcMain, shell } = electron;
  const log = options.log ?? ((line: string) => console.log(line));
  const platform = options.platform ?? process.platform;

  if (!eApp.requestSingleInstanceLock()) {
    eApp.quit();
    return null;
  }
  if (platform === 'win32') eApp.setAppUserModelId('dev.warden.app');

  let win: DesktopWindow | null = null;
  let tray: DesktopTray | null = null;
  let pending = 0;
  let quitting = false;
  let stopped: Promise<void> | null = null;
  // Events may arrive before the window and tray exist (second launch during boot, a pending
  // count reported at start); they apply once those exist.
  let ready = false;
  let focusQueued: { approvalId?: string } | null = null;

  const showPendingCount = (count: number) => {
    pending = count;
    if (!tray) return;
    tray.setToolTip(count === 0 ? 'Warden — nothing waiting' : `Warden — ${count} approval${count === 1 ? '' : 's'} waiting`);
    if (platform === 'darwin') tray.setTitle(count === 0 ? '' : String(count));
    eApp.setBadgeCount(count);
  };

  const focus = (approvalId?: string) => {
    if (!ready) {
      focusQueued = { approvalId };
      return;
    }
    const w = win && !win.isDestroyed() ? win : (win = createWindow());
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
    if (approvalId) w.webContents.send(DESKTOP_CHANNELS.focusApproval, approvalId);
  };

  const notifier = new DesktopNotifier({
    Notification,
    platform,
    focus,
    showPendingCount,
    decide: async (approvalId, decision) => decide(approvalId, decision),
  });

  // A second launch (double-clicked again, or `open` on the app) brings the running window forward.
  eApp.on('second-instance', () => focus());

  await eApp.whenReady();

  const requested = options.port ?? DEFAULT_PORT;
  const { app, url } = await startOnPort(
    (port) =>
      (options.createApp ?? defaultCreateApp)({
        dataDir: options.dataDir ?? defaultDataDir(),
        port,
        notifier,
        ...(options.rendererDir !== undefined ? { rendererDir: options.rendererDir } : {}),
        ...(options.sqliteBinding ? { sqliteBinding: options.sqliteBinding } : {}),
      }),
    requested,
    log,
  );
  const origin = new URL(url).origin;
  const actual = Number(new URL(url).port);
  log(`warden listening on ${url}`);

  // The shell speaks to the API like the renderer does: one API, one set of checks and audit rows.
  const client = new WardenClient({ baseUrl: url, key: app.operatorToken });
  const decide = async (approvalId: string, decision: QuickDecision) => {
    try {
      await client.call('decideApproval', { params: { id: approvalId }, body: { decision } });
    } catch (err) {
      notifier.notice('Warden could not record your answer', (err as Error).message);
      focus(approvalId);
    }
  };

  const sameOrigin = (target: string) => {
    try {
      return new URL(target).origin === origin;
    } catch {
      return false;
    }
  };

  ipcMain.on(DESKTOP_CHANNELS.config, (event) => {
    // Only our own page gets the operator token.
    const frameUrl = event.senderFrame?.url ?? '';
    event.returnValue = sameOrigin(frameUrl) ? { baseUrl: url, operatorToken: app.operatorToken } : null;
  });
  ipcMain.on(DESKTOP_CHANNELS.setPendingCount, (event, count: unknown) => {
    if (!sameOrigin(event.senderFrame?.url ?? '')) return;
    if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) showPendingCount(count);
  });

  const iconPath = options.iconPath ?? join(packageRoot(), 'build', 'icon.png');
  const icon = nativeImage.createFromPath(iconPath);
  const preload = options.preloadPath ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'preload.cjs');

  function createWindow(): DesktopWindow {
    const w = new BrowserWindow({
      width: 1200,
      height: 800,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Warden',
      icon,
      webPreferences: {
        preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    // The window shows the app and nothing else: links elsewhere open in the browser, never here.
    const openOutside = (target: string) => {
      if (/^https?:\/\//i.test(target)) void shell.openExternal(target);
    };
    w.webContents.on('will-navigate', (event, target) => {
      if (sameOrigin(target)) return;
      event.preventDefault();
      openOutside(target);
    });
    w.webContents.on('will-redirect', (event, target) => {
      if (!sameOrigin(target)) event.preventDefault();
    });
    // The page needs no camera, microphone, location, clipboard or web notifications (native
    // ones come from this process), and no <webview>.
    w.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    w.webContents.session.setPermissionCheckHandler(() => false);
    w.webContents.on('will-attach-webview', (event) => event.preventDefault());
    w.webContents.setWindowOpenHandler(({ url: target }) => {
      if (!sameOrigin(target)) openOutside(target);
      return { action: 'deny' };
    });
    w.once('ready-to-show', () => w.show());
    // Closing the window keeps Warden running in the tray: agents still need answers.
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      w.hide();
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    void w.loadURL(`${url}/`);
    return w;
  }

  const quit = async () => {
    quitting = true;
    stopped ??= (async () => {
      notifier.closeAll();
      await app.stop();
    })();
    await stopped;
    eApp.quit();
  };

  tray = new Tray(icon);
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Warden', click: () => focus() },
      {
        label: 'Stop all agents',
        click: () => {
          void client.call('engageKillSwitch', { body: { reason: 'Stopped from the tray' } }).catch((err: unknown) => {
            notifier.notice('Warden could not stop the agents', (err as Error).message);
          });
        },
      },
      { type: 'separator' },
      { label: 'Quit Warden', click: () => void quit() },
    ]),
  );
  tray.on('click', () => focus());
  showPendingCount(pending);

  win = createWindow();
  ready = true;
  if (focusQueued) focus((focusQueued as { approvalId?: string }).approvalId);

  // The tray keeps Warden alive with no window; only Quit (menu, Cmd+Q, logout) ends it, and it
  // stops the server and closes the database first.
  eApp.on('window-all-closed', () => {});
  eApp.on('activate', () => focus());
  eApp.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    void quit();
  });

  return {
    app,
    url,
    port: { requested, actual },
    window: () => win,
    tray,
    notifier,
    focus,
    quit,
  };
}
