/**
 * Electron entry: hands the real `electron` module to the desktop shell. Everything else lives in
 * electron/desktop/shell.ts (unit-tested with a fake) and createApp() (run under plain Node too).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, shell, Tray } from 'electron';
import { desktopArgs, startDesktop } from './desktop/shell.js';

// `npm start` runs Electron on the repo's node_modules, whose better-sqlite3 is built for Node:
// it hands over an addon built for Electron in WARDEN_SQLITE_BINDING (packaged apps need none).
const sqliteBinding = process.env.WARDEN_SQLITE_BINDING || undefined;

startDesktop(
  { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, shell, Tray },
  { ...desktopArgs(process.argv.slice(1)), ...(sqliteBinding ? { sqliteBinding } : {}) },
).catch((err: unknown) => {
  // A double-clicked app has no console: say it in a dialog too (e.g. a database newer than the app).
  console.error('warden: the desktop app could not start:', err);
  dialog.showErrorBox('Warden could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});
