/**
 * Import of the reference product's workflow YAML (WORKFLOWS.md "Importing the reference
 * format"): `workflows: {NAME: {...}}` with camelCase keys becomes Warden's definition. Every
 * construct that cannot be carried as written is reported as a note with its path in the
 * imported file, never dropped silently:
 * - renamed names (Warden's name and identifier patterns) and mapped kinds are carried, noted;
 * - an executor Warden cannot run (an `mcp` tool on a server Warden has not registered, an
 *   unknown kind) is left out and reported — a run then does less, never more;
 * - a guard Warden cannot carry refuses the import (400): leaving a guard out would let through
 *   what the author meant to stop.
 * The result is then validated like any other definition.
 */
import { stringify } from 'yaml';
import type { ImportNote } from '../../shared/api/workflows.js';
import { wardenToolName } from '../mcp/governance.js';
import { HttpError } from '../server/errors.js';
import type { ParsedSource } from './source.js';

/** What the conversion asks Warden about the connections an executor names. */
export interface ConnectionLookup {
  /** An MCP server registered with Warden (`warden mcp add`). */
  mcpServer(name: string): boolean;
  /** A REST connection declared for workflow runs. */
  restConnection(name: string): boolean;
}

export interface Converted {
  parsed: ParsedSource;
  notes: ImportNote[];
  /** The workflow's name in the imported file. */
  sourceName: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `managerReview`, `manager-review` → `manager_review`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

const refuse = (path: string, message: string) => new HttpError(400, 'invalid_parameter', `cannot import: ${message}`, path);

class Converter {
  readonly notes: ImportNote[] = [];
  private readonly stateNames = new Map<string, string>();

  constructor(private readonly connections: ConnectionLookup) {}

  note(path: string, message: string, carried: boolean): void {
    this.notes.push({ path, message, carried });
  }

  /** An identifier in Warden's form, noting the rename. */
  ident(name: string, path: string, what: string): string {
    const converted = snakeCase(name);
    if (converted !== name) this.note(path, `${what} ${name} is named ${converted} (Warden identifiers are lowercase with _)`, true);
    return converted;
  }

  /** Copies the keys `map` knows (renamed), noting every other key as not carried. */
  keys(src: Obj, path: string, map: Record<string, string>, convert: (key: string, value: unknown, at: string) => unknown = (_k, v) => v): Obj {
    const out: Obj = {};
    for (const [key, value] of Object.entries(src)) {
      const at = `${path}.${key}`;
      const target = map[key];
      if (target === undefined) {
        this.note(at, `${key} has no equivalent in Warden and was not carried`, false);
        continue;
      }
      const converted = convert(key, value, at);
      if (converted !== undefined) out[target] = converted;
    }
    return out;
  }

  workflow(name: string, src: Obj, path: string): Obj {
    for (const state of Object.keys(isObj(src.states) ? src.states : {})) {
      this.stateNames.set(state, this.ident(state, `${path}.states.${state}`, 'state'));
    }
    const wardenName = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    if (wardenName !== name) this.note(`${path}`, `workflow ${name} is named ${wardenName} (Warden names use a-z, 0-9 and -)`, true);
    const out = this.keys(
      src,
      path,
      { description: 'description', tags: 'tags', inputSchema: 'input_schema', initialState: 'initial_state', initialContext: 'initial_context', linkFilter: 'link_filter', states: 'states' },
      (key, value, at) => {
        if (key === 'initialState') return typeof value === 'string' ? (this.stateNames.get(value) ?? value) : value;
        if (key === 'linkFilter') return this.linkFilter(value, at);
        if (key === 'states') return this.states(value, at);
        return value;
      },
    );
    return { name: wardenName, ...out };
  }

  linkFilter(value: unknown, path: string): unknown {
    if (value === 'byGuards') return 'by_guards';
    if (value === 'all') return 'all';
    throw refuse(path, `linkFilter ${JSON.stringify(value)} is not all or byGuards`);
  }

