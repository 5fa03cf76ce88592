/**
 * The preload of the Warden window: exposes exactly one object, `window.wardenDesktop`, typed by
 * shared/desktop-bridge.ts. It is CommonJS because sandboxed preloads cannot be ES modules, and it
 * imports nothing but `electron` because a sandboxed preload cannot require other files — so the
 * channel names are spelled here and a unit test checks they equal DESKTOP_CHANNELS.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (sandboxed preload)
import electron = require('electron');
import type { DesktopBridge } from '../shared/desktop-bridge.js' with { 'resolution-mode': 'import' };

const { contextBridge, ipcRenderer } = electron;

const CHANNELS = {
  config: 'warden:config',
  setPendingCount: 'warden:set-pending-count',
  focusApproval: 'warden:focus-approval',
} as const;

// Asked once, synchronously, so the renderer sees the token before its first line runs. The main
// process answers only frames of its own origin.
const config = ipcRenderer.sendSync(CHANNELS.config) as { baseUrl: string; operatorToken: string } | null;

const bridge = {
  baseUrl: config?.baseUrl ?? '',
  operatorToken: config?.operatorToken ?? '',
  platform: process.platform,
  setPendingCount(count: number): void {
    if (Number.isSafeInteger(count) && count >= 0) ipcRenderer.send(CHANNELS.setPendingCount, count);
  },
  onFocusApproval(handler: (approvalId: string) => void): () => void {
    const listener = (_event: Electron.IpcRendererEvent, approvalId: unknown) => {
      if (typeof approvalId === 'string') handler(approvalId);
    };
    ipcRenderer.on(CHANNELS.focusApproval, listener);
    return () => {
      ipcRenderer.removeListener(CHANNELS.focusApproval, listener);
    };
  },
} satisfies DesktopBridge;

contextBridge.exposeInMainWorld('wardenDesktop', bridge);
