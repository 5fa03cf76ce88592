import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { type ActionBody, harness, until, type Harness } from '../../support/actions-harness.js';

let h: Harness;
const open: Harness[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});
async function start(opts: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const x = await harness(opts);
  open.push(x);
  return x;
}

/** With no policies the unmatched decision is ALERT: every action asks. */
async function alert(x: Harness, key: string, body: ActionBody = { tool: 'shell.exec', args: { command: 'ls' } }) {
  const res = await x.act(key, body);
  expect(res.status).toBe(200);
  expect(res.body.decision).toBe('ALERT');
  expect(res.body.status).toBe('pending_approval');
  return res.body as { id: string; approval_id: string; receipt_id: string };
}

describe('approval requests', () => {
  it('an ALERT opens a pending approval with the action, receipt, TTL and audit rows; the notifier and bus hear of it', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const apr = await h.api(h.op).answer('getApproval', { params: { id: action.approval_id } });
    expect(apr.status).toBe(200);
    expect(apr.body).toMatchObject({
      object: 'approval',
      status: 'pending',
      kind: 'action',
      agent_id: a.id,
      action_id: action.id,
      receipt_id: action.receipt_id,
      required_approvals: 1,
      decisions: [],
      resolution: null,
      grantable: true,
      action: { tool: 'shell.exec', args: { command: 'ls' } },
    });
    expect(Date.parse(apr.body.expires_at) - Date.parse(apr.body.created_at)).toBe(300_000);
    expect(h.notices).toEqual([expect.objectContaining({ approvalId: action.approval_id, agentName: 'alpha', tool: 'shell.exec' })]);
    expect(h.pendingCounts.at(-1)).toBe(1);
    expect(h.events.map((e) => e.type)).toEqual(expect.arrayContaining(['action.evaluated', 'approval.requested']));
    const audit = await h.api(h.op).answer('listAudit', { query: { agent_id: a.id } });
    expect(audit.body.data.map((e) => e.event_type)).toEqual(expect.arrayContaining(['action.evaluated', 'approval.requested']));
  });

  it("an approval names the action's categories and then those declared for its tool", async () => {
    h = await start();
    const tool = await h.api(h.op).answer('createTool', { body: { name: 'mail.send', categories: ['external_comm', 'pii'] } });
    expect(tool.status).toBe(201);
    const a = await h.agent('mailer');
    const asked = await alert(h, a.key, { tool: 'mail.send', categories: ['financial', 'pii'] });
    const approval = (await h.api(h.op).answer('getApproval', { params: { id: asked.approval_id } })).body;
    expect(approval.categories).toEqual(['financial', 'pii', 'external_comm']);
    const requested = h.events.find((e) => e.type === 'approval.requested');
    expect(requested?.data).toMatchObject({ id: asked.approval_id, categories: ['financial', 'pii', 'external_comm'] });
    expect((await alert(h, a.key)).approval_id).toBeTruthy();
    const plain = (await h.api(h.op).answer('listApprovals', { query: { status: 'pending' } })).body.data[0];
    expect(plain!.categories).toEqual([]);
  });

  it('an agent key cannot decide (403) and sees only its own approvals', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const action = await alert(h, a.key);
    const res = await h.decideRaw(action.approval_id, { decision: 'allow_once' }, a.key);
    expect(res.status).toBe(403);
    expect(errorBody(res.body).error.code).toBe('insufficient_scope');
    expect((await h.api(a.key).answer('getApproval', { params: { id: action.approval_id } })).status).toBe(200);
    expect((await h.raw('GET', `/v1/approvals/${action.approval_id}`, { key: b.key })).status).toBe(404);
    expect((await h.raw('GET', `/v1/approvals/${action.approval_id}/wait?timeout_s=0`, { key: b.key })).status).toBe(404);
    expect((await h.raw('GET', `/v1/actions/${action.id}`, { key: b.key })).status).toBe(404);
    const listB = await h.api(b.key).answer('listApprovals');
    expect(listB.body.data).toEqual([]);
    const listA = await h.api(a.key).answer('listApprovals', { query: { status: 'pending' } });
    expect(listA.body.data.map((x) => x.id)).toEqual([action.approval_id]);
  });

  it('deny reaches the agent with its reason; deciding again is 409 already_resolved', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const res = await h.decide(action.approval_id, { decision: 'deny', comment: 'not on prod' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'denied', resolution: 'deny', decisions: [{ decision: 'deny', comment: 'not on prod' }] });
    const act = await h.api(a.key).answer('getAction', { params: { id: action.id } });
    expect(act.body).toMatchObject({ status: 'denied', reason: 'not on prod' });
    const again = await h.decideRaw(action.approval_id, { decision: 'allow_once' });
    expect(again.status).toBe(409);
    expect(errorBody(again.body).error.code).toBe('already_resolved');
    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'approval.denied' } });
    expect(audit.body.data[0]).toMatchObject({ agent_id: a.id, actor: expect.stringMatching(/^operator:opr_/) });
    expect(audit.body.data[0]!.data.operators).toHaveLength(1);
  });

  it('allow_once moves the action to allowed', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const res = await h.decide(action.approval_id, { decision: 'allow_once' });
    expect(res.body).toMatchObject({ status: 'approved', resolution: 'allow_once', grant_id: null });
    expect((await h.api(a.key).answer('getAction', { params: { id: action.id } })).body.status).toBe('allowed');
    expect(h.pendingCounts.at(-1)).toBe(0);
    expect(h.events.filter((e) => e.type === 'approval.resolved')).toHaveLength(1);
  });

  it('approval_threshold 2 needs two distinct operators; the same operator twice does not count; one deny denies', async () => {
    h = await start();
    await h.settings({ approval_threshold: 2 });
    const second = await h.api(h.op).answer('createOperator', { body: { name: 'second' } });
    expect(second.status).toBe(201);
    const op2 = second.body.token as string;
    const a = await h.agent('alpha');

    const first = await alert(h, a.key);
    let res = await h.decide(first.approval_id, { decision: 'allow_once' });
    expect(res.body).toMatchObject({ status: 'pending', required_approvals: 2 });
    expect(res.body.decisions).toHaveLength(1);
    // Open inboxes learn of the counted allow at once; nothing is resolved yet.
    const decided = h.events.filter((e) => e.type === 'approval.decided');
    expect(decided).toHaveLength(1);
    expect(decided[0]!.data).toMatchObject({ id: first.approval_id, status: 'pending', decisions: [expect.objectContaining({ decision: 'allow_once' })] });
    expect(h.events.filter((e) => e.type === 'approval.resolved')).toHaveLength(0);
    const conflict = await h.decideRaw(first.approval_id, { decision: 'allow_once' });
    expect(conflict.status).toBe(409);
    expect(errorBody(conflict.body).error.code).toBe('state_conflict');
    res = await h.decide(first.approval_id, { decision: 'allow_once' }, op2);
    expect(res.body).toMatchObject({ status: 'approved', resolution: 'allow_once' });
    expect(res.body.decisions.map((d) => d.operator_name)).toEqual(['owner', 'second']);

    const other = await alert(h, a.key);
    await h.decide(other.approval_id, { decision: 'allow_once' });
    res = await h.decide(other.approval_id, { decision: 'deny', comment: 'no' }, op2);
    expect(res.body).toMatchObject({ status: 'denied', resolution: 'deny' });
  });

  it('allow_self_approval off: the operator who submitted the action may deny it but not approve it', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const res = await h.act(h.op, { tool: 'shell.exec', agent_id: a.id });
    expect(res.body.status).toBe('pending_approval');
    const self = await h.decideRaw(res.body.approval_id!, { decision: 'allow_once' });
    expect(self.status).toBe(403);
    await h.settings({ allow_self_approval: true });
    expect((await h.decide(res.body.approval_id!, { decision: 'allow_once' })).body.status).toBe('approved');
  });
});

