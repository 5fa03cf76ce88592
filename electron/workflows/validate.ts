/**
 * Whole-definition validation (WORKFLOWS.md "Definition"): the field-by-field shape is checked by
 * the zod schema in shared/workflows/definition.ts; what needs the whole definition is checked
 * here, before anything is stored. The first error found, in declaration order, is a 400
 * `invalid_parameter` whose `param` is a path into the definition
 * (`states.review.transitions.approve.guards[0].expr`). States that cannot be reached from the
 * initial state are not errors but `warnings` kept on the version.
 */
import type { z } from 'zod';
import { ExprError, parseWorkflowComparison } from '../../shared/core/expr.js';
import { WorkflowDefinitionSchema, type Guard, type WorkflowDefinition } from '../../shared/workflows/definition.js';
import { HttpError, formatPath, lowerFirst } from '../server/errors.js';
import { schemaError } from './json-schema.js';
import { templateFault } from './template-paths.js';

export interface DefinitionWarning {
  param: string;
  message: string;
}

export interface ValidDefinition {
  definition: WorkflowDefinition;
  warnings: DefinitionWarning[];
}

/** Names that are routes of their own under /v1/workflows. */
const RESERVED_NAMES = new Set(['from-template']);

const invalid = (param: string, message: string) => new HttpError(400, 'invalid_parameter', message, param);

/** The value at `path` in `input`, own properties only; undefined when a step is absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || typeof seg === 'symbol' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** The first zod issue as a 400 with the full path (no truncation: definitions nest deeply). */
function fromIssue(error: z.ZodError, input: unknown): HttpError {
  const issue = error.issues[0];
  if (!issue) return invalid('', 'the definition is invalid');
  if (issue.code === 'unrecognized_keys') {
    const param = formatPath([...issue.path, issue.keys[0] ?? '']);
    return invalid(param, `unknown field ${param}`);
  }
  const param = formatPath(issue.path);
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
    return new HttpError(400, 'missing_parameter', `${param} is required`, param);
  }
  if (issue.code === 'invalid_union' && valueAt(input, [...issue.path, 'kind']) !== undefined) {
    const kind = formatPath([...issue.path, 'kind']);
    return invalid(kind, `${kind}: unknown kind ${JSON.stringify(valueAt(input, [...issue.path, 'kind']))}`);
  }
  const message = lowerFirst(issue.message);
  return invalid(param, param ? `${param}: ${message}` : `the definition: ${message}`);
}

/** A guard and every guard nested in it, with their param paths, in declaration order. */
function* walkGuard(guard: Guard, param: string): Generator<{ guard: Guard; param: string }> {
  yield { guard, param };
  if (guard.kind === 'all_of' || guard.kind === 'any_of') {
    for (const [i, inner] of guard.guards.entries()) yield* walkGuard(inner, `${param}.guards[${i}]`);
  }
  if (guard.kind === 'not') yield* walkGuard(guard.guard, `${param}.guard`);
}

function* guardsOf(guards: readonly Guard[], base: string): Generator<{ guard: Guard; param: string }> {
  for (const [i, guard] of guards.entries()) yield* walkGuard(guard, `${base}[${i}]`);
}

function checkSchema(schema: Record<string, unknown> | undefined, param: string): void {
  if (!schema) return;
  const why = schemaError(schema);
  if (why) throw invalid(param, `${param} is not a valid JSON Schema (draft 2020-12): ${why}`);
}

function checkTemplates(value: unknown, param: string): void {
  if (value === undefined) return;
  const fault = templateFault(value, param);
  if (fault) throw invalid(fault.param, fault.message);
}

/** States reachable from `from` along transitions that `follow` keeps. */
function reachable(def: WorkflowDefinition, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const t of Object.values(def.states[state]?.transitions ?? {})) {
      if (!seen.has(t.target)) {
        seen.add(t.target);
        queue.push(t.target);
      }
    }
  }
  return seen;
}

