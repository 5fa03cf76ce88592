/**
 * Golden policy fixtures (test/fixtures/policies/*.json): policies, settings, tool policies and
 * role overrides, and actions with the expected decision, block code and matched policy ids.
 * The same files run against the pure core (test/unit/core/fixtures.test.ts), and as one table
 * against every entry point — the core, `POST /v1/guardrails/evaluate`, `POST /v1/evaluate` and
 * `POST /v1/actions`
 * (test/integration/policies/fixtures.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionInput, AgentContext, Decision, GovernanceSettings, GuardrailPolicy, RoleOverride, Snapshot, ToolPolicy } from '../../../shared/core/types.js';
import { agentCtx, snapshot } from './snapshot.js';

export interface FixtureCase {
  name: string;
  /** A key of the fixture's `agents`; omitted means no agent. */
  agent?: string;
  action: ActionInput;
  decision: Decision['decision'];
  block_code: Decision['block_code'];
  /** Policy ids of the matched rules, in order, without repeats. */
  matched: string[];
  explanation?: string;
  grantable?: boolean;
  /** Core only: snapshot fields to override (agent fields merge into the case's agent). */
  state?: Partial<Omit<Snapshot, 'agent' | 'settings'>> & { agent?: Partial<AgentContext>; settings?: Partial<GovernanceSettings> };
}

export interface Fixture {
  file: string;
  description: string;
  /** False when the cases need state layers that the guardrails dry run leaves out. */
  http?: boolean;
  agents?: Record<string, { role?: string }>;
  policies: (Omit<GuardrailPolicy, 'status'> & { status?: GuardrailPolicy['status'] })[];
  settings?: Partial<GovernanceSettings>;
  tool_policies?: (Omit<ToolPolicy, 'restrictions'> & { restrictions?: ToolPolicy['restrictions'] })[];
  role_overrides?: RoleOverride[];
  cases: FixtureCase[];
}

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'policies');

/** Agent ids in fixtures are `agt_fixture_<key>`; the HTTP run swaps in real ids. */
export const fixtureAgentId = (key: string) => `agt_fixture_${key}`;

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Omit<Fixture, 'file'>) }));
}

export const matchedIds = (d: { matched: { policy_id: string }[] }) => [...new Set(d.matched.map((m) => m.policy_id))];

/** The snapshot the pure core decides a case on: the fixture's policies, its agent and the case's state. */
export function coreSnapshot(fx: Fixture, c: FixtureCase): Snapshot {
  const role = c.agent ? (fx.agents?.[c.agent]?.role ?? null) : null;
  const baseAgent = c.agent ? agentCtx({ id: fixtureAgentId(c.agent), name: c.agent, role }) : fx.http === false ? agentCtx({ id: 'agt_fixture' }) : null;
  const { agent: agentOver, settings: settingsOver, ...state } = c.state ?? {};
  return snapshot({
    policies: fx.policies.map((p) => ({ status: 'active' as const, ...p })),
    settings: { ...fx.settings, ...settingsOver },
    tool_policies: (fx.tool_policies ?? []).map((t) => ({ restrictions: {}, ...t })),
    role_overrides: fx.role_overrides ?? [],
    agent: baseAgent ? { ...baseAgent, ...agentOver } : null,
    ...state,
  });
}
