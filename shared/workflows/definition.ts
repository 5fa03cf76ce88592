/**
 * The shape of a workflow definition (../shared/spec/WORKFLOWS.md "Definition"): a state machine
 * an operator declares in YAML or JSON and Warden enforces. This file is the one description of
 * that shape; it checks each field on its own. What needs the whole definition (targets that
 * exist, a reachable terminal state, expressions that parse, JSON Schemas that compile, no cycle
 * of deterministic transitions) is checked by `electron/workflows/validate.ts`.
 *
 * Unknown keys are refused everywhere (strict objects), so a typo is an error with its path, not
 * a silently ignored field.
 */
import { z } from 'zod';
import { ACTION_LIMITS, TOOL_NAME_PATTERN } from '../vocabulary.js';

/** `a-z 0-9 -`, 3–40 characters, starting with a letter or digit. Unique and immutable. */
export const WORKFLOW_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;
/** State, transition, queue and evidence-kind names. */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Evidence kinds Warden writes itself; an agent may never record them. */
export const WARDEN_EVIDENCE_KINDS = ['human_approval', 'cli_output', 'action_allowed', 'rest_response'] as const;
export type WardenEvidenceKind = (typeof WARDEN_EVIDENCE_KINDS)[number];

/** Who may take a transition (WORKFLOWS.md "Actors"). */
export const TRANSITION_ACTORS = ['agent', 'human', 'system', 'deterministic'] as const;
export type TransitionActor = (typeof TRANSITION_ACTORS)[number];

export const LINK_FILTERS = ['all', 'by_guards'] as const;
export type LinkFilter = (typeof LINK_FILTERS)[number];

export const GUARD_KINDS = ['permission', 'role', 'expr', 'evidence', 'all_of', 'any_of', 'not'] as const;
export const EXECUTOR_KINDS = ['human', 'action', 'cli', 'rest'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

const Identifier = z.string().regex(IDENTIFIER_PATTERN, 'lowercase letters, digits and _, starting with a letter, up to 64');

/**
 * A JSON Schema (draft 2020-12) held as plain JSON; `validate.ts` compiles it with a maintained
 * validator and reports a schema that does not compile.
 */
export const JsonSchemaDocument = z.record(z.string(), z.unknown());

/**
 * A value templated from run data: a string that is a path (`$.workflow.input.service`,
 * `$.context.x`, `$.arguments.y`, `$.output.z`) takes that value; a string with `{{input.x}}`
 * placeholders is rendered; anything else is taken as is. Objects and arrays template each member.
 */
export const TemplatedValue: z.ZodType<unknown> = z.unknown();

export type Guard =
  | { kind: 'permission'; permission: string }
  | { kind: 'role'; role: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'evidence'; requires: { kind: string; count?: number | undefined }[] }
  | { kind: 'all_of'; guards: Guard[] }
  | { kind: 'any_of'; guards: Guard[] }
  | { kind: 'not'; guard: Guard };

/** A guard (WORKFLOWS.md "Guards"); combinations nest to any depth. */
export const GuardSchema: z.ZodType<Guard> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('permission'), permission: z.string().min(1).max(128) }),
    z.strictObject({ kind: z.literal('role'), role: z.string().min(1).max(64) }),
    z.strictObject({ kind: z.literal('expr'), expr: z.string().min(1).max(2000) }),
    z.strictObject({
      kind: z.literal('evidence'),
      requires: z.array(z.strictObject({ kind: Identifier, count: z.number().int().min(1).max(100).optional() })).min(1),
    }),
    z.strictObject({ kind: z.literal('all_of'), guards: z.array(GuardSchema).min(1) }),
    z.strictObject({ kind: z.literal('any_of'), guards: z.array(GuardSchema).min(1) }),
    z.strictObject({ kind: z.literal('not'), guard: GuardSchema }),
  ]),
);

