/**
 * The decision pipeline's seams (shared/core/evaluate.ts): which layer names a BLOCK when several
 * would, the budget and quota boundaries, the settings gate, and the safe defaults.
 */
import { describe, expect, it } from 'vitest';
import { cautionOf, DEFAULT_SETTINGS, evaluate, failClosed, killSwitchGate, mostCautious } from '../../../shared/core/evaluate.js';
import { LAYERS, type BudgetState, type GateBlock, type GrantState, type Snapshot, type Verdict } from '../../../shared/core/types.js';
import { agentCtx, policy, snapshot } from './snapshot.js';

const budget = (over: Partial<BudgetState> = {}): BudgetState => ({
  id: 'bud_1', scope: 'agent', scope_id: 'agt_test', limit_micro_usd: 1000, spent_micro_usd: 0, reserved_micro_usd: 0, mode: 'cap', status: 'active', ...over,
});
const grant = (over: Partial<GrantState> = {}): GrantState => ({
  id: 'gnt_1', agent_id: 'agt_test', tool: 'x', connector: null, args_pattern: null, max_value: null, expires_at: null, revoked_at: null, ...over,
});
const allowAll = policy('allow-all', [{ decision: 'ALLOW' }]);
const alertAll = policy('alert-all', [{ decision: 'ALERT' }]);
const gate = (s: Pick<Snapshot, 'kill_switch' | 'agent' | 'budgets'>, cost?: number) => killSwitchGate(cost === undefined ? {} : { cost_estimate_micro_usd: cost }, s);
const neutral = { kill_switch: { engaged: false, reason: null }, agent: agentCtx(), budgets: [] as BudgetState[] };

describe('verdict order', () => {
  it('BLOCK > ALERT > ALLOW, whichever comes first', () => {
    const all: Verdict[] = ['ALLOW', 'ALERT', 'BLOCK'];
    for (const a of all) for (const b of all) expect(mostCautious(a, b)).toBe(all[Math.max(all.indexOf(a), all.indexOf(b))]);
    expect([cautionOf('ALLOW'), cautionOf('ALERT'), cautionOf('BLOCK')]).toEqual([0, 1, 2]);
  });
});

describe('the safe defaults', () => {
  it('no self-approval, one approver, five minutes, nothing gated, unmatched actions ask', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      require_approval_for_external_comm: false,
      require_approval_for_public_writes: false,
      require_approval_for_permission_changes: false,
      allow_self_approval: false,
      approval_threshold: 1,
      approval_ttl_seconds: 300,
      category_flags: {},
      unmatched_decision: 'ALERT',
      high_risk_tools: ['shell.*', 'deploy.*', '*.deploy', 'payment.*', 'payments.*', 'iam.*'],
      high_risk_categories: ['deploy', 'payment', 'financial', 'permission_changes'],
    });
  });

  it('a snapshot without settings decides with the defaults (unmatched asks)', () => {
    const s = { ...snapshot(), settings: undefined as unknown as Snapshot['settings'] };
    expect(evaluate({ tool: 'x' }, s)).toMatchObject({ decision: 'ALERT', grantable: true });
  });

  it('only unmatched_decision BLOCK blocks an unmatched action; anything else asks', () => {
    expect(evaluate({ tool: 'x' }, snapshot({ settings: { unmatched_decision: 'BLOCK' } }))).toMatchObject({ decision: 'BLOCK', block_code: 'no_matching_rule' });
    expect(evaluate({ tool: 'x' }, snapshot({ settings: { unmatched_decision: 'nonsense' as 'ALERT' } })).decision).toBe('ALERT');
  });
});