  states(src: unknown, path: string): Obj {
    if (!isObj(src)) throw refuse(path, 'states must be a mapping');
    const out: Obj = {};
    for (const [name, state] of Object.entries(src)) {
      const at = `${path}.${name}`;
      if (!isObj(state)) throw refuse(at, `state ${name} must be a mapping`);
      out[this.stateNames.get(name) ?? name] = this.keys(
        state,
        at,
        { description: 'description', terminal: 'terminal', linkFilter: 'link_filter', onEnter: 'on_enter', transitions: 'transitions' },
        (key, value, p) => {
          if (key === 'linkFilter') return this.linkFilter(value, p);
          if (key === 'onEnter') return this.onEnter(value, p);
          if (key === 'transitions') return this.transitions(value, p);
          return value;
        },
      );
    }
    return out;
  }

  onEnter(src: unknown, path: string): Obj | undefined {
    if (!isObj(src)) throw refuse(path, 'onEnter must be a mapping');
    const executor = this.executor(src.executor, `${path}.executor`, 'entering the state');
    if (!executor) {
      if (src.output !== undefined) this.note(`${path}.output`, 'output maps the result of an executor that was not carried, so it was not carried either', false);
      return undefined;
    }
    const out = this.keys(src, path, { executor: 'executor', output: 'output' }, (key, value) => (key === 'executor' ? executor : value));
    return out;
  }

  transitions(src: unknown, path: string): Obj {
    if (!isObj(src)) throw refuse(path, 'transitions must be a mapping');
    const out: Obj = {};
    for (const [name, t] of Object.entries(src)) {
      const at = `${path}.${name}`;
      if (!isObj(t)) throw refuse(at, `transition ${name} must be a mapping`);
      const converted = this.keys(
        t,
        at,
        { title: 'title', description: 'description', target: 'target', actor: 'actor', inputSchema: 'input_schema', guards: 'guards', executor: 'executor', output: 'output' },
        (key, value, p) => {
          if (key === 'target') return typeof value === 'string' ? (this.stateNames.get(value) ?? value) : value;
          if (key === 'guards') return this.guards(value, p);
          if (key === 'executor') return this.executor(value, p, `transition ${name}`);
          return value;
        },
      );
      if (t.executor !== undefined && converted.executor === undefined && converted.output !== undefined) {
        delete converted.output;
        this.note(`${at}.output`, 'output maps the result of an executor that was not carried, so it was not carried either', false);
      }
      out[this.ident(name, at, 'transition')] = converted;
    }
    return out;
  }

  guards(src: unknown, path: string): unknown[] {
    if (!Array.isArray(src)) throw refuse(path, 'guards must be a list');
    return src.map((g, i) => this.guard(g, `${path}[${i}]`));
  }

  guard(src: unknown, path: string): Obj {
    if (!isObj(src)) throw refuse(path, 'a guard must be a mapping');
    const kind = src.kind;
    const unknownKeys = (allowed: string[]) => {
      const extra = Object.keys(src).find((k) => !allowed.includes(k));
      if (extra) throw refuse(`${path}.${extra}`, `guard field ${extra} has no equivalent in Warden; leaving it out could weaken the guard`);
    };
    switch (kind) {
      case 'permission':
      case 'role':
      case 'expr':
        unknownKeys(['kind', kind]);
        return { ...src };
      case 'evidence': {
        unknownKeys(['kind', 'requires']);
        if (!Array.isArray(src.requires)) throw refuse(`${path}.requires`, 'evidence requires must be a list');
        return { kind: 'evidence', requires: src.requires.map((r, i) => this.requirement(r, `${path}.requires[${i}]`)) };
      }
      case 'allOf':
      case 'anyOf':
        unknownKeys(['kind', 'guards']);
        return { kind: kind === 'allOf' ? 'all_of' : 'any_of', guards: this.guards(src.guards, `${path}.guards`) };
      case 'not':
        unknownKeys(['kind', 'guard']);
        return { kind: 'not', guard: this.guard(src.guard, `${path}.guard`) };
      default:
        throw refuse(`${path}.kind`, `guard kind ${JSON.stringify(kind)} is unknown to Warden; leaving the guard out would let through what it stops`);
    }
  }

