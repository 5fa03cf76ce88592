/**
 * Where the operator token comes from, and keeping it out of the address bar.
 *
 * Electron: the preload hands it over as `window.wardenDesktop.operatorToken`.
 * Browser (headless `warden serve`): the printed URL carries it as `#token=…`; we move it to
 * sessionStorage (gone when the tab closes) and rewrite the URL before anything renders, so it
 * never lingers in history, screenshots or a shared screen.
 */
import type { DesktopBridge } from '../../../shared/desktop-bridge.js';

declare global {
  interface Window {
    wardenDesktop?: DesktopBridge;
  }
}

const STORAGE_KEY = 'warden.operatorToken';

export interface SessionSource {
  baseUrl: string;
  token: string | null;
  desktop: DesktopBridge | null;
}

function safeStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Reads the token from the bridge, the fragment or sessionStorage. Must run before the first
 * render: it strips `#token=…` from the address bar with history.replaceState.
 */
export function bootstrapSession(): SessionSource {
  const desktop = window.wardenDesktop ?? null;
  // The window loads the UI from the local server, so its origin is the API's when the bridge has none.
  if (desktop) return { baseUrl: desktop.baseUrl || window.location.origin, token: desktop.operatorToken || null, desktop };

  const storage = safeStorage();
  const fragment = new URLSearchParams(window.location.hash.replace(/^#\/?/, ''));
  const fromUrl = fragment.get('token');
  if (fromUrl !== null) {
    // INVARIANT: the token leaves the address bar before React renders anything.
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}#/inbox`);
    if (fromUrl) storage?.setItem(STORAGE_KEY, fromUrl);
  }
  return { baseUrl: window.location.origin, token: fromUrl || storage?.getItem(STORAGE_KEY) || null, desktop: null };
}

export function forgetToken(): void {
  safeStorage()?.removeItem(STORAGE_KEY);
}

export function rememberToken(token: string): void {
  safeStorage()?.setItem(STORAGE_KEY, token);
}
