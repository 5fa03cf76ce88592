/** `warden workflow run|step|runs`: start a workflow run, take a transition, list runs. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WORKFLOW_RUN_STATUSES, type WorkflowRun } from '../../shared/api/workflow-runs.js';
import { withConnection, withGlobalOptions } from './context.js';
import { usageError, type CliIO } from './io.js';
import { printTable, shortTime, truncate, writeJson, writeLine } from './output.js';
import { findAgent } from './resolve.js';

/** A JSON object from `--input '{…}'` or `--input @file.json`. */
export function jsonObjectArg(flag: string, text: string): Record<string, unknown> {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (err) {
      throw usageError(`${flag}: cannot read ${text.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw usageError(`${flag} must be a JSON object (or @FILE holding one), got ${JSON.stringify(truncate(source, 60))}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

function printRun(io: CliIO, run: WorkflowRun): void {
  writeLine(io, `${run.id}  ${run.workflow} v${run.version}  ${run.status}  state ${run.state}`);
  if (run.pending_transition) writeLine(io, `under way:   ${run.pending_transition}`);
  if (run.waiting_approval_id) writeLine(io, `waiting on:  approval ${run.waiting_approval_id} (warden approvals show ${run.waiting_approval_id})`);
  if (run.reason) writeLine(io, `reason:      ${run.reason}`);
  writeLine(io, `context:     ${JSON.stringify(run.context)}`);
  if (run.links.length === 0) writeLine(io, 'next:        (none now)');
  for (const l of run.links) writeLine(io, `next:        ${l.transition} → ${l.target}${l.actor === 'agent' ? '' : ` (${l.actor})`}${l.title ? ` — ${l.title}` : ''}`);
}

/** Adds `run`, `step` and `runs` under the `workflow` command (made here when absent). */
export function workflowRunCommands(program: Command, io: CliIO): void {
  const workflow = program.commands.find((c) => c.name() === 'workflow') ?? program.command('workflow').description('governed multi-step workflows');

  withGlobalOptions(
    workflow
      .command('run <name>')
      .description('start a run of a workflow, pinned to its current version')
      .option('--input <json>', 'the run input: a JSON object, or @FILE', '{}')
      .option('--agent <agent>', 'operator token: the agent the run belongs to (id or name)')
      .option('--mission <id>', 'the mission the run is charged to'),
  ).action((name: string, opts: { input: string; agent?: string; mission?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const input = jsonObjectArg('--input', opts.input);
      const agentId = opts.agent ? (opts.agent.startsWith('agt_') ? opts.agent : (await findAgent(conn.client, opts.agent)).id) : undefined;
      const run = await conn.client.call('startWorkflowRun', { params: { name }, body: { input, ...(agentId ? { agent_id: agentId } : {}), ...(opts.mission ? { mission_id: opts.mission } : {}) } });
      if (conn.json) return writeJson(io, run);
      printRun(io, run);
    }),
  );

  withGlobalOptions(
    workflow
      .command('step <run> <transition>')
      .description('take a transition from the run’s current state')
      .option('--args <json>', 'the transition arguments: a JSON object, or @FILE'),
  ).action((runId: string, transition: string, opts: { args?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const args = opts.args === undefined ? undefined : jsonObjectArg('--args', opts.args);
      const run = await conn.client.call('takeWorkflowTransition', { params: { id: runId, transition }, body: args ? { arguments: args } : {} });
      if (conn.json) return writeJson(io, run);
      printRun(io, run);
    }),
  );

  withGlobalOptions(
    workflow
      .command('runs')
      .description('workflow runs, newest first')
      .option('--workflow <name>', 'only runs of this workflow')
      .option('--status <status>', `only runs in this status (${WORKFLOW_RUN_STATUSES.join(', ')})`)
      .option('-n, --limit <n>', 'at most this many', (v) => Number(v), 50),
  ).action((opts: { workflow?: string; status?: string; limit: number }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.status !== undefined && !(WORKFLOW_RUN_STATUSES as readonly string[]).includes(opts.status)) {
        throw usageError(`--status must be one of ${WORKFLOW_RUN_STATUSES.join(', ')}, got ${JSON.stringify(opts.status)}`);
      }
      if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 500) throw usageError('--limit must be an integer from 1 to 500');
      const page = await conn.client.call('listWorkflowRuns', {
        query: { limit: opts.limit, ...(opts.workflow ? { workflow: opts.workflow } : {}), ...(opts.status ? { status: opts.status as WorkflowRun['status'] } : {}) },
      });
      if (conn.json) return writeJson(io, page.data);
      printTable(
        io,
        ['ID', 'WORKFLOW', 'VERSION', 'STATE', 'STATUS', 'AGENT', 'UPDATED'],
        page.data.map((r) => [r.id, r.workflow, r.version, r.state, r.status, r.agent_id, shortTime(r.updated_at)]),
        'no runs match',
      );
    }),
  );
}
