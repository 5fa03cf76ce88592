/**
 * Types of the pure decision core: everything the core may read about the world (a snapshot,
 * assembled by the caller with the time and counters in it) and what it answers (a decision with
 * a full trace). What an agent proposes (`ActionInput`) and the names a decision uses (verdicts,
 * layers, block codes) are the shared vocabulary, re-exported here for the core's modules. No I/O
 * happens on either side of this file.
 */
import type { BlockCode, BudgetScope, LayerName, LayerVerdict, Verdict } from '../vocabulary.js';

export { BLOCK_CODES, LAYERS } from '../vocabulary.js';
export type { BlockCode, BudgetScope, LayerName, Verdict } from '../vocabulary.js';
export type { ActionInput } from '../api/vocabulary.js';

export interface AgentContext {
  id: string;
  name: string;
  role: string | null;
  team_id: string | null;
  leader_agent_id: string | null;
  status: 'active' | 'disabled';
}

/** A budget that applies to the action's agent (its agent, team, mission or the global scope). */
export interface BudgetState {
  id: string;
  scope: BudgetScope;
  scope_id: string;
  /**
   * What a person calls the scope (the agent's or mission's name, the team id); sentences a
   * person or an agent reads use it instead of `scope_id`. Absent: the id is shown.
   */
  scope_name?: string;
  limit_micro_usd: number;
  spent_micro_usd: number;
  reserved_micro_usd: number;
  mode: 'warn' | 'cap';
  status: 'active' | 'paused';
}

export interface QuotaState {
  runs_per_hour: number;
  concurrent_executions: number;
  /** Actions this agent started in the rolling hour before `now`. */
  runs_last_hour: number;
  /** This agent's allowed actions not yet completed. */
  open_actions: number;
}

export interface ToolPolicy {
  id: string;
  tool_name: string;
  allowed: boolean;
  restrictions: { allowed_domains?: string[]; max_response_size_kb?: number };
}

export interface RoleOverride {
  id: string;
  role: string;
  tool_name: string;
  allowed: boolean;
}

/** What a guardrail rule may decide when it matches. */
export type RuleDecision = Verdict;

/** An expression guard: a string in the grammar of expr.ts, or a composition of guards. */
export type Guard = string | { all_of: Guard[] } | { any_of: Guard[] } | { not: Guard };

export interface GuardrailRule {
  tool?: string;
  connector?: string;
  agent_id?: string;
  role?: string;
  expr?: Guard;
  max_value?: number;
  decision: RuleDecision;
  /** Only on ALERT rules: no grant ever lifts the ALERT, and the Inbox offers no Allow always. */
  always_ask?: boolean;
}

export interface GuardrailPolicy {
  id: string;
  name: string;
  version: number;
  status: 'active' | 'disabled';
  rules: GuardrailRule[];
}

export interface GovernanceSettings {
  require_approval_for_external_comm: boolean;
  require_approval_for_public_writes: boolean;
  require_approval_for_permission_changes: boolean;
  allow_self_approval: boolean;
  approval_threshold: number;
  approval_ttl_seconds: number;
  category_flags: Record<string, boolean>;
  unmatched_decision: 'ALERT' | 'BLOCK';
  /** Tool globs whose Allow always needs a confirmation for any scope wider than the exact request. */
  high_risk_tools?: string[];
  /** Categories (the action's or its tool's) that make a tool high-risk in the same way. */
  high_risk_categories?: string[];
}

