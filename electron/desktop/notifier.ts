/**
 * The desktop adapter of the `Notifier` port: a native notification per new approval (with
 * Allow once / Deny buttons where the OS offers notification actions) that stays until answered
 * and closes once the approval is resolved or expires, one per budget pause, and the pending count
 * on the tray and the app badge.
 */
import type { ApprovalNotice, BudgetNotice, Notifier } from '../notifier.js';
import type { DesktopElectron } from './electron-api.js';

export type QuickDecision = 'allow_once' | 'deny';

export interface DesktopNotifierDeps {
  Notification: DesktopElectron['Notification'];
  platform: NodeJS.Platform;
  /** Brings the window forward; with an id, opens that approval in the inbox. */
  focus(approvalId?: string): void;
  /** A button on a notification was pressed. Failures (already resolved, expired) are reported by the caller. */
  decide(approvalId: string, decision: QuickDecision): Promise<void>;
  /** Shows the count on the tray and the app badge. */
  showPendingCount(count: number): void;
}

/** Buttons in this order; the `action` event reports the index. */
const QUICK_ACTIONS: readonly { text: string; decision: QuickDecision }[] = [
  { text: 'Allow once', decision: 'allow_once' },
  { text: 'Deny', decision: 'deny' },
];

export class DesktopNotifier implements Notifier {
  // INVARIANT: a shown notification stays referenced until it is clicked, answered or closed;
  // otherwise the garbage collector may drop it and its click handler with it.
  private readonly shown = new Map<string, Electron.Notification>();

  constructor(private readonly deps: DesktopNotifierDeps) {}

  /** macOS shows action buttons on notifications; elsewhere the click opens the inbox. */
  get supportsActions(): boolean {
    return this.deps.platform === 'darwin';
  }

  approvalRequested(notice: ApprovalNotice): void {
    if (!this.deps.Notification.isSupported()) return;
    const n = new this.deps.Notification({
      title: `${notice.agentName} asks to run ${notice.tool}`,
      body: notice.explanation,
      timeoutType: 'never',
      ...(this.supportsActions ? { actions: QUICK_ACTIONS.map((a) => ({ type: 'button' as const, text: a.text })) } : {}),
    });
    const key = `approval:${notice.approvalId}`;
    n.on('click', () => {
      this.forget(key, n);
      this.deps.focus(notice.approvalId);
    });
    n.on('action', (details, legacyIndex) => {
      this.forget(key, n);
      const index = typeof details?.actionIndex === 'number' ? details.actionIndex : legacyIndex;
      const action = QUICK_ACTIONS[index];
      if (action) void this.deps.decide(notice.approvalId, action.decision);
      else this.deps.focus(notice.approvalId);
    });
    n.on('close', () => this.forget(key, n));
    this.remember(key, n);
    n.show();
  }

  /** Decided elsewhere (the inbox, another operator) or expired: its buttons would only fail now. */
  approvalResolved(approvalId: string): void {
    const key = `approval:${approvalId}`;
    const n = this.shown.get(key);
    if (!n) return;
    this.shown.delete(key);
    n.close();
  }

  budgetPaused(notice: BudgetNotice): void {
    if (!this.deps.Notification.isSupported()) return;
    const where = notice.scope === 'global' ? 'All agents' : `${notice.scope} ${notice.scopeName ?? notice.scopeId}`;
    const n = new this.deps.Notification({
      title: `Budget paused: ${where}`,
      body: notice.reason || 'The spending cap was reached; its actions are blocked until you resume it.',
    });
    const key = `budget:${notice.scope}:${notice.scopeId}`;
    n.on('click', () => {
      this.forget(key, n);
      this.deps.focus();
    });
    n.on('close', () => this.forget(key, n));
    this.remember(key, n);
    n.show();
  }

  pendingCountChanged(count: number): void {
    this.deps.showPendingCount(count);
  }

  /** Shows a one-off notice (e.g. a quick decision that failed). */
  notice(title: string, body: string): void {
    if (!this.deps.Notification.isSupported()) return;
    new this.deps.Notification({ title, body }).show();
  }

  /** Closes every notification still on screen (quit). */
  closeAll(): void {
    for (const n of this.shown.values()) n.close();
    this.shown.clear();
  }

  private remember(key: string, n: Electron.Notification): void {
    this.shown.get(key)?.close();
    this.shown.set(key, n);
  }

  private forget(key: string, n: Electron.Notification): void {
    if (this.shown.get(key) === n) this.shown.delete(key);
  }
}
