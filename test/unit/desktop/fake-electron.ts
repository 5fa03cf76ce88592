/**
 * A hand-written fake of the part of `electron` the desktop shell uses. It records what the shell
 * did (windows and their webPreferences, IPC handlers, tray calls, notifications) and lets a test
 * fire the events Electron would.
 */
import type { DesktopElectron } from '../../../electron/desktop/electron-api.js';

type Listener = (...args: any[]) => unknown;

export class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener): this {
    const wrapped: Listener = (...args) => {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== wrapped));
      return fn(...args);
    };
    return this.on(event, wrapped);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** An Electron-style event: `preventDefault()` is recorded. */
export function fakeEvent(extra: Record<string, unknown> = {}) {
  return { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...extra };
}

export class FakeWebContents extends Emitter {
  readonly sent: unknown[][] = [];
  readonly session = {
    requestHandler: null as ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
    checkHandler: null as ((...args: unknown[]) => boolean) | null,
    setPermissionRequestHandler(h: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void) {
      this.requestHandler = h;
    },
    setPermissionCheckHandler(h: (...args: unknown[]) => boolean) {
      this.checkHandler = h;
    },
  };
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

export class FakeWindow extends Emitter {
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  visible = false;
  minimized = false;
  destroyed = false;
  focusCount = 0;
  constructor(readonly options: Record<string, any>, registry: FakeWindow[]) {
    super();
    registry.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void { this.visible = true; }
  hide(): void { this.visible = false; }
  focus(): void { this.focusCount++; }
  isMinimized(): boolean { return this.minimized; }
  restore(): void { this.minimized = false; }
  isDestroyed(): boolean { return this.destroyed; }
  /** What Electron does when the user closes the window: `close` (cancellable), then `closed`. */
  userClose(): void {
    const e = fakeEvent();
    this.emit('close', e);
    if (!e.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
  }
}

export class FakeNotification extends Emitter {
  shown = false;
  closed = false;
  constructor(readonly options: { title: string; body?: string; actions?: { type: string; text: string }[] }, registry: FakeNotification[]) {
    super();
    registry.push(this);
  }
  show(): void { this.shown = true; }
  close(): void {
    this.closed = true;
    this.emit('close', fakeEvent());
  }
}

export interface FakeElectron {
  electron: DesktopElectron;
  windows: FakeWindow[];
  notifications: FakeNotification[];
  app: Emitter & { locked: boolean; quitCalls: number; badge: number[]; appUserModelId: string | null };
  ipc: Emitter;
  tray: { created: number; tooltip: string | null; title: string | null; menu: any[] | null; emitter: Emitter };
  externalOpened: string[];
  iconPaths: string[];
  /** Sends an IPC message as a renderer frame at `frameUrl`; returns the event (with returnValue). */
  ipcSend(channel: string, frameUrl: string, ...args: unknown[]): { returnValue?: unknown };
}

/** `lockHeld`: whether another instance already holds the single-instance lock. */
export function fakeElectron(options: { lockHeld?: boolean; notificationsSupported?: boolean } = {}): FakeElectron {
  const windows: FakeWindow[] = [];
  const notifications: FakeNotification[] = [];
  const externalOpened: string[] = [];
  const iconPaths: string[] = [];
  const app = Object.assign(new Emitter(), { locked: false, quitCalls: 0, badge: [] as number[], appUserModelId: null as string | null });
  const ipc = new Emitter();
  const tray = { created: 0, tooltip: null as string | null, title: null as string | null, menu: null as any[] | null, emitter: new Emitter() };

  const electron = {
    app: Object.assign(app, {
      requestSingleInstanceLock: () => {
        if (options.lockHeld) return false;
        app.locked = true;
        return true;
      },
      quit: () => {
        app.quitCalls++;
      },
      exit: () => {},
      whenReady: () => Promise.resolve(),
      setBadgeCount: (n: number) => {
        app.badge.push(n);
        return true;
      },
      setAppUserModelId: (id: string) => {
        app.appUserModelId = id;
      },
    }),
    BrowserWindow: class extends FakeWindow {
      constructor(opts: Record<string, any>) {
        super(opts, windows);
      }
    },
    Notification: class extends FakeNotification {
      static isSupported() {
        return options.notificationsSupported ?? true;
      }
      constructor(opts: { title: string; body?: string }) {
        super(opts, notifications);
      }
    },
    Tray: class {
      constructor(_icon: unknown) {
        tray.created++;
      }
      setToolTip(text: string) { tray.tooltip = text; }
      setTitle(text: string) { tray.title = text; }
      setContextMenu(menu: { template: any[] }) { tray.menu = menu.template; }
      on(event: string, fn: Listener) { tray.emitter.on(event, fn); return this; }
    },
    Menu: { buildFromTemplate: (template: any[]) => ({ template }) },
    nativeImage: {
      createFromPath: (path: string) => {
        iconPaths.push(path);
        return { path };
      },
    },
    ipcMain: ipc,
    shell: {
      openExternal: async (url: string) => {
        externalOpened.push(url);
      },
    },
  };

  return {
    electron: electron as unknown as DesktopElectron,
    windows,
    notifications,
    app,
    ipc,
    tray,
    externalOpened,
    iconPaths,
    ipcSend(channel, frameUrl, ...args) {
      const event: { returnValue?: unknown; senderFrame: { url: string } } = { senderFrame: { url: frameUrl } };
      ipc.emit(channel, event, ...args);
      return event;
    },
  };
}
