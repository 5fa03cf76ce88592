/**
 * The port through which the app tells a human something needs them. The desktop adapter shows
 * native notifications and a tray badge; headless runs use `silentNotifier`.
 */
export interface ApprovalNotice {
  approvalId: string;
  agentName: string;
  tool: string;
  explanation: string;
  expiresAt: string;
}

export interface BudgetNotice {
  scope: string;
  scopeId: string;
  /** What the operator calls the scope (an agent's or mission's name); the title shows it over the id. */
  scopeName?: string;
  reason: string;
}

export interface Notifier {
  approvalRequested(notice: ApprovalNotice): void;
  /** The approval was decided (anywhere) or expired: what was shown for it is stale. */
  approvalResolved?(approvalId: string): void;
  budgetPaused(notice: BudgetNotice): void;
  pendingCountChanged(count: number): void;
}

export const silentNotifier: Notifier = {
  approvalRequested: () => {},
  budgetPaused: () => {},
  pendingCountChanged: () => {},
};
