/**
 * The one object the Electron preload exposes to the renderer as `window.wardenDesktop`.
 * In a plain browser (headless mode) it is absent and the renderer reads the operator token
 * from the URL fragment instead.
 */
export interface DesktopBridge {
  /** Base URL of the local API, e.g. `http://127.0.0.1:7419`. */
  readonly baseUrl: string;
  /** The operator token; never placed in a URL. */
  readonly operatorToken: string;
  readonly platform: string;
  /** Tells the main process how many approvals are pending (tray badge). */
  setPendingCount(count: number): void;
  /** Registers a handler for "open this approval" (a notification was clicked); returns an unsubscribe. */
  onFocusApproval(handler: (approvalId: string) => void): () => void;
}

export const DESKTOP_CHANNELS = {
  /** Synchronous: the preload asks the main process for `{baseUrl, operatorToken}` once. */
  config: 'warden:config',
  setPendingCount: 'warden:set-pending-count',
  focusApproval: 'warden:focus-approval',
} as const;
