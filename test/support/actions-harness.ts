/** Helpers shared by the actions, approvals, grants and reports integration tests. */
import { ManualClock } from '../../electron/common/clock.js';
import type { ApprovalNotice, Notifier } from '../../electron/notifier.js';
import type { WardenEvent } from '../../shared/events.js';
import { startTestApp, type TestApp } from './app.js';

export interface Harness extends TestApp {
  clock: ManualClock;
  notices: ApprovalNotice[];
  pendingCounts: number[];
  events: WardenEvent[];
  /** POST /v1/actions with an agent key. */
  act(key: string, body: Record<string, unknown>, query?: string): Promise<{ status: number; body: any }>;
  decide(approvalId: string, body: Record<string, unknown>, key?: string): Promise<{ status: number; body: any }>;
  settings(patch: Record<string, unknown>): Promise<void>;
  /** A guardrail policy with one ALLOW rule per tool. */
  allow(...tools: string[]): Promise<void>;
  waiters(): number;
}

export async function harness(opts: { dataDir?: string; clock?: ManualClock } = {}): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock();
  const notices: ApprovalNotice[] = [];
  const pendingCounts: number[] = [];
  const notifier: Notifier = {
    approvalRequested: (n) => notices.push(n),
    budgetPaused: () => {},
    pendingCountChanged: (n) => pendingCounts.push(n),
  };
  const t = await startTestApp({ clock, notifier, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  const events: WardenEvent[] = [];
  t.app.bus.subscribe((e) => events.push(e));
  let policyN = 0;
  return {
    ...t,
    clock,
    notices,
    pendingCounts,
    events,
    act: (key, body, query = '') => t.req('POST', `/v1/actions${query}`, { key, body }),
    decide: (id, body, key) => t.req('POST', `/v1/approvals/${id}/decision`, { key: key ?? t.op, body }),
    async settings(patch) {
      const res = await t.req('PATCH', '/v1/settings/governance', { key: t.op, body: patch });
      if (res.status !== 200) throw new Error(`settings: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async allow(...tools) {
      const res = await t.req('POST', '/v1/guardrails', {
        key: t.op,
        body: { name: `allow-${++policyN}`, rules: tools.map((tool) => ({ tool, decision: 'ALLOW' })) },
      });
      if (res.status !== 201) throw new Error(`guardrail: ${res.status} ${JSON.stringify(res.body)}`);
    },
    waiters: () => t.app.services.approvals.waiters.size,
  };
}

/** Resolves once `cond()` holds (checked every few ms of real time), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