/** A cycle made only of `deterministic` transitions, as the transitions' params in order, or null. */
function deterministicCycle(def: WorkflowDefinition): string[] | null {
  const done = new Set<string>();
  const onPath: string[] = [];
  const params: string[] = [];
  const visit = (state: string): string[] | null => {
    if (done.has(state)) return null;
    const at = onPath.indexOf(state);
    if (at >= 0) return params.slice(at);
    onPath.push(state);
    for (const [name, t] of Object.entries(def.states[state]?.transitions ?? {})) {
      if (t.actor !== 'deterministic') continue;
      params.push(`states.${state}.transitions.${name}`);
      const cycle = visit(t.target);
      if (cycle) return cycle;
      params.pop();
    }
    onPath.pop();
    done.add(state);
    return null;
  };
  for (const state of Object.keys(def.states)) {
    const cycle = visit(state);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Parses and checks a whole definition. Throws a 400 `HttpError` naming the first fault; returns
 * the parsed definition (defaults filled) and its warnings.
 */
export function validateDefinition(input: unknown): ValidDefinition {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('definition', 'the definition must be an object (a mapping in YAML)');
  }
  if (Object.hasOwn(input, 'workflows') && !Object.hasOwn(input, 'states')) {
    throw invalid('workflows', "this is the reference product's format (workflows: {NAME: …}); import it with ?format=flowgate, or `warden workflow import FILE`");
  }
  const parsed = WorkflowDefinitionSchema.safeParse(input);
  if (!parsed.success) throw fromIssue(parsed.error, input);
  const def = parsed.data;
  if (RESERVED_NAMES.has(def.name)) throw invalid('name', `${def.name} is reserved by the API (POST /v1/workflows/${def.name}); choose another name`);

  checkSchema(def.input_schema, 'input_schema');
  if (!Object.hasOwn(def.states, def.initial_state)) {
    throw invalid('initial_state', `initial_state ${def.initial_state} is not one of the states (${Object.keys(def.states).join(', ')})`);
  }

  for (const [stateName, state] of Object.entries(def.states)) {
    const transitions = Object.entries(state.transitions ?? {});
    if (state.terminal && transitions.length > 0) {
      throw invalid(`states.${stateName}.transitions`, `state ${stateName} is terminal and cannot have transitions`);
    }
    checkTemplates(state.on_enter?.executor, `states.${stateName}.on_enter.executor`);
    for (const [name, t] of transitions) {
      const base = `states.${stateName}.transitions.${name}`;
      if (!Object.hasOwn(def.states, t.target)) throw invalid(`${base}.target`, `${base}.target: no state named ${t.target}`);
      checkSchema(t.input_schema, `${base}.input_schema`);
      for (const { guard, param } of guardsOf(t.guards ?? [], `${base}.guards`)) {
        if (guard.kind !== 'expr') continue;
        try {
          parseWorkflowComparison(guard.expr);
        } catch (err) {
          const why = err instanceof ExprError ? err.message : 'invalid expression';
          throw invalid(`${param}.expr`, `${param}.expr: ${why}`);
        }
      }
      if (t.output && !t.executor) throw invalid(`${base}.output`, `${base}.output maps an executor's result, but the transition has no executor`);
      checkTemplates(t.set_context, `${base}.set_context`);
      checkTemplates(t.executor, `${base}.executor`);
      if (t.actor === 'deterministic' && t.executor?.kind === 'human') {
        throw invalid(`${base}.executor`, `${base}: a deterministic transition fires by itself and cannot wait on a human executor`);
      }
    }
  }

  const cycle = deterministicCycle(def);
  if (cycle) {
    const states = cycle.map((p) => p.split('.')[1]);
    throw invalid(`${cycle[0]}.actor`, `deterministic transitions form a cycle (${[...states, states[0]].join(' → ')}); a run would loop by itself`);
  }

  const fromInitial = reachable(def, def.initial_state);
  const terminals = Object.keys(def.states).filter((s) => def.states[s]?.terminal);
  if (!terminals.some((s) => fromInitial.has(s))) {
    throw invalid('states', `no terminal state is reachable from ${def.initial_state}; mark the end states with terminal: true`);
  }

  const warnings: DefinitionWarning[] = [];
  for (const [stateName, state] of Object.entries(def.states)) {
    if (!fromInitial.has(stateName)) {
      warnings.push({ param: `states.${stateName}`, message: `state ${stateName} cannot be reached from ${def.initial_state}` });
    } else if (!state.terminal && Object.keys(state.transitions ?? {}).length === 0) {
      warnings.push({ param: `states.${stateName}`, message: `state ${stateName} has no transitions and is not terminal: a run that enters it stays there` });
    } else if (!state.terminal && !terminals.some((s) => reachable(def, stateName).has(s))) {
      warnings.push({ param: `states.${stateName}`, message: `no terminal state can be reached from ${stateName}` });
    }
  }
  return { definition: def, warnings };
}
