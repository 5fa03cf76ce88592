/** The desktop Notifier adapter on its own, with the fake Notification class. */
import { describe, expect, it } from 'vitest';
import { DesktopNotifier, type QuickDecision } from '../../../electron/desktop/notifier.js';
import { fakeElectron, fakeEvent } from './fake-electron.js';

function setup(options: { platform?: NodeJS.Platform; supported?: boolean } = {}) {
  const fake = fakeElectron({ notificationsSupported: options.supported ?? true });
  const focused: (string | undefined)[] = [];
  const decided: [string, QuickDecision][] = [];
  const counts: number[] = [];
  const notifier = new DesktopNotifier({
    Notification: fake.electron.Notification,
    platform: options.platform ?? 'darwin',
    focus: (id) => focused.push(id),
    decide: async (id, d) => {
      decided.push([id, d]);
    },
    showPendingCount: (n) => counts.push(n),
  });
  return { fake, notifier, focused, decided, counts };
}

const notice = { approvalId: 'apr_1', agentName: 'coder', tool: 'shell.exec', explanation: 'no rule matches shell.exec', expiresAt: '2026-01-01T00:05:00Z' };

describe('DesktopNotifier', () => {
  it('shows nothing where the OS has no notifications, but still reports the count', () => {
    const { fake, notifier, counts } = setup({ supported: false });
    notifier.approvalRequested(notice);
    notifier.budgetPaused({ scope: 'global', scopeId: 'global', reason: 'cap hit' });
    notifier.pendingCountChanged(2);
    expect(fake.notifications).toHaveLength(0);
    expect(counts).toEqual([2]);
  });

  it('maps the buttons to allow_once and deny; an unknown action index only opens the inbox', () => {
    const { fake, notifier, decided, focused } = setup();
    notifier.approvalRequested(notice);
    notifier.approvalRequested({ ...notice, approvalId: 'apr_2' });
    notifier.approvalRequested({ ...notice, approvalId: 'apr_3' });
    const [a, b, c] = fake.notifications;
    expect(a!.options.body).toBe('no rule matches shell.exec');
    a!.emit('action', { actionIndex: 0 }, 0);
    b!.emit('action', { actionIndex: 1 }, 1);
    c!.emit('action', { actionIndex: 7 }, 7);
    expect(decided).toEqual([['apr_1', 'allow_once'], ['apr_2', 'deny']]);
    expect(focused).toEqual(['apr_3']);
  });

  it('offers no buttons off macOS', () => {
    const { fake, notifier } = setup({ platform: 'win32' });
    notifier.approvalRequested(notice);
    expect(fake.notifications[0]!.options.actions).toBeUndefined();
  });

  it('a repeated notice replaces the one on screen; closeAll clears what is left', () => {
    const { fake, notifier } = setup();
    notifier.approvalRequested(notice);
    notifier.approvalRequested(notice);
    expect(fake.notifications[0]!.closed).toBe(true);
    expect(fake.notifications[1]!.closed).toBe(false);
    notifier.budgetPaused({ scope: 'team', scopeId: 'red', reason: '' });
    notifier.closeAll();
    expect(fake.notifications.every((n) => n.closed)).toBe(true);
  });

  it('a resolved or expired approval closes its notification and no other', () => {
    const { fake, notifier } = setup();
    notifier.approvalRequested(notice);
    notifier.approvalRequested({ ...notice, approvalId: 'apr_2' });
    notifier.approvalResolved('apr_1');
    expect(fake.notifications.map((n) => n.closed)).toEqual([true, false]);
    // Already gone, answered on the notification, or never shown: nothing to close.
    notifier.approvalResolved('apr_1');
    fake.notifications[1]!.emit('action', { actionIndex: 0 }, 0);
    notifier.approvalResolved('apr_2');
    notifier.approvalResolved('apr_unknown');
    expect(fake.notifications.map((n) => n.closed)).toEqual([true, false]);
    notifier.closeAll();
    expect(fake.notifications[1]!.closed).toBe(false); // no longer tracked once answered
  });

  it('budget notices name the scope, fall back to a default reason, and open the window on click', () => {
    const { fake, notifier, focused } = setup();
    notifier.budgetPaused({ scope: 'global', scopeId: 'global', reason: 'spend reached the cap of $5.00' });
    notifier.budgetPaused({ scope: 'team', scopeId: 'red', reason: '' });
    notifier.budgetPaused({ scope: 'agent', scopeId: 'agt_0mx9', scopeName: 'crew-03', reason: '' });
    expect(fake.notifications.map((n) => n.options.title)).toEqual(['Budget paused: All agents', 'Budget paused: team red', 'Budget paused: agent crew-03']);
    expect(fake.notifications[1]!.options.body).toMatch(/blocked until you resume/);
    fake.notifications[0]!.emit('click', fakeEvent());
    expect(focused).toEqual([undefined]);
  });
});