describe('waiting', () => {
  it('a long-poll wakes the moment a decision lands, and every waiter on the approval wakes', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const waits = Array.from({ length: 5 }, () =>
      h.api(a.key).answer('waitApproval', { params: { id: action.approval_id }, query: { timeout_s: '55' } }),
    );
    await until(() => h.waiters() === 5);
    const t0 = Date.now();
    await h.decide(action.approval_id, { decision: 'allow_once' });
    const answers = await Promise.all(waits);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const res of answers) expect(res.body).toMatchObject({ status: 'approved', resolution: 'allow_once' });
    expect(h.waiters()).toBe(0);
  });

  it('times out on the clock and answers the approval as it is', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const wait = h.api(a.key).answer('waitApproval', { params: { id: action.approval_id }, query: { timeout_s: '10' } });
    await until(() => h.waiters() === 1);
    h.clock.advance(10_000);
    const res = await wait;
    expect(res.body.status).toBe('pending');
    expect(h.waiters()).toBe(0);
  });

  it('timeout_s above 55 is a 400', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const res = await h.raw('GET', `/v1/approvals/${action.approval_id}/wait?timeout_s=56`, { key: a.key });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('timeout_s');
  });

  it('POST /v1/actions?wait_s holds the answer until the decision and carries the final status', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const pending = h.act(a.key, { tool: 'email.send' }, { wait_s: 30 });
    await until(() => h.waiters() === 1);
    const apr = (await h.api(h.op).answer('listApprovals', { query: { status: 'pending' } })).body.data[0];
    await h.decide(apr!.id, { decision: 'deny', comment: 'spam' });
    const res = await pending;
    expect(res.body).toMatchObject({ decision: 'ALERT', status: 'denied', reason: 'spam', approval_id: apr!.id });

    const still = h.act(a.key, { tool: 'email.send' }, { wait_s: 5 });
    await until(() => h.waiters() === 1);
    h.clock.advance(5_000);
    expect((await still).body.status).toBe('pending_approval');
  });

  it('a client that disconnects frees its waiter at once', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    // node:http without pooling, so an abort closes exactly the waiting connection.
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const waits = controllers.map(
      (c) =>
        new Promise<string>((resolve) => {
          const req = httpRequest(`${h.url}/v1/approvals/${action.approval_id}/wait?timeout_s=55`, {
            headers: { authorization: `Bearer ${a.key}` },
            agent: false,
            signal: c.signal,
          });
          req.on('response', (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve(body));
          });
          req.on('error', (err) => resolve(err.name));
          req.end();
        }),
    );
    await until(() => h.waiters() === 3);
    controllers[0]!.abort();
    controllers[1]!.abort();
    expect(await waits[0]).toBe('AbortError');
    await until(() => h.waiters() === 1);
    await h.decide(action.approval_id, { decision: 'allow_once' });
    expect(JSON.parse(await waits[2]!).status).toBe('approved');
    expect(h.waiters()).toBe(0);
  });
});