  requirement(src: unknown, path: string): Obj {
    const req = typeof src === 'string' ? { kind: src } : src;
    if (!isObj(req) || typeof req.kind !== 'string') throw refuse(path, 'an evidence requirement is a kind or {kind, count}');
    const extra = Object.keys(req).find((k) => k !== 'kind' && k !== 'count');
    if (extra) throw refuse(`${path}.${extra}`, `evidence field ${extra} has no equivalent in Warden`);
    let kind = req.kind;
    if (kind === 'human_request') {
      kind = 'human_approval';
      this.note(path, 'evidence human_request is human_approval in Warden, counted per distinct operator', true);
    } else {
      kind = this.ident(kind, path, 'evidence kind');
    }
    return req.count === undefined ? { kind } : { kind, count: req.count };
  }

  /** Warden's executor for `src`, or undefined (noted) when it cannot be carried. */
  executor(src: unknown, path: string, where: string): Obj | undefined {
    if (!isObj(src)) throw refuse(path, 'an executor must be a mapping');
    switch (src.kind) {
      case 'human':
        return this.humanExecutor(src, path, where);
      case 'rest':
        return this.restExecutor(src, path);
      case 'mcp':
        return this.mcpExecutor(src, path);
      case 'cli':
        return this.cliExecutor(src, path);
      default:
        this.note(`${path}.kind`, `executor kind ${JSON.stringify(src.kind)} is unknown to Warden; the executor was not carried`, false);
        return undefined;
    }
  }

  humanExecutor(src: Obj, path: string, where: string): Obj {
    const out = this.keys(src, path, { kind: 'kind', queue: 'queue', prompt: 'prompt' }, (key, value, p) =>
      key === 'queue' && typeof value === 'string' ? this.ident(value, p, 'queue') : value,
    );
    if (out.prompt === undefined) {
      out.prompt = `Approve ${where}`;
      this.note(path, `a human executor needs a prompt in Warden; "${String(out.prompt)}" was written`, true);
    }
    return out;
  }

  restExecutor(src: Obj, path: string): Obj {
    const out = this.keys(
      src,
      path,
      { kind: 'kind', connection: 'connection', method: 'method', path: 'path', body: 'body', idempotencyKey: 'idempotency_key', reliability: 'max_attempts' },
      (key, value, p) => {
        if (key === 'connection' && typeof value === 'string') return this.ident(value, p, 'connection');
        if (key === 'idempotencyKey') {
          this.note(p, value === false ? 'Warden always sends an Idempotency-Key derived from the run and step; idempotencyKey: false was not carried' : 'Warden derives the Idempotency-Key from the run and step', value !== false);
          return undefined;
        }
        if (key === 'reliability') return this.retries(value, p);
        return value;
      },
    );
    const connection = typeof out.connection === 'string' ? out.connection : '';
    if (!this.connections.restConnection(connection)) {
      this.note(`${path}.connection`, `REST connection ${connection} is not declared in Warden; declare it (base URL and headers) before a run reaches this step`, true);
    }
    return out;
  }

  retries(src: unknown, path: string): number | undefined {
    const retry = isObj(src) && isObj(src.retry) ? src.retry : undefined;
    if (!retry) {
      this.note(path, 'reliability without retry has no equivalent in Warden and was not carried', false);
      return undefined;
    }
    for (const key of Object.keys(src as Obj)) if (key !== 'retry') this.note(`${path}.${key}`, `reliability.${key} was not carried`, false);
    if (retry.backoff !== undefined && retry.backoff !== 'exponential') this.note(`${path}.retry.backoff`, `Warden retries with exponential backoff; backoff ${String(retry.backoff)} was not carried`, false);
    if (retry.initialDelayMs !== undefined) this.note(`${path}.retry.initialDelayMs`, "Warden's backoff schedule is its own; initialDelayMs was not carried", false);
    for (const key of Object.keys(retry)) {
      if (!['maxAttempts', 'backoff', 'initialDelayMs'].includes(key)) this.note(`${path}.retry.${key}`, `retry.${key} was not carried`, false);
    }
    return typeof retry.maxAttempts === 'number' ? retry.maxAttempts : undefined;
  }

