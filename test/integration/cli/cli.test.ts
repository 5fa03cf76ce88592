/** The `warden` CLI against a real server: agents, keys, audit, budgets, kill-switch, errors and exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../../shared/api/audit.js';
import { Agent } from '../../../shared/api/agents.js';
import { routes } from '../../../shared/api/index.js';
import { z } from 'zod';
import { claudeCodeSettings, wardenEntry } from '../../../electron/cli/claude-settings.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli, repoRoot } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  // The operator token is found in the data dir: no --token anywhere below unless a test says so.
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
});
afterAll(async () => {
  await t?.close();
});

describe('agent and key commands', () => {
  it('agent add prints the key once with a ready-to-paste env snippet, and the key works', async () => {
    const r = await cli(['agent', 'add', 'claude-code', '--role', 'coder'], { env });
    expect(r.code).toBe(0);
    const key = /^\s+(wk_agent_\S+)$/m.exec(r.stdout)?.[1];
    expect(key).toBeDefined();
    expect(r.stdout).toContain(`export WARDEN_URL=${t.url}`);
    expect(r.stdout).toContain(`export WARDEN_KEY=${key}`);
    const me = await t.api(key).answer('me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'claude-code', role: 'coder' });
  });

  it('agent add --claude-code also prints the settings block with a hook timeout above --wait', async () => {
    const r = await cli(['agent', 'add', 'claude-code-2', '--claude-code'], { env });
    expect(r.code).toBe(0);
    const key = /^\s+(wk_agent_\S+)$/m.exec(r.stdout)?.[1];
    const settings = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(settings.env).toEqual({ WARDEN_URL: t.url, WARDEN_KEY: key });
    // Absolute Node and entry (no PATH needed), and exit 2 (block) when they cannot run.
    const program = `${process.execPath} ${wardenEntry()}`;
    expect(settings.hooks.PreToolUse[0].hooks[0]).toEqual({ type: 'command', command: `${program} hook claude-code --wait 50 || exit 2`, timeout: 60 });
    expect(settings.hooks.PostToolUse[0].hooks[0].command).toBe(`${program} hook claude-code || exit 2`);
    expect(settings.hooks.PostToolUseFailure[0].hooks[0].command).toBe(`${program} hook claude-code || exit 2`);
    // The very block `warden connect claude-code` writes.
    expect(settings).toEqual(JSON.parse(claudeCodeSettings(t.url, key!)));
  });

  it('the settings block in the README and docs/cli.md is the one agent add --claude-code prints', () => {
    const printed = JSON.parse(claudeCodeSettings('http://127.0.0.1:7419', 'wk_agent_…', { program: ['/usr/local/bin/node', '/opt/warden/bin/warden.js'] }));
    for (const doc of ['README.md', join('docs', 'cli.md')]) {
      const blocks = [...readFileSync(join(repoRoot, doc), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('"hooks"'));
      expect(blocks, doc).toHaveLength(1);
      expect(JSON.parse(blocks[0]!), doc).toEqual(printed);
    }
  });

  it('agent add --json returns the agent with its api_key; a taken name is a one-line error with the code', async () => {
    const r = await cli(['agent', 'add', 'refund-bot', '--team', 'support', '--scopes', 'actions:write,audit:read', '--json'], { env });
    expect(r.code).toBe(0);
    const body = r.json(routes.createAgent.response);
    expect(body).toMatchObject({ object: 'agent', name: 'refund-bot', team_id: 'support' });
    expect(body.api_key).toMatch(/^wk_agent_/);
    expect(body.key.scopes).toEqual(['actions:write', 'audit:read']);

    const again = await cli(['agent', 'add', 'refund-bot'], { env });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toBe('warden: an agent named refund-bot already exists (state_conflict, param name)\n');
  });

  it('agent list prints an aligned table, and JSON with --json before or after the command', async () => {
    const table = await cli(['agent', 'list'], { env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ROLE\s+TEAM\s+STATUS\s+CREATED\s+LAST SEEN$/);
    expect(lines.some((l) => /\bclaude-code\s+coder\s+-\s+active\b/.test(l))).toBe(true);
    // Columns line up: NAME starts at the same offset on every line.
    const nameAt = lines[0]!.indexOf('NAME');
    for (const l of lines.slice(1)) expect(l.slice(nameAt)).toMatch(/^(claude-code|claude-code-2|refund-bot) /);

    for (const args of [['agent', 'list', '--json'], ['--json', 'agent', 'list']]) {
      const r = await cli(args, { env });
      expect(r.code).toBe(0);
      expect(r.json(z.array(Agent)).map((a: { name: string }) => a.name).sort()).toEqual(['claude-code', 'claude-code-2', 'refund-bot']);
    }
  });

  it('agent disable and enable take a name', async () => {
    const off = await cli(['agent', 'disable', 'refund-bot'], { env });
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/refund-bot .* is disabled/);
    const list = await cli(['agent', 'list', '--status', 'disabled', '--json'], { env });
    expect(list.json(z.array(Agent)).map((a: { name: string }) => a.name)).toEqual(['refund-bot']);
    expect((await cli(['agent', 'enable', 'refund-bot'], { env })).code).toBe(0);

    const missing = await cli(['agent', 'disable', 'nobody'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('warden: no agent named "nobody" (see `warden agent list`)\n');
  });

  it('agent delete asks for --yes, then revokes its keys and leaves it out of the list', async () => {
    const added = (await cli(['agent', 'add', 'short-lived', '--json'], { env })).json(routes.createAgent.response);
    const unconfirmed = await cli(['agent', 'delete', 'short-lived'], { env });
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toMatch(/run again with --yes/);
    expect((await cli(['agent', 'list', '--json'], { env })).json(z.array(Agent)).map((a) => a.name)).toContain('short-lived');

    const deleted = await cli(['agent', 'delete', 'short-lived', '--yes'], { env });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/short-lived .* is deleted/);
    expect((await cli(['agent', 'list', '--json'], { env })).json(z.array(Agent)).map((a) => a.name)).not.toContain('short-lived');
    const me = await t.raw('GET', '/v1/me', { key: added.api_key });
    expect(me.status).toBe(401);
  });

  it('key create, list and revoke: a revoked key gets 401', async () => {
    const created = await cli(['key', 'create', 'claude-code', '--json'], { env });
    expect(created.code).toBe(0);
    const { id, api_key } = created.json(routes.createAgentKey.response);
    expect((await t.api(api_key).answer('me')).status).toBe(200);

    const listed = await cli(['key', 'list', 'claude-code'], { env });
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(api_key);

    const revoked = await cli(['key', 'revoke', 'claude-code', id], { env });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Key ${id} of claude-code revoked`);
    expect((await t.raw('GET', '/v1/me', { key: api_key })).status).toBe(401);
  });
});

describe('connection and errors', () => {
  it('finds the operator token through --data-dir, and --token wins over it', async () => {
    const viaFlag = await cli(['agent', 'list', '--json', '--data-dir', t.dataDir], { env: { WARDEN_URL: t.url } });
    expect(viaFlag.code).toBe(0);
    const viaUrlFlag = await cli(['--url', t.url, '--data-dir', t.dataDir, 'agent', 'list', '--json'], { env: {} });
    expect(viaUrlFlag.code).toBe(0);

    const bad = await cli(['agent', 'list', '--token', 'wk_op_wrong'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^warden: .*\(unauthenticated\) \(the key came from --token\)\n$/);
  });

  it('without any token it says where it looked', async () => {
    const r = await cli(['agent', 'list'], { env: { WARDEN_URL: t.url, WARDEN_DATA_DIR: '/nonexistent/warden' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(unauthenticated) — no token');
    expect(r.stderr).toContain('/nonexistent/warden/operator.token');
  });

  it('an agent key in WARDEN_KEY on an operator command gets a hint', async () => {
    const { key } = await t.agent('scoped-agent');
    const r = await cli(['agent', 'list'], { env: { WARDEN_URL: t.url, WARDEN_KEY: key } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(insufficient_scope)');
    expect(r.stderr).toContain('unset WARDEN_KEY or pass --token');
  });

  it('a server that is down: one line naming the URL and how to start Warden, exit 1', async () => {
    const r = await cli(['agent', 'list'], { env: { WARDEN_URL: 'http://127.0.0.1:1', WARDEN_TOKEN: 'wk_op_x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warden: cannot reach Warden at http://127.0.0.1:1 — start it with `warden serve` or the desktop app\n');
  });

  it('status names the server, the key and what is waiting', async () => {
    const r = await cli(['status'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Warden \\d+\\.\\d+\\.\\d+ at ${t.url.replace(/\./g, '\\.')}\n`));
    expect(r.stdout).toMatch(/key: +operator owner \(opr_\S+\), from operator\.token, role owner$/m);
    expect(r.stdout).toContain('kill-switch: off');
    const { key } = await t.agent('status-agent');
    const asAgent = await cli(['status', '--json'], { env: { WARDEN_URL: t.url, WARDEN_KEY: key } });
    expect(asAgent.json()).toMatchObject({ key_source: 'WARDEN_KEY', identity: { kind: 'agent', name: 'status-agent' }, pending_approvals: 0 });
    const down = await cli(['status'], { env: { WARDEN_URL: 'http://127.0.0.1:1' } });
    expect(down.code).toBe(1);
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['frobnicate'], { env })).code).toBe(2);
    expect((await cli(['agent'], { env })).code).toBe(2);
    expect((await cli(['agent', 'add'], { env })).code).toBe(2);
    const badStatus = await cli(['agent', 'list', '--status', 'sleeping'], { env });
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('--status must be active or disabled');
    const badUrl = await cli(['agent', 'list', '--url', 'ftp://x'], { env });
    expect(badUrl.code).toBe(2);
    expect((await cli(['budget', 'set', 'global', 'twelve'], { env })).code).toBe(2);
    expect((await cli(['budget', 'set', 'galaxy', '12'], { env })).code).toBe(2);
  });

  it('--help and --version exit 0', async () => {
    const help = await cli(['--help'], { env });
    expect(help.code).toBe(0);
    for (const group of ['serve', 'status', 'agent', 'key', 'approvals', 'budget', 'kill-switch', 'audit', 'policy', 'hook', 'exec']) {
      expect(help.stdout).toContain(group);
    }
    const version = await cli(['--version'], { env });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('audit commands', () => {
  it('tail prints the latest events oldest first; --json prints them as JSON', async () => {
    const r = await cli(['audit', 'tail', '-n', '50'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+ACTOR\s+SUBJECT\s+DETAIL$/);
    expect(r.stdout).toMatch(/agent\.created\s+operator:opr_\S+\s+agt_\S+\s+.*name=claude-code/);
    expect(r.stdout).toContain('key.revoked');

    const json = await cli(['audit', 'tail', '-n', '3', '--type', 'agent.created', '--json'], { env });
    const events = json.json(z.array(AuditEntry));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e: { event_type: string }) => e.event_type === 'agent.created')).toBe(true);
    const seqs = events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('tail --follow prints events that happen after it started', async () => {
    const ac = new AbortController();
    const running = cli(['audit', 'tail', '-n', '1', '--follow', '--interval', '50', '--json'], { env, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    await t.agent('followed-agent');
    await new Promise((r) => setTimeout(r, 400));
    ac.abort();
    const r = await running;
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const created = events.filter((e: { event_type: string; data: unknown }) => e.event_type === 'agent.created' && JSON.stringify(e.data).includes('followed-agent'));
    expect(created).toHaveLength(1);
    // No event printed twice.
    expect(new Set(events.map((e: { id: string }) => e.id)).size).toBe(events.length);
  });

  it('verify reports an intact chain', async () => {
    const r = await cli(['audit', 'verify'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit chain ok: \d+ rows verified\n$/);
    expect((await cli(['audit', 'verify', '--json'], { env })).json()).toMatchObject({ ok: true, first_bad_id: null });
  });

  it('export writes JSON lines or CSV, filtered', async () => {
    const jsonl = await cli(['audit', 'export', '--type', 'key.*'], { env });
    expect(jsonl.code).toBe(0);
    const rows = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r: { event_type: string }) => r.event_type)).toContain('key.revoked');
    expect(rows.every((r: { event_type: string }) => r.event_type.startsWith('key.'))).toBe(true);

    const csv = await cli(['audit', 'export', '--format', 'csv'], { env });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toContain('event_type');
    expect((await cli(['audit', 'export', '--format', 'xml'], { env })).code).toBe(2);
  });
});

describe('budget and kill-switch commands', () => {
  it('budget set, list, pause and resume (with the will-repause warning)', async () => {
    const set = await cli(['budget', 'set', 'agent:claude-code', '12.50', '--mode', 'cap', '--period', 'day'], { env });
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/of \$12\.50 .*cap mode, per day, active/);

    const list = await cli(['budget', 'list'], { env });
    expect(list.stdout.split('\n')[0]).toMatch(/^SCOPE\s+ID\s+MODE\s+PERIOD\s+SPENT\s+RESERVED\s+LIMIT\s+USED\s+STATUS$/);
    expect(list.stdout).toMatch(/agent\s+agt_\S+\s+cap\s+day\s+\$0\.00\s+\$0\.00\s+\$12\.50\s+0%\s+active/);

    const json = (await cli(['budget', 'list', '--json'], { env })).json();
    expect(json).toEqual([expect.objectContaining({ scope: 'agent', limit_usd_cents: 1250, mode: 'cap', period: 'day' })]);

    const paused = await cli(['budget', 'pause', 'agent:claude-code', '--reason', 'testing'], { env });
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/paused/);
    expect((await cli(['budget', 'list', '--status', 'paused', '--json'], { env })).json()).toHaveLength(1);

    const resumed = await cli(['budget', 'resume', 'agent:claude-code', '--json'], { env });
    expect(resumed.json()).toMatchObject({ budget: { status: 'active' }, will_repause: false });
    const graced = await cli(['budget', 'resume', 'agent:claude-code', '--grace', '20', '--for-period'], { env });
    expect(graced.stdout).toMatch(/of \$20\.00 .*active \(grace: back to \$12\.50 next period\)/);
    const noGrace = await cli(['budget', 'resume', 'agent:claude-code', '--for-period'], { env });
    expect(noGrace.code).not.toBe(0);
    expect(noGrace.stderr).toMatch(/--for-period needs --grace/);

    const global = await cli(['budget', 'set', 'global', '$5'], { env });
    expect(global.code).toBe(0);
    expect(global.stdout).toContain('global: $0.00 of $5.00');
    const deleted = await cli(['budget', 'delete', 'global'], { env });
    expect(deleted.stdout).toContain('uncapped');
  });

  it('kill-switch on, status and off', async () => {
    const on = await cli(['kill-switch', 'on', '--reason', 'runaway loop'], { env });
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^kill-switch ON: every action is BLOCKed — runaway loop/);
    expect((await cli(['kill-switch', 'status', '--json'], { env })).json()).toMatchObject({ engaged: true, reason: 'runaway loop' });
    const off = await cli(['kill-switch', 'off'], { env });
    expect(off.stdout).toMatch(/^kill-switch off/);
    expect((await cli(['kill-switch', 'status', '--json'], { env })).json()).toMatchObject({ engaged: false });
    const audit = await cli(['audit', 'tail', '--type', 'kill_switch.*', '--json'], { env });
    expect(audit.json(z.array(AuditEntry)).map((e: { event_type: string }) => e.event_type)).toEqual(['kill_switch.engaged', 'kill_switch.released']);
  });
});