describe('shutdown', () => {
  it('stopping the app answers in-flight long-polls at once with the current state', async () => {
    const x = await harness();
    const a = await x.agent('alpha');
    const action = await alert(x, a.key);
    const wait = x.api(a.key).answer('waitApproval', { params: { id: action.approval_id }, query: { timeout_s: '55' } });
    await until(() => x.waiters() === 1);
    const t0 = Date.now();
    const stopping = x.close();
    expect((await wait).body.status).toBe('pending');
    await stopping;
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('TTL reaper', () => {
  it('expires a pending request exactly at expires_at, wakes waiters with expired, and 409s a late decision', async () => {
    h = await start();
    await h.settings({ approval_ttl_seconds: 30 });
    const a = await h.agent('alpha');
    const action = await alert(h, a.key);
    const wait = h.api(a.key).answer('waitApproval', { params: { id: action.approval_id }, query: { timeout_s: '55' } });
    await until(() => h.waiters() === 1);
    h.clock.advance(29_999);
    expect((await h.api(h.op).answer('getApproval', { params: { id: action.approval_id } })).body.status).toBe('pending');
    h.clock.advance(1);
    const apr = await h.api(h.op).answer('getApproval', { params: { id: action.approval_id } });
    expect(apr.body).toMatchObject({ status: 'expired', resolution: 'expired', resolved_at: apr.body.expires_at });
    // The waiter's own timeout (55 s) had not come: it was woken by the expiry.
    expect((await wait).body.status).toBe('expired');
    expect((await h.api(a.key).answer('getAction', { params: { id: action.id } })).body.status).toBe('expired');
    const late = await h.decideRaw(action.approval_id, { decision: 'allow_once' });
    expect(late.status).toBe(409);
    expect(errorBody(late.body).error.code).toBe('approval_expired');
    const audit = await h.api(h.op).answer('listAudit', { query: { event_type: 'approval.expired' } });
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ actor: 'system', agent_id: a.id, subject_id: action.approval_id });
    expect(h.pendingCounts.at(-1)).toBe(0);
  });

  it('one timer serves many deadlines, each expiring at its own time', async () => {
    h = await start();
    await h.settings({ approval_ttl_seconds: 30 });
    const a = await h.agent('alpha');
    const first = await alert(h, a.key);
    h.clock.advance(10_000);
    const second = await alert(h, a.key);
    const status = async (id: string) => (await h.api(h.op).answer('getApproval', { params: { id } })).body.status;
    expect(h.app.services.approvals.reaperDeadline).toBe((await h.api(h.op).answer('getApproval', { params: { id: first.approval_id } })).body.expires_at);
    h.clock.advance(20_000);
    expect(await status(first.approval_id)).toBe('expired');
    expect(await status(second.approval_id)).toBe('pending');
    h.clock.advance(10_000);
    expect(await status(second.approval_id)).toBe('expired');
    expect(h.app.services.approvals.reaperDeadline).toBeNull();
  });

  it('after a restart, requests that expired while down are expired and audited; the others keep their deadline', async () => {
    const clock = new ManualClock();
    const first = await harness({ clock });
    const dataDir = first.dataDir;
    const a = await first.agent('alpha');
    const early = await alert(first, a.key);
    clock.advance(100_000);
    const late = await alert(first, a.key);
    await first.stop();

    clock.advance(250_000); // early expired at +300 s (now +350 s); late expires at +400 s
    const second = await start({ clock, dataDir });
    const get = async (id: string) => (await second.api(second.op).answer('getApproval', { params: { id } })).body;
    expect(await get(early.approval_id)).toMatchObject({ status: 'expired', resolution: 'expired' });
    expect((await get(early.approval_id)).resolved_at).toBe((await get(early.approval_id)).expires_at);
    expect((await get(late.approval_id)).status).toBe('pending');
    const audit = await second.api(second.op).answer('listAudit', { query: { event_type: 'approval.expired' } });
    expect(audit.body.data.map((e) => e.subject_id)).toEqual([early.approval_id]);
    expect(second.pendingCounts).toEqual([1]);

    // The pending one can still be decided, and would expire on time otherwise.
    clock.advance(49_999);
    expect((await get(late.approval_id)).status).toBe('pending');
    clock.advance(1);
    expect((await get(late.approval_id)).status).toBe('expired');
  });
});

describe('approval history', () => {
  it('lists operator decisions newest first, filtered by agent; an agent sees only its own', async () => {
    h = await start();
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    const x = await alert(h, a.key);
    const y = await alert(h, b.key, { tool: 'email.send' });
    await h.decide(x.approval_id, { decision: 'allow_once', comment: 'ok' });
    await h.decide(y.approval_id, { decision: 'deny' });
    const all = await h.api(h.op).answer('approvalHistory');
    expect(all.body.data.map((d) => [d.agent_id, d.tool, d.decision])).toEqual([
      [b.id, 'email.send', 'deny'],
      [a.id, 'shell.exec', 'allow_once'],
    ]);
    const onlyA = await h.api(h.op).answer('approvalHistory', { query: { agent_id: a.id } });
    expect(onlyA.body.data).toHaveLength(1);
    const asB = await h.api(b.key).answer('approvalHistory');
    expect(asB.body.data.map((d) => d.agent_id)).toEqual([b.id]);
  });
});
