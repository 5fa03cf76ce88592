/**
 * The one row rule, over every route an agent key can reach, with two agents A and B. The table
 * is the route contract itself: each route's `rows` declaration says which answer B gets when it
 * reaches for A's rows, and A must get its own.
 * - read or act on another agent's row → 404 `not_found`, word for word the answer for an absent id;
 * - list → only the caller's rows; naming another agent in `agent_id` → 403 `insufficient_scope`;
 * - a request naming the agent it acts as → another agent is 403, the caller's own succeeds;
 * - shared → the same answer for every key; self → each key's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkRowAccess } from '../../../electron/server/row-access.js';
import { fillPath, type RouteDef, type RowOwner } from '../../../shared/api/contract.js';
import { routes, type RouteName } from '../../../shared/api/index.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

interface Key {
  id: string;
  key: string;
}

interface Fixture {
  t: TestApp;
  a: Key;
  b: Key;
  /** A's leader, whom A may name in a delegation request and B may not. */
  leader: Key;
  guardrailId: string;
  toolPolicyId: string;
  templateId: string;
  /** A gate policy over `model` resources: one stage, one approval gate `review`. */
  gatePolicyId: string;
}

interface Input {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: Record<string, unknown>;
}

type Reply = Awaited<ReturnType<TestApp['raw']>>;

const agentReachable = (Object.entries(routes) as [RouteName, RouteDef][]).filter(([, def]) => def.auth !== 'public' && def.auth !== 'operator');

/**
 * What a route needs, besides the row or agent under test, to succeed. A route that needs input
 * and is missing here fails its case with a 400.
 */
const INPUT: Partial<Record<RouteName, (fx: Fixture) => Input>> = {
  getGuardrail: (fx) => ({ params: { id: fx.guardrailId } }),
  listGuardrailVersions: (fx) => ({ params: { id: fx.guardrailId } }),
  getToolPolicy: (fx) => ({ params: { id: fx.toolPolicyId } }),
  getBudget: (fx) => ({ params: { scope: 'agent', scope_id: fx.a.id } }),
  listBudgetPeriods: (fx) => ({ params: { scope: 'agent', scope_id: fx.a.id } }),
  evaluateGuardrails: () => ({ body: { action: { tool: 'llm.call' } } }),
  // Rows of a report by local day and agent carry their agent_id.
  spendReport: () => ({ query: { group_by: 'agent_day' } }),
  evaluate: () => ({ body: { action: { tool: 'llm.call' } } }),
  createAction: () => ({ body: { tool: 'llm.call' } }),
  recordSpend: () => ({ body: { amount_micro_usd: 10 } }),
  completeAction: () => ({ body: { outcome: 'succeeded' } }),
  waitApproval: () => ({ query: { timeout_s: 0 } }),
  requestDelegation: () => ({ body: { wait_s: 0 } }),
  startWorkflowRun: () => ({ params: { name: 'row-flow' }, body: { input: {} } }),
  takeWorkflowTransition: () => ({ params: { transition: 'next' }, body: {} }),
  recordWorkflowEvidence: () => ({ body: { kind: 'note', data: {} } }),
  getWorkflow: () => ({ params: { name: 'rows-flow' } }),
  listWorkflowVersions: () => ({ params: { name: 'rows-flow' } }),
  getWorkflowVersion: () => ({ params: { name: 'rows-flow', version: '1' } }),
  getWorkflowTemplate: (fx) => ({ params: { id: fx.templateId } }),
  createSolution: () => ({ body: { name: 'for review', resources: [{ type: 'model', id: 'model-under-review' }] } }),
  updateSolution: () => ({ body: { name: 'renamed' } }),
  submitGate: (fx) => ({ params: { gate_id: 'review' }, body: { policy_id: fx.gatePolicyId } }),
  getGatePolicy: (fx) => ({ params: { id: fx.gatePolicyId } }),
  enforcementCheck: () => ({ query: { resource_type: 'model', resource_id: 'model-under-review' } }),
};