export interface GrantState {
  id: string;
  agent_id: string;
  tool: string;
  connector: string | null;
  /** Per-arg exact values or globs; null matches any args. */
  args_pattern: Record<string, unknown> | null;
  /** When set, the action must carry a finite `value` at most this (an amount scope). */
  max_value: number | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/**
 * Everything evaluation may read. The caller fills it (from SQLite, or hypothetical values for a
 * dry run); `now` is the only clock the core sees.
 */
export interface Snapshot {
  /** Epoch milliseconds. */
  now: number;
  agent: AgentContext | null;
  kill_switch: { engaged: boolean; reason: string | null };
  budgets: BudgetState[];
  quota: QuotaState | null;
  tool_policies: ToolPolicy[];
  role_overrides: RoleOverride[];
  /** Active guardrail policies, compiled and indexed once per change by `compileGuardrails`. */
  guardrails: CompiledGuardrails;
  settings: GovernanceSettings;
  grants: GrantState[];
  /** Extra facts for `$.context.*` guards (e.g. the mission). */
  context?: Record<string, unknown>;
  /**
   * What the built-in self-protection rules guard (shared/core/self-protection.ts). Filled by
   * the server for every decision; when absent, that layer abstains.
   */
  protected?: ProtectedPaths | null;
  /**
   * Categories declared for tools in the registry (`POST /v1/tools`), by tool name. The settings
   * layer gates an action on the union of these and the action's own `categories`.
   */
  tool_categories?: Readonly<Record<string, readonly string[]>>;
  /**
   * The review gates as they stand (shared/core/gates.ts): which resource types an active gate
   * policy governs and which resources are cleared. Absent or null: the gates layer abstains.
   */
  gates?: GateView | null;
}

/** A gate's or a submission's review state. */
export type GateReviewStatus = 'missing' | 'submitted' | 'approved' | 'conditional' | 'denied' | 'waived';

/** One policy that keeps a resource closed, and where its review stands. */
export interface GateBlock {
  policy_id: string;
  policy_name: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** The open stage (the first not passed); null when no solution holds the resource. */
  stage_id: string | null;
  stage_name: string | null;
  /** 1-based position of the open stage; null with `stage_id`. */
  stage_position: number | null;
  stage_count: number;
  /** The first gate of the open stage that has not passed. */
  gate_id: string | null;
  status: GateReviewStatus;
  /** The solution reviewing the resource; null when none holds it. */
  solution_id: string | null;
}

/**
 * The review gates, kept in memory by the server and replaced whole on every change: deciding
 * costs one hash lookup per resource of the action.
 */
export interface GateView {
  /** Resource types an active, non-draft policy governs → what a resource in no solution is waiting for. */
  readonly governed: ReadonlyMap<string, readonly GateBlock[]>;
  /** `type` + U+0000 + `id` of every resource an approved solution holds → the conditions it was approved under. */
  readonly allowed: ReadonlyMap<string, readonly string[]>;
  /** `type` + U+0000 + `id` of governed resources whose solutions are not approved → what blocks them. */
  readonly waiting: ReadonlyMap<string, readonly GateBlock[]>;
  /** Set when the view could not be built: the layer fails closed. */
  readonly error?: string;
}

/** Warden's own files, which no agent action may touch. */
export interface ProtectedPaths {
  /** Absolute path of Warden's data folder (token, database, WAL, backups). */
  data_dir: string;
  /** The operator's home folder, to read `~` and `$HOME` in paths; null when unknown. */
  home: string | null;
  /** Absolute paths of files that wire agents to Warden (Claude Code settings, MCP configs). */
  wiring_files: string[];
}

/**
 * Opaque result of `compileGuardrails(policies)` (shared/core/guardrails.ts): parsed guards and
 * rules indexed by tool and connector so evaluation does not scan every rule.
 */
export interface CompiledGuardrails {
  readonly kind: 'compiled_guardrails';
  readonly policies: readonly GuardrailPolicy[];
  /**
   * The rule index built by `compileGuardrails`. A value without it (built by hand) is indexed
   * on the fly by `evaluate`, so it stays correct, only slower.
   */
  readonly index?: GuardrailIndex;
}

/** What `$.ROOT` paths of an expression guard read (see shared/core/expr.ts). */
export interface GuardEnv {
  args?: unknown;
  context?: unknown;
  agent?: unknown;
  action?: unknown;
}

/** One rule of one active policy, with its guard compiled and its tool glob prepared. */
export interface CompiledRule {
  /** Position across all compiled rules (policy order, then rule order): matched rules report in it. */
  readonly ordinal: number;
  readonly policy: GuardrailPolicy;
  readonly rule_index: number;
  readonly rule: GuardrailRule;
  /** Set when `rule.tool` holds a `*` other than a trailing `.*`-style prefix glob. */
  readonly tool_glob: string | null;
  /** Compiled `expr`, or null when the rule has none. */
  readonly guard: ((env: GuardEnv) => boolean) | null;
  /** Why the rule could not be compiled; evaluation BLOCKs (fail closed) if such a rule is a candidate. */
  readonly error: string | null;
  // Copies of what every decision reads, so the hot path touches one object per candidate.
  readonly connector: string | null;
  readonly agent_id: string | null;
  readonly role: string | null;
  readonly max_value: number | null;
  readonly decision: RuleDecision;
  readonly always_ask: boolean;
  readonly policy_id: string;
  readonly policy_name: string;
  readonly policy_version: number;
}

/**
 * Rules by how they match a tool, so a decision looks up a handful of buckets instead of
 * scanning every rule: exact `tool` (then `connector`), a trailing-`*` prefix glob, or neither.
 */
export interface GuardrailIndex {
  /** Exact tool → connector → rules; connector `''` holds rules without a connector matcher. */
  readonly exact: ReadonlyMap<string, ReadonlyMap<string, readonly CompiledRule[]>>;
  /** Prefix of a trailing-`*` glob (`fs.` for `fs.*`) → rules. */
  readonly prefix: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Distinct prefix lengths present in `prefix`, so lookups try only those. */
  readonly prefix_lengths: readonly number[];
  /** Rules with no tool matcher, `*`, or another glob shape: checked for every action. */
  readonly any: readonly CompiledRule[];
  readonly rule_count: number;
}

export interface MatchedRule {
  policy_id: string;
  policy_name: string;
  policy_version: number;
  /** Index of the rule in its policy's `rules`. */
  rule: number;
  /** The rule itself, as written in that version. */
  rule_def: GuardrailRule;
  decision: RuleDecision;
  constraint_failed?: string;
}

export interface LayerResult {
  layer: LayerName;
  /** `ABSTAIN` when the layer has nothing to say about this action. */
  verdict: LayerVerdict;
  detail: string;
  /**
   * Guardrails of a shell command: each simple command (and each file it redirects into) with
   * its own verdict, and the grant that lifted it if one did.
   */
  commands?: CommandVerdict[];
  /** Gates layer on a BLOCK: every policy that keeps one of the action's resources closed. */
  gates?: GateBlock[];
}

export interface CommandVerdict {
  /** The simple command as written, or `> path` for a file a redirection writes. */
  text: string;
  verdict: Verdict;
  detail: string;
  grant_id?: string;
}

export interface Decision {
  decision: Verdict;
  block_code: BlockCode | null;
  /** One sentence a human can read in a notification. */
  explanation: string;
  matched: MatchedRule[];
  layers: LayerResult[];
  /** False when an ALERT is required by the governance settings: no allow-always is offered. */
  grantable: boolean;
  /** The grant that lifted a guardrail ALERT, if any. */
  grant_id: string | null;
}