  mcpExecutor(src: Obj, path: string): Obj | undefined {
    const server = typeof src.connection === 'string' ? src.connection : '';
    const tool = typeof src.tool === 'string' ? src.tool : '';
    if (!server || !tool) {
      this.note(path, 'an mcp executor without connection and tool was not carried', false);
      return undefined;
    }
    if (!this.connections.mcpServer(server)) {
      this.note(`${path}.connection`, `mcp executor: ${server} is not an MCP server registered with Warden (warden mcp add ${server} …); the executor (tool ${tool}) was not carried`, false);
      return undefined;
    }
    const args = src.arguments ?? src.args;
    for (const key of Object.keys(src)) {
      if (!['kind', 'connection', 'tool', 'arguments', 'args'].includes(key)) this.note(`${path}.${key}`, `${key} was not carried`, false);
    }
    this.note(path, `mcp executor: tool ${tool} on MCP server ${server} runs as the governed action ${wardenToolName(server, tool)}`, true);
    return { kind: 'action', tool: wardenToolName(server, tool), connector: server, ...(isObj(args) ? { args } : {}) };
  }

  cliExecutor(src: Obj, path: string): Obj | undefined {
    const command = typeof src.command === 'string' ? src.command : typeof src.connection === 'string' ? src.connection : undefined;
    if (!command) {
      this.note(path, 'a cli executor without a command was not carried', false);
      return undefined;
    }
    const args = Array.isArray(src.args) ? src.args.map(String) : [];
    if (src.connection !== undefined) this.note(`${path}.connection`, `cli connection ${String(src.connection)} is run as the command ${command} (argv, no shell)`, true);
    for (const key of Object.keys(src)) {
      if (!['kind', 'command', 'connection', 'args', 'cwd', 'timeoutMs'].includes(key)) this.note(`${path}.${key}`, `${key} was not carried`, false);
    }
    return {
      kind: 'cli',
      argv: [command, ...args],
      ...(typeof src.cwd === 'string' ? { cwd: src.cwd } : {}),
      ...(typeof src.timeoutMs === 'number' ? { timeout_ms: src.timeoutMs } : {}),
    };
  }
}

/**
 * Converts one workflow of a reference-format document (`pick` names it when the file holds
 * several). Throws 400 when the document is not that format or holds a guard Warden cannot carry.
 */
export function convertFlowgate(doc: unknown, connections: ConnectionLookup, pick?: string): Converted {
  if (!isObj(doc) || !isObj(doc.workflows)) throw refuse('workflows', 'the reference format keeps its workflows under workflows: {NAME: {...}}');
  const names = Object.keys(doc.workflows);
  const name = pick ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new HttpError(400, 'invalid_parameter', `the file holds ${names.length} workflows (${names.join(', ')}); name the one to import with workflow=NAME`, 'workflow');
  }
  const src = doc.workflows[name];
  if (!isObj(src)) throw new HttpError(400, 'invalid_parameter', `the file has no workflow named ${name} (it has ${names.join(', ')})`, 'workflow');
  const converter = new Converter(connections);
  const path = `workflows.${name}`;
  for (const key of Object.keys(doc)) if (key !== 'workflows') converter.note(key, `top-level ${key} has no equivalent in a Warden workflow and was not carried`, false);
  const definition = converter.workflow(name, src, path);
  const header = `# Imported from the reference format (workflow ${name}).\n`;
  return { parsed: { data: definition, source: header + stringify(definition), format: 'yaml' }, notes: converter.notes, sourceName: name };
}