/** A one-step workflow whose runs every row case can read and step once. */
const ROW_FLOW = { name: 'row-flow', initial_state: 'open', states: { open: { transitions: { next: { target: 'closed' } } }, closed: { terminal: true } } };

async function startRun(fx: Fixture, who: Key): Promise<string> {
  const res = await fx.t.api(who.key).answer('startWorkflowRun', { params: { name: 'row-flow' }, body: { input: {} } });
  if (res.status !== 201) throw new Error(`cannot start a run: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

let models = 0;

/** A fresh solution of A's holding a model the gate policy governs. */
async function makeSolution(fx: Fixture): Promise<string> {
  const res = await fx.t.api(fx.a.key).answer('createSolution', { body: { name: `model ${++models}`, resources: [{ type: 'model', id: `model-${models}` }] } });
  if (res.status !== 201) throw new Error(`cannot create a solution: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

let asked = 0;

/** Asks as `who`, each time with a new command, so no earlier allow-always grant covers it. */
async function ask(fx: Fixture, who: Key, tool: 'llm.call' | 'shell.exec') {
  const res = await fx.t.api(who.key).answer('createAction', { body: { tool, args: { command: `make deploy-${++asked}` } } });
  if (res.status !== 200) throw new Error(`cannot ask ${tool}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; receipt_id: string; approval_id: string | null; status: string };
}

/** A fresh row of A's, in a state every route naming it can act on (an allowed action, a pending approval). */
const MAKE: Record<RowOwner, (fx: Fixture) => Promise<string>> = {
  action: async (fx) => (await ask(fx, fx.a, 'llm.call')).id,
  receipt: async (fx) => (await ask(fx, fx.a, 'llm.call')).receipt_id,
  approval: async (fx) => {
    const asked = await ask(fx, fx.a, 'shell.exec');
    if (!asked.approval_id) throw new Error(`shell.exec did not ask: ${asked.status}`);
    return asked.approval_id;
  },
  workflow_run: (fx) => startRun(fx, fx.a),
  solution: makeSolution,
  gate_submission: async (fx) => {
    const id = await makeSolution(fx);
    const res = await fx.t.api(fx.a.key).answer('submitGate', { params: { id, gate_id: 'review' }, body: { policy_id: fx.gatePolicyId } });
    if (res.status !== 201) throw new Error(`cannot submit: ${JSON.stringify(res.body)}`);
    return res.body.id;
  },
};

/** The absent id each kind of row would 404 with. */
const ABSENT: Record<RowOwner, string> = {
  action: 'act_absent',
  receipt: 'rcp_absent',
  approval: 'apr_absent',
  workflow_run: 'run_absent',
  solution: 'sol_absent',
  gate_submission: 'gsub_absent',
};

function call(fx: Fixture, def: RouteDef, key: string, input: Input): Promise<Reply> {
  const search = new URLSearchParams(Object.entries(input.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
  const path = fillPath(def.path, input.params) + (search ? `?${search}` : '');
  return fx.t.raw(def.method, path, { key, ...(input.body !== undefined ? { body: input.body } : {}) });
}

/** The rows of a list answer: `data` of a JSON list, or each line of a JSON Lines export. */
function rowsOf(reply: Reply): Record<string, unknown>[] {
  if (typeof reply.body === 'string') return reply.body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  if (reply.body && typeof reply.body === 'object' && !Array.isArray(reply.body) && 'data' in reply.body) return reply.body.data as Record<string, unknown>[];
  if (reply.body && typeof reply.body === 'object' && (reply.body as { object?: unknown }).object === 'spend_report') return (reply.body as { rows: Record<string, unknown>[] }).rows;
  return [reply.body as Record<string, unknown>];
}

/** A row is an agent's when it is about that agent, or (a delegation request) asked by it. */
const ownedBy = (row: Record<string, unknown>, agent: Key) => row.agent_id === agent.id || row.child_agent_id === agent.id;

function expectRefused(reply: Reply, status: 403 | 404, param?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(errorBody(reply.body).error.code).toBe(status === 403 ? 'insufficient_scope' : 'not_found');
  if (param) expect(errorBody(reply.body).error.param).toBe(param);
}

function expectOk(reply: Reply, def: RouteDef): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(def.status ?? 200);
}

let fx: Fixture;

beforeAll(async () => {
  const t = await startTestApp();
  const op = t.op;
  // llm.call is allowed at once; shell.exec asks (no matching rule → ALERT).
  const guardrail = await t.api(op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } });
  await t.api(op).answer('createTool', { body: { name: 'llm.call' } });
  const toolPolicy = await t.api(op).answer('createToolPolicy', { body: { tool_name: 'llm.call', allowed: true } });
  await t.api(op).answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  deployWorkflow(t.app, ROW_FLOW);
  const leader = await t.agent('leader');
  const a = await t.agent('agent-a', { leader_agent_id: leader.id });
  const b = await t.agent('agent-b');
  const flow = { name: 'rows-flow', initial_state: 'open', states: { open: { transitions: { close: { target: 'closed' } } }, closed: { terminal: true } } };
  await t.api(op).answer('createWorkflow', { body: { definition: flow } });
  const template = await t.api(op).answer('approveWorkflowTemplate', { params: { name: 'rows-flow' }, body: { template_name: 'rows-flow' } });
  const gatePolicy = await t.api(op).answer('createGatePolicy', {
    body: { name: 'model review', category: 'security', severity: 'high', applicable_resource_types: ['model'], stages: [{ id: 'one', name: 'Review', gates: [{ id: 'review', type: 'approval' }] }] },
  });
  fx = { t, a, b, leader, guardrailId: guardrail.body.id, toolPolicyId: toolPolicy.body.id, templateId: template.body.id, gatePolicyId: gatePolicy.body.id };
  await t.api(op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 10_000 } });
  // Room for every allowed action the table leaves open.
  await t.api(op).answer('updateQuota', { body: { concurrent_executions: 1000 } });

  // Rows of both agents in every list: actions and their audit rows, approvals, a grant and an
  // operator decision, spend.
  for (const who of [a, b]) {
    await ask(fx, who, 'llm.call');
    await t.api(who.key).answer('recordSpend', { body: { amount_micro_usd: 5 } });
    await startRun(fx, who);
    const granted = await ask(fx, who, 'shell.exec');
    const decided = await t.api(op).answer('decideApproval', { params: { id: granted.approval_id! }, body: { decision: 'allow_always' } });
    if (decided.status !== 200) throw new Error(`cannot decide: ${JSON.stringify(decided.body)}`);
    await t.api(who.key).answer('createSolution', { body: { name: `${who.id} model`, resources: [{ type: 'model', id: `model-of-${who.id}` }] } });
  }
});

afterAll(async () => {
  await fx?.t.close();
});

describe('row access: every route an agent key can reach, agent B against agent A', () => {
  it('covers routes of every kind', () => {
    const kinds = new Set(agentReachable.map(([, def]) => def.rows?.kind));
    expect([...kinds].sort()).toEqual(['act', 'as', 'list', 'read', 'self', 'shared']);
  });

  it.each(agentReachable)('%s', async (name, def) => {
    const rows = def.rows;
    if (!rows) return expect.fail(`${name} is reachable by an agent key and declares no rows scope`);
    const input = INPUT[name]?.(fx) ?? {};
    const { a, b, t } = fx;
    switch (rows.kind) {
      case 'self': {
        for (const who of [a, b]) {
          const reply = await call(fx, def, who.key, input);
          expectOk(reply, def);
          expect((reply.body as { id: string }).id).toBe(who.id);
        }
        return;
      }
      case 'shared': {
        const [ofA, ofB] = [await call(fx, def, a.key, input), await call(fx, def, b.key, input)];
        expectOk(ofA, def);
        expect(ofB.status).toBe(ofA.status);
        expect(ofB.body).toEqual(ofA.body);
        return;
      }
      case 'read':
      case 'act': {
        const id = await MAKE[rows.owner](fx);
        const foreign = await call(fx, def, b.key, { ...input, params: { ...input.params, id } });
        expectRefused(foreign, 404);
        // Word for word the answer for an id that does not exist: nothing tells B the row is there.
        const absent = await call(fx, def, b.key, { ...input, params: { ...input.params, id: ABSENT[rows.owner] } });
        expectRefused(absent, 404);
        expect(errorBody(foreign.body).error.message).toBe(errorBody(absent.body).error.message.replace(ABSENT[rows.owner], id));
        expectOk(await call(fx, def, a.key, { ...input, params: { ...input.params, id } }), def);
        if (rows.kind === 'read') expectOk(await call(fx, def, t.op, { ...input, params: { ...input.params, id } }), def);
        return;
      }
      case 'list': {
        expectRefused(await call(fx, def, b.key, { ...input, query: { ...input.query, agent_id: a.id } }), 403, 'agent_id');
        for (const who of [a, b]) {
          for (const query of [input.query ?? {}, { ...input.query, agent_id: who.id }]) {
            const reply = await call(fx, def, who.key, { ...input, query });
            expectOk(reply, def);
            const listed = rowsOf(reply);
            expect(listed.length, `${name} lists rows of ${who === a ? 'A' : 'B'}`).toBeGreaterThan(0);
            expect(listed.filter((row) => !ownedBy(row, who))).toEqual([]);
          }
        }
        // The operator token sees everything: A's rows when it asks for them, both agents' without a filter.
        const ofA = await call(fx, def, t.op, { ...input, query: { ...input.query, agent_id: a.id } });
        expectOk(ofA, def);
        expect(rowsOf(ofA).length).toBeGreaterThan(0);
        expect(rowsOf(ofA).filter((row) => !ownedBy(row, a))).toEqual([]);
        const all = rowsOf(await call(fx, def, t.op, input));
        expect(all.some((row) => ownedBy(row, a)) && all.some((row) => ownedBy(row, b))).toBe(true);
        return;
      }
      case 'as': {
        const field = rows.field ?? 'agent_id';
        const naming = (agent: Key): Input => ({ ...input, [rows.in]: { ...input[rows.in], [field]: agent.id } });
        expectRefused(await call(fx, def, b.key, naming(a)), 403, field);
        expectOk(await call(fx, def, a.key, naming(a)), def);
        if (rows.may === 'self_or_leader') {
          expectOk(await call(fx, def, a.key, naming(fx.leader)), def);
          expectRefused(await call(fx, def, b.key, naming(fx.leader)), 403, field);
        }
        const where = def[rows.in] as z.ZodObject | undefined;
        if (where?.shape[field]?.safeParse(undefined).success) {
          // Omitted, the agent is the caller.
          expectOk(await call(fx, def, a.key, input), def);
        }
        return;
      }
    }
  });
});

describe('a route an agent key can reach must declare its rows scope', () => {
  const base = { method: 'GET', path: '/v1/things', summary: 'things', tag: 'things', response: z.object({}) } as const;

  it('refuses one without a declaration, unless only the operator or anyone may call it', () => {
    expect(() => checkRowAccess('listThings', { ...base, auth: 'audit:read' })).toThrow(/declares no rows scope/);
    expect(() => checkRowAccess('listThings', { ...base, auth: 'authenticated' })).toThrow(/declares no rows scope/);
    expect(() => checkRowAccess('listThings', { ...base, auth: 'operator' })).not.toThrow();
    expect(() => checkRowAccess('listThings', { ...base, auth: 'public' })).not.toThrow();
  });

  it('refuses a declaration its schemas cannot carry', () => {
    expect(() => checkRowAccess('listThings', { ...base, auth: 'audit:read', rows: { kind: 'list' }, query: z.strictObject({ limit: z.number() }) })).toThrow(/query.agent_id/);
    expect(() => checkRowAccess('getThing', { ...base, auth: 'audit:read', rows: { kind: 'read', owner: 'action' } })).toThrow(/no :id/);
    expect(() => checkRowAccess('askThing', { ...base, auth: 'audit:read', rows: { kind: 'as', in: 'body' } })).toThrow(/body.agent_id/);
  });
});
