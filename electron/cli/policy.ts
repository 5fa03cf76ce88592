/**
 * `warden policy export|apply|test|starter`: policies as code. Export writes one YAML file; apply shows
 * the diff and makes the server match it (a new guardrail version only where rules changed,
 * nothing where nothing did); test runs a table of actions through the dry-run evaluator and
 * exits 1 on any mismatch, for CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { LineCounter, isMap, parseDocument, stringify as stringifyYaml, type Document } from 'yaml';
import { z } from 'zod';
import { ActionInput as ActionInputSchema } from '../../shared/api/vocabulary.js';
import type { WardenClient } from '../../shared/client.js';
import { withConnection, withGlobalOptions } from './context.js';
import { CliError, CliExit, type CliIO } from './io.js';
import { printTable, truncate, writeJson, writeLine } from './output.js';
import { PolicyFileSchema, formatPlan, loadServerState, plan, toPolicyFile, type PolicyFile } from './policy-doc.js';
import { findAgent } from './resolve.js';

/** Reads and validates a YAML (or JSON) file against a schema; errors name the file and the path. */
export function readYamlFile<S extends z.ZodType>(path: string, schema: S, what: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) throw new CliError(`${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const data: unknown = doc.toJS();
  const result = schema.safeParse(data ?? {});
  if (!result.success) {
    // A misspelt key also leaves a required one missing: the unknown key is the cause, so it goes first.
    const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const line = lineOf(doc, lineCounter, issue.path, unknownKey);
    const what = unknownKey !== undefined ? `unknown key ${JSON.stringify(unknownKey)}${at ? ` in ${at}` : ''}` : `${at ? `${at}: ` : ''}${issue.message}`;
    throw new CliError(`${path}${line ? `:${line}` : ''}: ${what}${result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : ''}`);
  }
  return result.data;
}

/**
 * The 1-based line of the node at `path` in a parsed YAML document (of `key` in that mapping when
 * given), or of its nearest ancestor that exists; undefined when there is no position at all.
 */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[], key?: string): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (!node || typeof node !== 'object') continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) throw new CliError('refusing to apply without --yes: stdin is not a terminal to confirm on (use --dry-run to only see the diff)');
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

// ---------------------------------------------------------------------------------------------
// policy test

const Expectation = z.union([
  z.enum(['ALLOW', 'ALERT', 'BLOCK']),
  z.strictObject({
    decision: z.enum(['ALLOW', 'ALERT', 'BLOCK']),
    block_code: z.string().nullable().optional(),
    /** Names of the policies whose rules must match (exactly this set). */
    matched: z.array(z.string()).optional(),
  }),
]);

const TestCase = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  agent: z.string().min(1).max(100).optional(),
  action: ActionInputSchema,
  expect: Expectation,
});

export const CasesFileSchema = z.union([
  z.array(TestCase).min(1),
  z.strictObject({
    /** `guardrails` (default): the policy layers only; `pipeline`: the full pipeline incl. budgets and quotas. */
    evaluator: z.enum(['guardrails', 'pipeline']).optional(),
    /** Default agent of the cases (name or id). */
    agent: z.string().min(1).max(100).optional(),
    /** A policy file to test instead of the server's policies (guardrails evaluator), relative to this file. */
    policies: z.string().min(1).optional(),
    cases: z.array(TestCase).min(1),
  }),
]);

export interface CaseResult {
  name: string;
  pass: boolean;
  expected: string;
  got: string;
  explanation: string;
}

function expectation(e: z.infer<typeof Expectation>) {
  return typeof e === 'string' ? { decision: e } : e;
}

async function runCases(
  client: WardenClient,
  file: z.infer<typeof CasesFileSchema>,
  opts: { evaluator: 'guardrails' | 'pipeline'; policies: PolicyFile | null },
): Promise<CaseResult[]> {
  const cases = Array.isArray(file) ? file : file.cases;
  const defaultAgent = Array.isArray(file) ? undefined : file.agent;
  const agentIds = new Map<string, string>();
  const agentId = async (ref: string | undefined) => {
    if (!ref) return undefined;
    if (ref.startsWith('agt_')) return ref;
    if (!agentIds.has(ref)) agentIds.set(ref, (await findAgent(client, ref)).id);
    return agentIds.get(ref);
  };
  const hypothetical = opts.policies
    ? {
        ...(opts.policies.guardrails ? { policies: opts.policies.guardrails.map((g) => ({ id: `file:${g.name}`, name: g.name, status: g.status, rules: g.rules })) } : {}),
        ...(opts.policies.settings ? { settings: opts.policies.settings } : {}),
        ...(opts.policies.tool_policies ? { tool_policies: opts.policies.tool_policies } : {}),
        ...(opts.policies.role_overrides ? { role_overrides: opts.policies.role_overrides } : {}),
      }
    : {};
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    const name = c.name ?? `case ${i + 1} (${c.action.tool})`;
    const want = expectation(c.expect);
    const expected = [want.decision, want.block_code ? `(${want.block_code})` : '', want.matched ? `[${want.matched.join(', ')}]` : ''].filter(Boolean).join(' ');
    try {
      const agent_id = await agentId(c.agent ?? defaultAgent);
      const got =
        opts.evaluator === 'pipeline'
          ? await client.call('evaluate', { body: { action: c.action, agent_id } })
          : await client.call('evaluateGuardrails', { body: { action: c.action, agent_id, ...hypothetical } });
      const matched = [...new Set(got.matched.map((m) => m.policy_name))].sort();
      const pass =
        got.decision === want.decision &&
        (want.block_code === undefined || want.block_code === got.block_code) &&
        (want.matched === undefined || JSON.stringify([...new Set(want.matched)].sort()) === JSON.stringify(matched));
      const gotText = [got.decision, want.block_code !== undefined || got.block_code ? `(${got.block_code ?? 'none'})` : '', want.matched ? `[${matched.join(', ')}]` : ''].filter(Boolean).join(' ');
      results.push({ name, pass, expected, got: gotText, explanation: got.explanation });
    } catch (err) {
      results.push({ name, pass: false, expected, got: 'ERROR', explanation: (err as Error).message });
    }
  }
  return results;
}

export function policyCommands(program: Command, io: CliIO): void {
  const policy = program.command('policy').description('policies as code: export, apply (with a diff), test (for CI)');

  withGlobalOptions(
    policy
      .command('export')
      .description('every guardrail, tool, tool policy, role override, setting and quota as one YAML file')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action((opts: { output?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const doc = toPolicyFile(await loadServerState(conn.client));
      if (conn.json && !opts.output) return writeJson(io, doc);
      const header = `# Warden policies, exported from ${conn.url} at ${new Date().toISOString()}.\n# Preview changes with \`warden policy apply FILE --dry-run\`; apply with \`warden policy apply FILE\`.\n`;
      const text = header + stringifyYaml(doc, { lineWidth: 0 });
      if (opts.output) {
        writeFileSync(opts.output, text);
        io.stderr.write(`wrote ${opts.output}\n`);
      } else io.stdout.write(text);
    }),
  );

  withGlobalOptions(
    policy
      .command('apply <file>')
      .description('show the diff between FILE and the server, then apply it')
      .option('--dry-run', 'only show the diff')
      .option('-y, --yes', 'apply without asking')
      .option('--prune', 'also delete guardrails, tool policies, role overrides and agent quota overrides the file does not list')
      .option('-m, --note <text>', 'why: kept with every guardrail version this apply writes'),
  ).action((path: string, opts: { dryRun?: boolean; yes?: boolean; prune?: boolean; note?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const file = readYamlFile(path, PolicyFileSchema, 'policy file');
      const state = await loadServerState(conn.client);
      let p;
      try {
        p = plan(file, state, { prune: Boolean(opts.prune), ...(opts.note ? { note: opts.note } : {}) });
      } catch (err) {
        throw new CliError(`${path}: ${(err as Error).message}`);
      }
      const summary = p.changes.map((c) => ({ section: c.section, op: c.op, target: c.target, details: c.details }));
      if (!conn.json) {
        for (const line of formatPlan(p)) writeLine(io, line);
        writeLine(io, `${p.changes.length} change${p.changes.length === 1 ? '' : 's'}, ${p.unchanged} unchanged.`);
      }
      if (p.changes.length === 0 || opts.dryRun) {
        if (conn.json) writeJson(io, { applied: false, dry_run: Boolean(opts.dryRun), changes: summary, unchanged: p.unchanged, kept: p.kept });
        return;
      }
      if (!opts.yes && !(await confirm(io, `Apply ${p.changes.length} change${p.changes.length === 1 ? '' : 's'} to ${conn.url}? [y/N] `))) {
        throw new CliError('nothing applied');
      }
      const done: string[] = [];
      for (const change of p.changes) {
        try {
          done.push(await change.apply(conn.client));
        } catch (err) {
          throw new CliError(
            `applying ${change.section} ${change.target} failed after ${done.length} of ${p.changes.length} changes: ${(err as Error).message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code}${(err as { param?: string }).param ? `, param ${(err as { param?: string }).param}` : ''})` : ''}`,
          );
        }
      }
      if (conn.json) return writeJson(io, { applied: true, changes: summary, results: done, unchanged: p.unchanged, kept: p.kept });
      for (const line of done) writeLine(io, `  ${line}`);
      writeLine(io, `Applied ${done.length} change${done.length === 1 ? '' : 's'}.`);
    }),
  );

  withGlobalOptions(
    policy
      .command('starter')
      .description('add the built-in starter policy for coding agents (coding-agent-starter); see it with `warden policy export`'),
  ).action((_opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const created = await conn.client.call('createStarterGuardrail');
      if (conn.json) return writeJson(io, created);
      writeLine(io, `Added ${created.name} v${created.version} (${created.id}), ${created.rules.length} rules: reads inside the project run, writes outside it and network ask, destructive shell commands always ask, secrets files are blocked.`);
    }),
  );

  withGlobalOptions(
    policy
      .command('test <cases>')
      .description('run a YAML table of actions with expected decisions through the dry-run evaluator; exit 1 on any mismatch')
      .option('--policies <file>', 'test this policy file instead of the policies the server runs')
      .option('--pipeline', 'use the full pipeline (POST /v1/evaluate: kill-switch, budgets, quotas too) instead of the policy layers'),
  ).action((path: string, opts: { policies?: string; pipeline?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const file = readYamlFile(path, CasesFileSchema, 'cases file');
      const fromFile: { policies?: string; evaluator?: 'guardrails' | 'pipeline' } = Array.isArray(file) ? {} : file;
      const policiesPath = opts.policies ?? (fromFile.policies ? resolve(dirname(path), fromFile.policies) : undefined);
      const evaluator = opts.pipeline ? 'pipeline' : (fromFile.evaluator ?? 'guardrails');
      if (policiesPath && evaluator === 'pipeline') throw new CliError('a policies file can only be tested with the guardrails evaluator (the pipeline runs what the server has)', 2);
      const policies = policiesPath ? readYamlFile(policiesPath, PolicyFileSchema, 'policy file') : null;
      const results = await runCases(conn.client, file, { evaluator, policies });
      const failed = results.filter((r) => !r.pass).length;
      if (conn.json) writeJson(io, { passed: results.length - failed, failed, results });
      else {
        printTable(
          io,
          ['RESULT', 'CASE', 'EXPECTED', 'GOT', 'EXPLANATION'],
          results.map((r) => [r.pass ? 'PASS' : 'FAIL', r.name, r.expected, r.got, truncate(r.explanation, 100)]),
        );
        writeLine(io, `${results.length} case${results.length === 1 ? '' : 's'}: ${results.length - failed} passed, ${failed} failed`);
      }
      if (failed > 0) throw new CliExit(1);
    }),
  );
}
