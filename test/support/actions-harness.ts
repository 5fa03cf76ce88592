/** Helpers shared by the actions, approvals, grants and reports integration tests. */
import { ManualClock } from '../../electron/common/clock.js';
import type { ApprovalNotice, Notifier } from '../../electron/notifier.js';
import type { WardenEvent } from '../../shared/events.js';
import type { RouteInput } from '../../shared/api/contract.js';
import type { Routes } from '../../shared/api/index.js';
import { startTestApp, type RawAnswer, type Reply, type TestApp } from './app.js';

type Input<N extends keyof Routes> = RouteInput<Routes[N]>;
/** The body of POST /v1/actions. */
export type ActionBody = Input<'createAction'>['body'];
/** The `grant` of an allow-always decision. */
export type GrantInput = NonNullable<Input<'decideApproval'>['body']['grant']>;

export interface Harness extends TestApp {
  clock: ManualClock;
  notices: ApprovalNotice[];
  pendingCounts: number[];
  events: WardenEvent[];
  /** POST /v1/actions with an agent key. */
  act(key: string, body: Input<'createAction'>['body'], query?: Input<'createAction'>['query']): Promise<Reply<'createAction'>>;
  /** POST /v1/actions without the contract, for requests it refuses. */
  actRaw(key: string, body: unknown, query?: string): Promise<RawAnswer>;
  decide(approvalId: string, body: Input<'decideApproval'>['body'], key?: string): Promise<Reply<'decideApproval'>>;
  /** POST /v1/approvals/{id}/decision without the contract, for decisions it refuses. */
  decideRaw(approvalId: string, body: unknown, key?: string): Promise<RawAnswer>;
  settings(patch: Input<'updateGovernanceSettings'>['body']): Promise<void>;
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
    act: (key, body, query) => t.api(key).answer('createAction', { body, ...(query ? { query } : {}) }),
    actRaw: (key, body, query = '') => t.raw('POST', `/v1/actions${query}`, { key, body }),
    decide: (id, body, key) => t.api(key ?? t.op).answer('decideApproval', { params: { id }, body }),
    decideRaw: (id, body, key) => t.raw('POST', `/v1/approvals/${id}/decision`, { key: key ?? t.op, body }),
    async settings(patch) {
      await t.api(t.op).call('updateGovernanceSettings', { body: patch });
    },
    async allow(...tools) {
      await t.api(t.op).call('createGuardrail', {
        body: { name: `allow-${++policyN}`, rules: tools.map((tool) => ({ tool, decision: 'ALLOW' as const })) },
      });
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
