/**
 * The policy file of `warden policy export|apply`: every guardrail policy, tool, tool policy,
 * role override, the governance settings and the quota configuration in one YAML document, and
 * the plan that turns the server's state into the file's (a diff of small, ordered changes).
 *
 * The file is authoritative for what it lists: a guardrail in it gets exactly its rules,
 * description and status; a section left out is left alone; things the server has and the file
 * does not are kept unless `--prune` asks to delete them.
 */
import { z } from 'zod';
import {
  GuardrailRuleSchema,
  PolicyName,
  PolicyStatus,
  QUOTA_KEYS,
  SettingsPatch,
  ToolRestrictions,
  type GovernanceSettingsObject,
  type GuardrailPolicyObject,
  type QuotaKey,
  type QuotaObject,
  type RoleOverrideObject,
  type ToolObject,
  type ToolPolicyObject,
} from '../../shared/api/policies.js';
import { ToolName } from '../../shared/api/vocabulary.js';
import type { WardenClient } from '../../shared/client.js';
import { canonical, same, show } from './policy-compare.js';
import { planGuardrails, rulesByAgentName } from './policy-guardrails.js';

export const FORMAT_VERSION = 1;

const QuotaOverrides = z.strictObject({
  runs_per_hour: z.number().int().positive().optional(),
  concurrent_executions: z.number().int().positive().optional(),
  memory_mb: z.number().int().positive().optional(),
});

