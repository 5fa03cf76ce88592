/**
 * The part of the `electron` module the desktop shell uses. The shell takes it as a parameter,
 * so main.ts passes the real module and the unit tests a small fake recording what happened.
 */
import type * as Electron from 'electron';

export type DesktopElectron = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'Tray' | 'Menu' | 'Notification' | 'nativeImage' | 'ipcMain' | 'shell'
>;

export type DesktopWindow = Electron.BrowserWindow;
export type DesktopTray = Electron.Tray;