describe('fail closed', () => {
  it('failClosed is a non-grantable BLOCK evaluation_error', () => {
    expect(failClosed('x')).toMatchObject({ decision: 'BLOCK', block_code: 'evaluation_error', grantable: false, grant_id: null, matched: [], layers: [] });
  });

  it.each([
    ['no tool', { tool: '' }],
    ['a tool that is not a string', { tool: 5 as unknown as string }],
    ['a value that is not a number', { tool: 'x', value: '5' as unknown as number }],
    ['a value that is not finite', { tool: 'x', value: Number.NaN }],
    ['an infinite value', { tool: 'x', value: Number.POSITIVE_INFINITY }],
    ['a negative estimate', { tool: 'x', cost_estimate_micro_usd: -1 }],
    ['a fractional estimate', { tool: 'x', cost_estimate_micro_usd: 1.5 }],
  ])('%s → BLOCK evaluation_error, even where every rule allows', (_name, action) => {
    expect(evaluate(action, snapshot({ policies: [allowAll] }))).toMatchObject({ decision: 'BLOCK', block_code: 'evaluation_error' });
  });

  it('a finite value and no value at all are fine', () => {
    expect(evaluate({ tool: 'x', value: 0 }, snapshot({ policies: [allowAll] })).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x' }, snapshot({ policies: [allowAll] })).decision).toBe('ALLOW');
  });
});

describe('the kill-switch gate', () => {
  it('abstains in a neutral world, with or without an agent', () => {
    expect(gate(neutral, 5).verdict).toBe('ABSTAIN');
    expect(gate({ ...neutral, agent: null }, 5).verdict).toBe('ABSTAIN');
  });

  it('the global switch comes before a disabled agent', () => {
    expect(gate({ ...neutral, kill_switch: { engaged: true, reason: null }, agent: agentCtx({ status: 'disabled' }) }).code).toBe('kill_switch');
    expect(gate({ ...neutral, agent: agentCtx({ status: 'disabled' }) }).code).toBe('agent_disabled');
  });

  it('an estimate that exactly fills a cap fits; one micro-USD more does not', () => {
    const b = budget({ spent_micro_usd: 600, reserved_micro_usd: 300 });
    expect(gate({ ...neutral, budgets: [b] }, 100)).toMatchObject({ verdict: 'ABSTAIN', code: null });
    expect(gate({ ...neutral, budgets: [b] }, 101)).toMatchObject({ verdict: 'BLOCK', code: 'budget_insufficient' });
  });

  it('reservations count as much as spend', () => {
    expect(gate({ ...neutral, budgets: [budget({ reserved_micro_usd: 1000 })] }, 1).code).toBe('budget_insufficient');
    expect(gate({ ...neutral, budgets: [budget({ spent_micro_usd: 1000 })] }, 1).code).toBe('budget_insufficient');
  });

  it('no estimate counts as zero: a full cap still admits it, an overfull one does not', () => {
    expect(gate({ ...neutral, budgets: [budget({ spent_micro_usd: 1000 })] }).verdict).toBe('ABSTAIN');
    expect(gate({ ...neutral, budgets: [budget({ spent_micro_usd: 1001 })] }).code).toBe('budget_insufficient');
  });

  it('an unreadable spend blocks (fail closed)', () => {
    expect(gate({ ...neutral, budgets: [budget({ spent_micro_usd: Number.NaN })] }, 0).code).toBe('budget_insufficient');
    expect(gate({ ...neutral, budgets: [budget({ reserved_micro_usd: Number.POSITIVE_INFINITY, limit_micro_usd: Number.POSITIVE_INFINITY })] }, 0).code).toBe('budget_insufficient');
  });

  it('a warn budget never blocks on spend, and every cap is checked, not only the first', () => {
    expect(gate({ ...neutral, budgets: [budget({ mode: 'warn', spent_micro_usd: 5000 })] }, 1).verdict).toBe('ABSTAIN');
    expect(gate({ ...neutral, budgets: [budget({ mode: 'warn', spent_micro_usd: 5000 }), budget({ id: 'bud_2', spent_micro_usd: 1000 })] }, 1).code).toBe('budget_insufficient');
    expect(gate({ ...neutral, budgets: [budget(), budget({ id: 'bud_2', spent_micro_usd: 1000 })] }, 1).code).toBe('budget_insufficient');
  });

  it('a paused budget anywhere in the list wins over an exhausted cap before it', () => {
    const budgets = [budget({ spent_micro_usd: 1000 }), budget({ id: 'bud_2', mode: 'warn', status: 'paused' })];
    expect(gate({ ...neutral, budgets }, 1).code).toBe('budget_paused');
  });

  it('throws on a malformed estimate (the caller blocks)', () => {
    expect(() => gate(neutral, -1)).toThrow();
    expect(() => gate(neutral, 0.5)).toThrow();
    expect(() => gate(neutral, Number.MAX_SAFE_INTEGER + 1)).toThrow();
    expect(() => gate(neutral, 0)).not.toThrow();
  });
});

describe('quota', () => {
  it('no quota: the layer abstains', () => {
    expect(evaluate({ tool: 'x' }, snapshot({ policies: [allowAll] })).layers.find((l) => l.layer === 'quota')?.verdict).toBe('ABSTAIN');
  });

  const quota = (runs_last_hour: number, open_actions: number) => ({ runs_per_hour: 5, concurrent_executions: 2, runs_last_hour, open_actions });
  it('blocks at the limits and not one below', () => {
    const d = (q: ReturnType<typeof quota>) => evaluate({ tool: 'x' }, { ...snapshot({ policies: [allowAll] }), quota: q });
    expect(d(quota(4, 1)).decision).toBe('ALLOW');
    expect(d(quota(5, 1)).block_code).toBe('quota_exceeded');
    expect(d(quota(4, 2)).block_code).toBe('quota_exceeded');
    expect(d(quota(6, 0)).block_code).toBe('quota_exceeded');
  });
});

describe('which layer names a BLOCK', () => {
  const killed = { kill_switch: { engaged: true, reason: null } };
  const overQuota = { quota: { runs_per_hour: 1, concurrent_executions: 1, runs_last_hour: 1, open_actions: 0 } };
  const denied = { tool_policies: [{ id: 'tp_1', tool_name: 'x', allowed: false, restrictions: {} }] };
  const blockRule = policy('no', [{ tool: 'x', decision: 'BLOCK' }]);
  const protectedPaths = { protected: { data_dir: '/data/warden', home: '/home/u', wiring_files: [] } };
  const readToken = { tool: 'x', args: { path: '/data/warden/operator.token' } };

  it.each([
    ['self-protection before the kill-switch', { ...protectedPaths, ...killed }, readToken, 'self_protection'],
    ['the kill-switch before quota', { ...killed, ...overQuota }, { tool: 'x' }, 'kill_switch'],
    ['quota before tool access', { ...overQuota, ...denied }, { tool: 'x' }, 'quota_exceeded'],
    ['tool access before guardrails', { ...denied }, { tool: 'x' }, 'tool_denied'],
  ] as const)('%s', (_name, over, action, code) => {
    const s = { ...snapshot({ policies: [blockRule] }), ...over } as Snapshot;
    const d = evaluate(action, s);
    expect(d).toMatchObject({ decision: 'BLOCK', block_code: code, grantable: false, grant_id: null });
    expect(d.layers.map((l) => l.layer)).toEqual(LAYERS);
    expect(d.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ABSTAIN');
  });

  it('a guardrails BLOCK is named by its rule, and a grant for the action does not change it', () => {
    const d = evaluate({ tool: 'x' }, snapshot({ policies: [blockRule], grants: [grant()] }));
    expect(d).toMatchObject({ decision: 'BLOCK', block_code: 'rule_blocked', grant_id: null });
  });

  it('every layer reports its own verdict', () => {
    const gated = { gates: { governed: new Map([['tool', [gateBlock]]]), allowed: new Map(), waiting: new Map() } };
    const d = evaluate(readToken, { ...snapshot({ policies: [allowAll] }), ...protectedPaths, ...killed, ...gated, ...overQuota, ...denied } as Snapshot);
    const v = Object.fromEntries(d.layers.map((l) => [l.layer, l.verdict]));
    expect(v).toEqual({ self_protection: 'BLOCK', kill_switch: 'BLOCK', gates: 'BLOCK', quota: 'BLOCK', tool_access: 'BLOCK', guardrails: 'ALLOW', settings: 'ABSTAIN', grants: 'ABSTAIN' });
  });
});

const gateBlock: GateBlock = {
  policy_id: 'gpol_1',
  policy_name: 'Tools',
  severity: 'high',
  stage_id: null,
  stage_name: null,
  stage_position: null,
  stage_count: 1,
  gate_id: 'g',
  status: 'missing',
  solution_id: null,
};

describe('the settings gate', () => {
  const s = (settings: NonNullable<Parameters<typeof snapshot>[0]>['settings'], over: Partial<Snapshot> = {}) => ({ ...snapshot({ policies: [allowAll], settings }), ...over });

  it.each([
    ['external_comm', { require_approval_for_external_comm: true }],
    ['public_writes', { require_approval_for_public_writes: true }],
    ['permission_changes', { require_approval_for_permission_changes: true }],
    ['financial', { category_flags: { financial: true } }],
  ] as const)('%s is gated by its setting, and only by it', (category, settings) => {
    const d = evaluate({ tool: 'x', categories: [category] }, s(settings));
    expect(d).toMatchObject({ decision: 'ALERT', grantable: false });
    expect(d.layers.find((l) => l.layer === 'settings')?.verdict).toBe('ALERT');
    expect(evaluate({ tool: 'x', categories: [category] }, s({})).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x', categories: ['other'] }, s(settings)).decision).toBe('ALLOW');
  });

  it('a flag set to false, or one only inherited, gates nothing', () => {
    expect(evaluate({ tool: 'x', categories: ['financial'] }, s({ category_flags: { financial: false } })).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x', categories: ['toString', 'constructor'] }, s({ category_flags: {} })).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x', categories: ['external_comm'] }, s({ require_approval_for_external_comm: 'yes' as unknown as boolean })).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x', categories: ['financial'] }, s({ category_flags: undefined as unknown as Record<string, boolean> })).decision).toBe('ALLOW');
  });

  it('a category flag gates a builtin category too, whatever its own setting', () => {
    expect(evaluate({ tool: 'x', categories: ['external_comm'] }, s({ require_approval_for_external_comm: false, category_flags: { external_comm: true } })).decision).toBe('ALERT');
  });

  it('the tool registry categories are gated too', () => {
    expect(evaluate({ tool: 'x' }, s({ category_flags: { financial: true } }, { tool_categories: { x: ['financial'] } })).decision).toBe('ALERT');
    expect(evaluate({ tool: 'x' }, s({ category_flags: { financial: true } }, { tool_categories: { y: ['financial'] } })).decision).toBe('ALLOW');
  });

  it('a gated action under a liftable ALERT is not lifted by a grant, nor offered Allow always', () => {
    const d = evaluate({ tool: 'x', categories: ['financial'] }, { ...snapshot({ policies: [alertAll], settings: { category_flags: { financial: true } }, grants: [grant()] }) });
    expect(d).toMatchObject({ decision: 'ALERT', grantable: false, grant_id: null });
    expect(d.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ABSTAIN');
  });
});

describe('the grants layer', () => {
  it('reports ALLOW with the grant when one lifts the ALERT, ABSTAIN otherwise', () => {
    const lifted = evaluate({ tool: 'x' }, snapshot({ policies: [alertAll], grants: [grant()] }));
    expect(lifted).toMatchObject({ decision: 'ALLOW', grant_id: 'gnt_1', grantable: false });
    expect(lifted.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ALLOW');
    const none = evaluate({ tool: 'x' }, snapshot({ policies: [alertAll] }));
    expect(none).toMatchObject({ decision: 'ALERT', grant_id: null, grantable: true });
    expect(none.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ABSTAIN');
  });

  it('an ALLOW needs no grant and uses none', () => {
    const d = evaluate({ tool: 'x' }, snapshot({ policies: [allowAll], grants: [grant()] }));
    expect(d).toMatchObject({ decision: 'ALLOW', grant_id: null, grantable: false });
    expect(d.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ABSTAIN');
  });

  it('an always_ask ALERT is neither lifted nor grantable', () => {
    const d = evaluate({ tool: 'x' }, snapshot({ policies: [policy('ask', [{ tool: 'x', decision: 'ALERT', always_ask: true }])], grants: [grant()] }));
    expect(d).toMatchObject({ decision: 'ALERT', grant_id: null, grantable: false });
    expect(d.layers.find((l) => l.layer === 'grants')?.verdict).toBe('ABSTAIN');
  });

  it('for a compound command, every asking part needs a grant; the receipt lists each part as allowed', () => {
    const s = (grants: GrantState[]) => snapshot({ policies: [alertAll], grants });
    const both = [grant({ id: 'gnt_a', tool: 'shell.exec', args_pattern: { command: 'npm test' } }), grant({ id: 'gnt_b', tool: 'shell.exec', args_pattern: { command: 'npm run lint' } })];
    const d = evaluate({ tool: 'shell.exec', args: { command: 'npm test && npm run lint' } }, s(both));
    expect(d).toMatchObject({ decision: 'ALLOW', grant_id: 'gnt_a' });
    const parts = d.layers.find((l) => l.layer === 'guardrails')?.commands;
    expect(parts?.map((p) => [p.text, p.verdict, p.grant_id])).toEqual([['npm test', 'ALLOW', 'gnt_a'], ['npm run lint', 'ALLOW', 'gnt_b']]);
    expect(evaluate({ tool: 'shell.exec', args: { command: 'npm test && npm run lint' } }, s([both[0]!])).decision).toBe('ALERT');
  });

  it('without a grant, the receipt lists each part with its own verdict', () => {
    const d = evaluate({ tool: 'shell.exec', args: { command: 'ls; rm x' } }, snapshot({ policies: [policy('ls', [{ tool: 'shell.exec', expr: "$.args.command command_starts_with 'ls'", decision: 'ALLOW' }])] }));
    expect(d.decision).toBe('ALERT');
    expect(d.layers.find((l) => l.layer === 'guardrails')?.commands?.map((p) => [p.text, p.verdict])).toEqual([['ls', 'ALLOW'], ['rm x', 'ALERT']]);
  });

  it('a single simple command has no per-part receipt', () => {
    const d = evaluate({ tool: 'shell.exec', args: { command: 'ls' } }, snapshot({ policies: [alertAll] }));
    expect(d.layers.find((l) => l.layer === 'guardrails')?.commands).toBeUndefined();
  });
});