/** Opens an approval in the operator's Inbox; allow records `human_approval` evidence. */
export const HumanExecutor = z.strictObject({
  kind: z.literal('human'),
  /** The Inbox queue label, e.g. `releases`. */
  queue: Identifier.optional(),
  /** Rendered from run data with `{{input.x}}`, `{{context.x}}`. */
  prompt: z.string().min(1).max(2000),
});

/** Submits a governed action through the six-layer pipeline as the run's agent. */
export const ActionExecutor = z.strictObject({
  kind: z.literal('action'),
  tool: z.string().min(1).max(ACTION_LIMITS.tool).regex(TOOL_NAME_PATTERN),
  connector: z.string().min(1).max(ACTION_LIMITS.connector).optional(),
  args: z.record(z.string(), TemplatedValue).optional(),
  value: TemplatedValue.optional(),
  categories: z.array(z.string().min(1).max(ACTION_LIMITS.category)).max(ACTION_LIMITS.categories).optional(),
  /** Estimated cost in USD, reserved against the run's budgets like an action's. */
  cost_estimate_usd: z.number().min(0).max(1_000_000).optional(),
});

/** Runs a local command as argv, never through a shell. */
export const CliExecutor = z.strictObject({
  kind: z.literal('cli'),
  argv: z.array(z.string().min(1).max(4096)).min(1).max(256),
  /** The working folder; must be one the operator declared for workflows. */
  cwd: z.string().min(1).max(4096).optional(),
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
});

/** An HTTP request to a declared connection (base URL and headers held by Warden). */
export const RestExecutor = z.strictObject({
  kind: z.literal('rest'),
  connection: Identifier,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  path: z.string().min(1).max(2048).regex(/^\//, 'starts with /'),
  body: TemplatedValue.optional(),
  max_attempts: z.number().int().min(1).max(10).optional(),
});

export const ExecutorSchema = z.discriminatedUnion('kind', [HumanExecutor, ActionExecutor, CliExecutor, RestExecutor]);
export type Executor = z.output<typeof ExecutorSchema>;

/** Maps an executor's result into context: `{ deployed_at: "$.output.completed_at" }`. */
export const OutputMapping = z.record(z.string().min(1).max(128), z.string().regex(/^\$\.output(\.|\[|$)/, 'a path under $.output'));

export const TransitionSchema = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  target: Identifier,
  actor: z.enum(TRANSITION_ACTORS).default('agent'),
  /** JSON Schema for the transition's `arguments`. */
  input_schema: JsonSchemaDocument.optional(),
  guards: z.array(GuardSchema).optional(),
  executor: ExecutorSchema.optional(),
  output: OutputMapping.optional(),
  /** Context keys set when the transition is taken, templated (`"$.arguments.passed"`). */
  set_context: z.record(z.string().min(1).max(128), TemplatedValue).optional(),
});
export type Transition = z.output<typeof TransitionSchema>;

export const StateSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  terminal: z.boolean().optional(),
  link_filter: z.enum(LINK_FILTERS).optional(),
  /** An executor run on entering the state (after the entering step commits). */
  on_enter: z.strictObject({ executor: ExecutorSchema, output: OutputMapping.optional() }).optional(),
  transitions: z.record(Identifier, TransitionSchema).optional(),
});
export type State = z.output<typeof StateSchema>;

export const WorkflowDefinitionSchema = z.strictObject({
  name: z.string().regex(WORKFLOW_NAME_PATTERN, 'a-z, 0-9 and -, 3 to 40 characters'),
  description: z.string().max(2000).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  input_schema: JsonSchemaDocument.optional(),
  initial_state: Identifier,
  initial_context: z.record(z.string(), z.unknown()).optional(),
  link_filter: z.enum(LINK_FILTERS).default('all'),
  states: z.record(Identifier, StateSchema).refine((s) => Object.keys(s).length > 0, 'at least one state'),
});
/** A definition as written (defaults may be omitted). */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
/** A definition after parsing, defaults filled. */
export type WorkflowDefinition = z.output<typeof WorkflowDefinitionSchema>;
