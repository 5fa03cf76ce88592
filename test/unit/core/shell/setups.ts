/**
 * The two setups the shell corpus and properties run under: prefix RULES that allow a few
 * commands, and GRANTS (allow-always) that cover a few, each with an always_ask rule on `rm -rf`
 * and a BLOCK rule on `mkfs`. Unmatched commands ask (the default).
 */
import type { ActionInput, GrantState, GuardrailRule, Snapshot, Verdict } from '../../../../shared/core/types.js';
import { evaluate } from '../../../../shared/core/evaluate.js';
import { policy, snapshot } from '../snapshot.js';

const starts = (prefix: string): GuardrailRule => ({ tool: 'shell.exec', expr: `$.args.command command_starts_with '${prefix}'`, decision: 'ALLOW' });
const guards: GuardrailRule[] = [
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'rm -rf'", decision: 'ALERT', always_ask: true },
  { tool: 'shell.exec', expr: "$.args.command command_starts_with 'mkfs'", decision: 'BLOCK' },
];

export const RULES: Snapshot = snapshot({
  policies: [
    policy('prefix-rules', [
      starts('npm test'),
      starts('git status'),
      starts('ls'),
      starts('echo'),
      starts('cat'),
      { tool: 'fs.write', expr: "$.args.path starts_with 'build/'", decision: 'ALLOW' },
      ...guards,
    ]),
  ],
});

const grant = (id: string, tool: string, args_pattern: Record<string, unknown>): GrantState => ({
  id, agent_id: 'agt_test', tool, connector: null, args_pattern, max_value: null, expires_at: null, revoked_at: null,
});

export const GRANTS: Snapshot = snapshot({
  policies: [policy('guards', guards)],
  grants: [
    grant('gnt_npm', 'shell.exec', { command: 'npm test *' }),
    grant('gnt_push', 'shell.exec', { command: 'git push origin feature/*' }),
    grant('gnt_ls', 'shell.exec', { command: 'ls *' }),
    grant('gnt_logs', 'shell.exec', { command: 'kubectl logs deploy/api' }),
    grant('gnt_build', 'fs.write', { path: 'build/*' }),
  ],
});

export const shell = (command: string): ActionInput => ({ tool: 'shell.exec', args: { command } });

export const verdictOf = (command: string, s: Snapshot): Verdict => evaluate(shell(command), s).decision;

const RANK: Record<Verdict, number> = { ALLOW: 0, ALERT: 1, BLOCK: 2 };
export const mostCautious = (...vs: Verdict[]): Verdict => vs.reduce((a, b) => (RANK[a] >= RANK[b] ? a : b));
