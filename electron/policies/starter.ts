/**
 * The starter policy for coding agents (Claude Code through `warden hook claude-code`, or any
 * agent asking with the same tool names): a safe first policy a new user adds with one click
 * (`POST /v1/guardrails/starter`, `warden policy starter`, the Policies page and the empty Inbox).
 *
 * What it decides, with the tool names the hook maps Claude Code's tools to:
 * - `fs.read` of a path inside the project (the action's `cwd`) → ALLOW at once; a search with no
 *   path (Glob/Grep in the project) too, unless its pattern leaves the project (`/`, `~`, `..`).
 *   Reads elsewhere ask.
 * - `fs.write` inside the project → ALLOW, except into `.git/` (hooks and config run code):
 *   always ask. Writes outside the project ask.
 * - Secrets files (`.env*`, SSH keys and `.ssh/`, `*.pem`, `.aws/credentials`) → BLOCK for every
 *   `fs.*` tool. In a shell command the same names always ask (a command line is matched by
 *   words and substrings, too loosely to block on).
 * - `http.*` (network) asks.
 * - Destructive shell commands always ask (no Allow always lifts them): `rm -r`/`rm -rf`,
 *   forced `git push`, `git reset --hard`, `git clean`, `kubectl delete`, `terraform destroy`,
 *   `DROP`/`TRUNCATE` through `psql`, `dropdb`, `mkfs*`, `dd`, `chmod -R 777`, `chown -R`,
 *   `shred`, `find … -delete`, and anything run through `sudo`.
 * - A few read-only shell commands (`git status`, `git diff`, `git log`, `ls`, `pwd`) → ALLOW;
 *   any other shell command asks (an Allow always can then lift it for that command).
 *
 * "Inside the project" is `$.args.path starts_with $.args.cwd` with no `..` in the path: guards
 * read arguments as the agent sent them (not normalized), so a path that climbs (`/app/../etc`)
 * asks. The expression language has no "inside folder" operator and cannot join strings, so a
 * sibling folder whose name starts with the project folder's (`/src/app-old` next to `/src/app`)
 * still counts as inside; secrets there stay blocked by the secrets rule.
 */
import type { GuardrailRuleInput } from '../../shared/api/policies.js';

export const STARTER_POLICY_NAME = 'coding-agent-starter';

// Guards read arguments as sent (the core normalizes paths for grants and redirections, not for
// expressions), so a `..` anywhere keeps a path from counting as inside: it asks instead.
const inProject = { all_of: ['$.args.path starts_with $.args.cwd', { not: "$.args.path contains '..'" }] };

const SECRET_PATHS = [
  "$.args.path contains '/.env'",
  "$.args.path starts_with '.env'",
  "$.args.path contains '/.ssh/'",
  "$.args.path starts_with '.ssh/'",
  "$.args.path contains 'id_rsa'",
  "$.args.path contains 'id_ed25519'",
  "$.args.path contains 'id_ecdsa'",
  "$.args.path contains '.pem'",
  "$.args.path contains '.aws/credentials'",
];

const SECRETS_IN_COMMANDS = [" .env", "/.env", '.ssh/', 'id_rsa', 'id_ed25519', 'id_ecdsa', '.pem', '.aws/credentials'].map(
  (s) => `$.args.command contains '${s}'`,
);

const startsWith = (words: string) => `$.args.command command_starts_with '${words}'`;
const contains = (text: string) => `$.args.command contains '${text}'`;

const DESTRUCTIVE_SHELL = [
  startsWith('rm -r'),
  startsWith('rm -rf'),
  startsWith('rm -fr'),
  startsWith('rm -Rf'),
  startsWith('rm -R'),
  startsWith('rm --recursive'),
  { all_of: [startsWith('git push'), { any_of: [contains('--force'), contains(' -f'), contains(' +')] }] },
  startsWith('git reset --hard'),
  startsWith('git clean'),
  startsWith('kubectl delete'),
  startsWith('terraform destroy'),
  {
    all_of: [
      startsWith('psql'),
      { any_of: ['DROP TABLE', 'drop table', 'DROP DATABASE', 'drop database', 'DROP SCHEMA', 'drop schema', 'TRUNCATE', 'truncate'].map(contains) },
    ],
  },
  startsWith('dropdb'),
  contains('mkfs'),
  startsWith('dd'),
  startsWith('chmod -R 777'),
  startsWith('chown -R'),
  startsWith('shred'),
  { all_of: [startsWith('find'), contains(' -delete')] },
  // `sudo CMD` reads as two commands (the wrapper, and CMD judged on its own), so no word prefix
  // matches it as one; the command text does.
  "$.args.command starts_with 'sudo '",
];

const READ_ONLY_SHELL = ['git status', 'git diff', 'git log', 'ls', 'pwd'].map(startsWith);

export const STARTER_POLICY: { name: string; description: string; rules: GuardrailRuleInput[] } = {
  name: STARTER_POLICY_NAME,
  description:
    'Starter policy for coding agents: reads inside the project run, writes outside it and network ask, destructive shell commands always ask, secrets files are blocked.',
  rules: [
    { tool: 'fs.read', expr: inProject, decision: 'ALLOW' },
    {
      tool: 'fs.read',
      expr: {
        all_of: [
          '$.args.path == null',
          '$.args.cwd != null',
          { not: { any_of: ["$.args.pattern starts_with '/'", "$.args.pattern starts_with '~'", "$.args.pattern contains '..'"] } },
        ],
      },
      decision: 'ALLOW',
    },
    { tool: 'fs.read', expr: { all_of: ['$.args.path != null', { not: inProject }] }, decision: 'ALERT' },
    { tool: 'fs.write', expr: inProject, decision: 'ALLOW' },
    { tool: 'fs.write', expr: { not: inProject }, decision: 'ALERT' },
    { tool: 'fs.write', expr: "$.args.path contains '/.git/'", decision: 'ALERT', always_ask: true },
    { tool: 'fs.*', expr: { any_of: SECRET_PATHS }, decision: 'BLOCK' },
    { tool: 'http.*', decision: 'ALERT' },
    { tool: 'shell.exec', expr: { any_of: DESTRUCTIVE_SHELL }, decision: 'ALERT', always_ask: true },
    { tool: 'shell.exec', expr: { any_of: SECRETS_IN_COMMANDS }, decision: 'ALERT', always_ask: true },
    { tool: 'shell.exec', expr: { any_of: READ_ONLY_SHELL }, decision: 'ALLOW' },
    { tool: 'shell.exec', expr: { not: { any_of: READ_ONLY_SHELL } }, decision: 'ALERT' },
  ],
};