export const PolicyFileSchema = z.strictObject({
  warden_policy: z.literal(FORMAT_VERSION).optional(),
  settings: SettingsPatch.optional(),
  quota: z
    .strictObject({
      overrides: QuotaOverrides.optional(),
      /** `agent` is a name or an `agt_` id. */
      agents: z.array(z.strictObject({ agent: z.string().min(1).max(100), overrides: QuotaOverrides })).optional(),
    })
    .optional(),
  tools: z
    .array(
      z.strictObject({
        name: ToolName,
        description: z.string().max(2000).nullable().optional(),
        categories: z.array(z.string().min(1).max(64)).max(50).optional(),
      }),
    )
    .optional(),
  tool_policies: z.array(z.strictObject({ tool_name: ToolName, allowed: z.boolean(), restrictions: ToolRestrictions.optional() })).optional(),
  role_overrides: z.array(z.strictObject({ role: z.string().min(1).max(64), tool_name: ToolName, allowed: z.boolean() })).optional(),
  guardrails: z
    .array(
      z.strictObject({
        name: PolicyName,
        description: z.string().max(2000).nullable().optional(),
        status: PolicyStatus.optional(),
        rules: z.array(GuardrailRuleSchema).min(1).max(1000),
      }),
    )
    .optional(),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** What the server runs now, as read through the API. */
export interface ServerState {
  guardrails: GuardrailPolicyObject[];
  tools: ToolObject[];
  toolPolicies: ToolPolicyObject[];
  roleOverrides: RoleOverrideObject[];
  settings: GovernanceSettingsObject;
  quota: QuotaObject;
  /** Agent id → name, for quota overrides written by name. */
  agentNames: Map<string, string>;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function loadServerState(client: WardenClient): Promise<ServerState> {
  const [guardrails, tools, toolPolicies, roleOverrides, settings, quota] = await Promise.all([
    all(client.paginate('listGuardrails', { query: { limit: 500 } })),
    all(client.paginate('listTools', { query: { limit: 500 } })),
    all(client.paginate('listToolPolicies', { query: { limit: 500 } })),
    all(client.paginate('listRoleOverrides', { query: { limit: 500 } })),
    client.call('getGovernanceSettings'),
    client.call('getQuota'),
  ]);
  const agentNames = new Map<string, string>();
  try {
    for await (const a of client.paginate('listAgents', { query: { limit: 500 } })) agentNames.set(a.id, a.name);
  } catch {
    /* an agent key cannot list agents: quota overrides then name agents by id */
  }
  return { guardrails, tools, toolPolicies, roleOverrides, settings, quota, agentNames };
}

const SETTINGS_KEYS = [
  'require_approval_for_external_comm',
  'require_approval_for_public_writes',
  'require_approval_for_permission_changes',
  'allow_self_approval',
  'approval_threshold',
  'approval_ttl_seconds',
  'category_flags',
  'unmatched_decision',
  'high_risk_tools',
  'high_risk_categories',
] as const;

function pickOverrides(o: Partial<Record<QuotaKey, number>>): Partial<Record<QuotaKey, number>> {
  const out: Partial<Record<QuotaKey, number>> = {};
  for (const k of QUOTA_KEYS) if (typeof o[k] === 'number') out[k] = o[k];
  return out;
}

/** The server's state as a policy file (what `warden policy export` writes). */
export function toPolicyFile(state: ServerState): PolicyFile {
  const byName = [...state.guardrails].sort((a, b) => a.name.localeCompare(b.name));
  const referenced = new Set([...state.toolPolicies.map((p) => p.tool_name), ...state.roleOverrides.map((o) => o.tool_name)]);
  const tools = state.tools
    .filter((t) => t.source === 'declared' || referenced.has(t.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.categories.length ? { categories: t.categories } : {}) }));
  return {
    warden_policy: FORMAT_VERSION,
    settings: Object.fromEntries(SETTINGS_KEYS.map((k) => [k, state.settings[k]])) as PolicyFile['settings'],
    quota: {
      overrides: pickOverrides(state.quota.overrides),
      agents: state.quota.agent_overrides
        .map((a) => ({ agent: state.agentNames.get(a.agent_id) ?? a.agent_id, overrides: pickOverrides(a.overrides) }))
        .filter((a) => Object.keys(a.overrides).length > 0)
        .sort((a, b) => a.agent.localeCompare(b.agent)),
    },
    tools,
    tool_policies: [...state.toolPolicies]
      .sort((a, b) => a.tool_name.localeCompare(b.tool_name))
      .map((p) => ({ tool_name: p.tool_name, allowed: p.allowed, ...(Object.keys(p.restrictions).length ? { restrictions: p.restrictions } : {}) })),
    role_overrides: [...state.roleOverrides]
      .sort((a, b) => a.role.localeCompare(b.role) || a.tool_name.localeCompare(b.tool_name))
      .map((o) => ({ role: o.role, tool_name: o.tool_name, allowed: o.allowed })),
    guardrails: byName.map((g) => ({ name: g.name, ...(g.description ? { description: g.description } : {}), status: g.status, rules: rulesByAgentName(g.rules, state.agentNames) })),
  };
}

/** One step of a plan: what it does, in words, and the call that does it. */
export interface Change {
  section: 'tools' | 'tool_policies' | 'role_overrides' | 'guardrails' | 'settings' | 'quota';
  op: 'create' | 'update' | 'delete';
  target: string;
  /** Detail lines (`- old`, `+ new`, `field: a → b`). */
  details: string[];
  apply(client: WardenClient): Promise<string>;
}

export interface Plan {
  changes: Change[];
  unchanged: number;
  /** Things the server has that the file does not list (kept without --prune). */
  kept: string[];
}

/** Resolves an agent written as a name or id in the file. */
function agentIdOf(state: ServerState, ref: string): string {
  if (ref.startsWith('agt_')) return ref;
  for (const [id, name] of state.agentNames) if (name === ref) return id;
  throw new Error(`quota.agents: no agent named ${JSON.stringify(ref)} (use its agt_ id, or create it first)`);
}

/** The ordered changes that make the server match the file: tools, access, guardrails, settings, quota. */
export function plan(file: PolicyFile, state: ServerState, opts: { prune: boolean; note?: string }): Plan {
  const changes: Change[] = [];
  const kept: string[] = [];
  let unchanged = 0;

  // Tools first: tool policies and overrides may only name tools the registry knows. Check
  // before changing anything, so a file naming an unknown tool fails whole, not halfway.
  const known = new Set(state.tools.map((t) => t.name));
  const declared = new Set([...known, ...(file.tools ?? []).map((t) => t.name)]);
  for (const [section, list] of [
    ['tool_policies', file.tool_policies ?? []],
    ['role_overrides', file.role_overrides ?? []],
  ] as const) {
    for (const [i, p] of list.entries()) {
      if (!declared.has(p.tool_name)) {
        throw new Error(`${section}[${i}].tool_name: ${p.tool_name} is not a tool Warden knows; list it under tools: (or check \`GET /v1/tools\`)`);
      }
    }
  }
  // A tool's categories decide approvals (external_comm, financial…), so what the file says of
  // a known tool is compared, never assumed: a tool only seen in actions is declared with the
  // file's description and categories (POST /v1/tools does that, audited as tool.declared).
  // A field the file leaves out is left alone; categories compare as a set.
  const registry = new Map(state.tools.map((t) => [t.name, t]));
  const categorySet = (c: readonly string[]) => [...new Set(c)].sort();
  for (const [i, t] of (file.tools ?? []).entries()) {
    const cur = registry.get(t.name);
    if (!cur) {
      changes.push({
        section: 'tools', op: 'create', target: t.name,
        details: [...(t.description ? [`description: ${t.description}`] : []), ...(t.categories?.length ? [`categories: ${canonical(t.categories)}`] : [])],
        apply: async (c) => `declared ${(await c.call('createTool', { body: t })).name}`,
      });
      continue;
    }
    const details: string[] = [];
    const description = t.description === undefined ? cur.description : t.description;
    const categories = t.categories === undefined ? cur.categories : categorySet(t.categories);
    if ((cur.description ?? null) !== (description ?? null)) details.push(`description: ${show(cur.description)} → ${show(description)}`);
    if (!same(categorySet(cur.categories), categorySet(categories))) details.push(`categories: ${canonical(cur.categories)} → ${canonical(categories)}`);
    if (details.length === 0) {
      unchanged++;
      continue;
    }
    if (cur.source === 'declared') {
      // The API has no way to change a declared tool (POST /v1/tools answers 409), and applying
      // the rest while dropping this would leave the file's categories silently unenforced.
      throw new Error(`tools[${i}]: ${t.name} is already declared and cannot be changed through the API (${details.join('; ')})`);
    }
    changes.push({
      section: 'tools', op: 'update', target: t.name, details: ['source: seen → declared', ...details],
      apply: async (c) => `declared ${(await c.call('createTool', { body: { name: t.name, description: description ?? null, categories } })).name}`,
    });
  }

  if (file.tool_policies) {
    const current = new Map(state.toolPolicies.map((p) => [p.tool_name, p]));
    const wanted = new Set<string>();
    for (const p of file.tool_policies) {
      wanted.add(p.tool_name);
      const cur = current.get(p.tool_name);
      const restrictions = p.restrictions ?? {};
      if (!cur) {
        changes.push({
          section: 'tool_policies', op: 'create', target: p.tool_name, details: [`allowed: ${p.allowed}`, ...(Object.keys(restrictions).length ? [`restrictions: ${canonical(restrictions)}`] : [])],
          apply: async (c) => `created ${(await c.call('createToolPolicy', { body: { ...p, restrictions } })).id}`,
        });
      } else if (cur.allowed !== p.allowed || !same(cur.restrictions, restrictions)) {
        const details = [];
        if (cur.allowed !== p.allowed) details.push(`allowed: ${cur.allowed} → ${p.allowed}`);
        if (!same(cur.restrictions, restrictions)) details.push(`restrictions: ${show(cur.restrictions)} → ${show(restrictions)}`);
        changes.push({
          section: 'tool_policies', op: 'update', target: p.tool_name, details,
          apply: async (c) => `updated ${(await c.call('updateToolPolicy', { params: { id: cur.id }, body: { allowed: p.allowed, restrictions } })).id}`,
        });
      } else unchanged++;
    }
    for (const cur of state.toolPolicies) {
      if (wanted.has(cur.tool_name)) continue;
      if (!opts.prune) kept.push(`tool policy ${cur.tool_name}`);
      else changes.push({ section: 'tool_policies', op: 'delete', target: cur.tool_name, details: [], apply: async (c) => `deleted ${(await c.call('deleteToolPolicy', { params: { id: cur.id } })).id}` });
    }
  }

  if (file.role_overrides) {
    const key = (o: { role: string; tool_name: string }) => `${o.role}\u0000${o.tool_name}`;
    const current = new Map(state.roleOverrides.map((o) => [key(o), o]));
    const wanted = new Set<string>();
    for (const o of file.role_overrides) {
      wanted.add(key(o));
      const cur = current.get(key(o));
      const target = `${o.role} / ${o.tool_name}`;
      if (cur && cur.allowed === o.allowed) {
        unchanged++;
        continue;
      }
      changes.push({
        section: 'role_overrides', op: cur ? 'update' : 'create', target,
        details: [cur ? `allowed: ${cur.allowed} → ${o.allowed}` : `allowed: ${o.allowed}`],
        // Overrides have no PATCH: a change is a delete and a create.
        apply: async (c) => {
          if (cur) await c.call('deleteRoleOverride', { params: { id: cur.id } });
          return `${cur ? 'replaced' : 'created'} ${(await c.call('createRoleOverride', { body: o })).id}`;
        },
      });
    }
    for (const cur of state.roleOverrides) {
      if (wanted.has(key(cur))) continue;
      const target = `${cur.role} / ${cur.tool_name}`;
      if (!opts.prune) kept.push(`role override ${target}`);
      else changes.push({ section: 'role_overrides', op: 'delete', target, details: [], apply: async (c) => `deleted ${(await c.call('deleteRoleOverride', { params: { id: cur.id } })).id}` });
    }
  }

  if (file.guardrails) {
    const g = planGuardrails(file.guardrails, state, opts);
    changes.push(...g.changes);
    kept.push(...g.kept);
    unchanged += g.unchanged;
  }

  if (file.settings) {
    const patch: Record<string, unknown> = {};
    const details: string[] = [];
    for (const k of SETTINGS_KEYS) {
      const want = file.settings[k];
      if (want === undefined || same(state.settings[k], want)) continue;
      patch[k] = want;
      details.push(`${k}: ${show(state.settings[k])} → ${show(want)}`);
    }
    if (details.length) {
      changes.push({
        section: 'settings', op: 'update', target: 'governance', details,
        apply: async (c) => `settings now v${(await c.call('updateGovernanceSettings', { body: patch })).version}`,
      });
    } else unchanged++;
  }

  if (file.quota) {
    const diffOverrides = (cur: Partial<Record<QuotaKey, number>>, want: Partial<Record<QuotaKey, number>>) => {
      const patch: Partial<Record<QuotaKey, number | null>> = {};
      const details: string[] = [];
      for (const k of QUOTA_KEYS) {
        const from = cur[k] ?? null;
        const to = want[k] ?? null;
        if (from === to) continue;
        patch[k] = to;
        details.push(`${k}: ${from ?? '(default)'} → ${to ?? '(default)'}`);
      }
      return { patch, details };
    };
    if (file.quota.overrides) {
      const { patch, details } = diffOverrides(state.quota.overrides, file.quota.overrides);
      if (details.length) {
        changes.push({ section: 'quota', op: 'update', target: 'profile', details, apply: async (c) => `quota now v${(await c.call('updateQuota', { body: patch })).version}` });
      } else unchanged++;
    }
    if (file.quota.agents) {
      const current = new Map(state.quota.agent_overrides.map((a) => [a.agent_id, a.overrides]));
      const wanted = new Set<string>();
      for (const a of file.quota.agents) {
        const agentId = agentIdOf(state, a.agent);
        wanted.add(agentId);
        const { patch, details } = diffOverrides(current.get(agentId) ?? {}, a.overrides);
        if (!details.length) {
          unchanged++;
          continue;
        }
        changes.push({ section: 'quota', op: 'update', target: `agent ${a.agent}`, details, apply: async (c) => `quota now v${(await c.call('updateQuota', { body: { agent_id: agentId, ...patch } })).version}` });
      }
      for (const [agentId, overrides] of current) {
        if (wanted.has(agentId) || Object.keys(pickOverrides(overrides)).length === 0) continue;
        const name = state.agentNames.get(agentId) ?? agentId;
        if (!opts.prune) {
          kept.push(`quota overrides of agent ${name}`);
          continue;
        }
        const { patch, details } = diffOverrides(overrides, {});
        changes.push({ section: 'quota', op: 'delete', target: `agent ${name}`, details, apply: async (c) => `quota now v${(await c.call('updateQuota', { body: { agent_id: agentId, ...patch } })).version}` });
      }
    }
  }
  return { changes, unchanged, kept };
}

/** The plan as people read it: `+` create, `~` update, `-` delete, grouped by section. */
export function formatPlan(p: Plan): string[] {
  const lines: string[] = [];
  const mark = { create: '+', update: '~', delete: '-' } as const;
  let section = '';
  for (const c of p.changes) {
    if (c.section !== section) {
      section = c.section;
      lines.push(`${section}:`);
    }
    lines.push(`  ${mark[c.op]} ${c.target}${c.op === 'delete' ? ' (delete)' : c.op === 'create' ? ' (new)' : ''}`);
    for (const d of c.details) lines.push(`      ${d}`);
  }
  for (const k of p.kept) lines.push(`  = ${k}: not in the file, kept (--prune deletes it)`);
  return lines;
}
