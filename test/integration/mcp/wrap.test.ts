/**
 * `warden mcp wrap` on the configs of Claude Code, Cursor and Claude Desktop: each stdio server
 * runs through `warden mcp proxy`, a second wrap changes nothing, `--undo` gives back the original
 * bytes; a wrapped entry started as the client would start it really is governed. And
 * `warden agent add NAME --mcp` prints the key with a config entry that works as printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { buildCli, cli, repoRoot } from '../../support/cli-harness.js';

const filesystemServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
const everythingServer = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

let t: TestApp;
let dir: string;

const claudeCode = `{
  "mcpServers": {
    "filesystem": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "."],
      "env": {}
    },
    "remote": { "type": "http", "url": "https://mcp.example.com/mcp" }
  }
}
`;
const cursor = `{"mcpServers":{"github":{"command":"docker","args":["run","-i","--rm","ghcr.io/github/github-mcp-server"],"env":{"GITHUB_PERSONAL_ACCESS_TOKEN":"ghp_example"}}}}`;
const claudeDesktop = `{
    "globalShortcut": "Ctrl+Space",
    "mcpServers": {
        "my files": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
        }
    }
}
`;

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'warden-mcp-wrap-'));
}, 300_000);
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('warden mcp wrap', () => {
  for (const [client, original] of [
    ['claude-code', claudeCode],
    ['cursor', cursor],
    ['claude-desktop', claudeDesktop],
  ] as const) {
    it(`${client}: wraps each stdio server, is idempotent, and --undo restores the bytes`, async () => {
      const file = join(dir, `${client}.json`);
      writeFileSync(file, original);
      const first = await cli(['mcp', 'wrap', file, '--warden-command', 'warden']);
      expect(first.code).toBe(0);
      const wrapped = readFileSync(file, 'utf8');
      const config = JSON.parse(wrapped);
      const before = JSON.parse(original);
      for (const [name, entry] of Object.entries(before.mcpServers as Record<string, { command?: string; args?: string[]; env?: unknown; url?: string }>)) {
        const now = config.mcpServers[name];
        if (entry.url) {
          expect(now).toEqual(entry);
          expect(first.stdout).toContain(`${name}: left as is`);
          continue;
        }
        expect(now.command).toBe('warden');
        expect(now.args).toEqual(['mcp', 'proxy', '--name', name.replace(/ /g, '_'), '--', entry.command, ...(entry.args ?? [])]);
        if (entry.env) expect(now.env).toEqual(entry.env);
      }
      // Other settings of the file stay.
      expect(config.globalShortcut).toBe(before.globalShortcut);
      expect(readFileSync(`${file}.warden-backup`, 'utf8')).toBe(original);

      const second = await cli(['mcp', 'wrap', file, '--warden-command', 'warden']);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('already wrapped');
      expect(readFileSync(file, 'utf8')).toBe(wrapped);

      const undo = await cli(['mcp', 'wrap', file, '--undo']);
      expect(undo.code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(original);
      expect(existsSync(`${file}.warden-backup`)).toBe(false);
    });
  }

  it('bad input is one line and a non-zero exit, and changes nothing', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"mcpServers": ');
    const r = await cli(['mcp', 'wrap', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not valid JSON');
    expect(readFileSync(file, 'utf8')).toBe('{"mcpServers": ');
    const undo = await cli(['mcp', 'wrap', join(dir, 'never-wrapped.json'), '--undo']);
    expect(undo.code).toBe(1);
    expect(undo.stderr).toMatch(/^warden: no backup/);
  });

  it('a wrapped server started as the client starts it is governed by Warden', async () => {
    const agent = await t.agent('wrapped-client');
    await t.api(t.op).answer('createGuardrail', { body: { name: 'wrapped-fs', rules: [{ tool: 'mcp.files.write_file', decision: 'BLOCK' }] } });
    const file = join(dir, '.mcp.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { files: { command: process.execPath, args: [filesystemServer, dir] } } }));
    // Default program: this Node and this Warden's bin/warden.js, absolute.
    const r = await cli(['mcp', 'wrap', file, '--key', agent.key, '--url', t.url]);
    expect(r.code).toBe(0);
    const entry = JSON.parse(readFileSync(file, 'utf8')).mcpServers.files;
    expect(entry.command).toBe(process.execPath);
    expect(entry.env).toEqual({ WARDEN_KEY: agent.key, WARDEN_URL: t.url });
    const client = new Client({ name: 'wrapped', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { PATH: process.env.PATH ?? '', ...entry.env }, stderr: 'ignore' }));
    try {
      const target = join(dir, 'blocked.txt');
      const result = await client.callTool({ name: 'write_file', arguments: { path: target, content: 'x' } });
      expect(result.isError).toBe(true);
      expect(existsSync(target)).toBe(false);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('warden mcp wrap with a server given by URL', () => {
  let upstream: ChildProcess | undefined;
  afterAll(() => {
    upstream?.kill('SIGKILL');
  });

  it('registers the upstream URL with Warden and points the client at /mcp/NAME with the key; the gateway reaches it', async () => {
    // The real everything server over Streamable HTTP, on a free port.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    upstream = spawn(process.execPath, [everythingServer, 'streamableHttp'], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      upstream!.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes('listening on port')) resolve();
      });
      upstream!.once('exit', () => reject(new Error(`everything server exited: ${err}`)));
    });
    const agent = await t.agent('url-client');
    await t.api(t.op).answer('createGuardrail', { body: { name: 'remote-echo', rules: [{ tool: 'mcp.remote.*', decision: 'ALLOW' }] } });
    const upstreamUrl = `http://127.0.0.1:${port}/mcp`;
    const original = `${JSON.stringify({ mcpServers: { remote: { type: 'http', url: upstreamUrl } } }, null, 2)}\n`;
    const file = join(dir, 'url.mcp.json');
    writeFileSync(file, original);
    const env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
    const r = await cli(['mcp', 'wrap', file, '--key', agent.key], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('remote: registered with Warden; now reached at /mcp/remote');
    const entry = JSON.parse(readFileSync(file, 'utf8')).mcpServers.remote;
    expect(entry).toEqual({ type: 'http', url: `${t.url}/mcp/remote`, headers: { Authorization: `Bearer ${agent.key}` } });
    expect((await t.api(t.op).answer('getMcpServer', { params: { name: 'remote' } })).body).toMatchObject({ transport: 'http', url: upstreamUrl });

    const client = new Client({ name: 'url-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    try {
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } });
      expect(JSON.stringify(echoed.content)).toContain('through the gateway');
    } finally {
      await client.close();
    }
    const actions = await t.api(agent.key).answer('listActions', { query: { limit: 10 } });
    expect(actions.body.data.map((a: { action: { tool: string } }) => a.action.tool)).toContain('mcp.remote.echo');

    const again = await cli(['mcp', 'wrap', file, '--key', agent.key], { env });
    expect(again.stdout).toContain('remote: already wrapped');
    expect((await cli(['mcp', 'wrap', file, '--undo'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
  }, 60_000);
});

describe('warden agent add --mcp', () => {
  it('prints the key and a config entry that runs a server through the proxy with it', async () => {
    const r = await cli(['agent', 'add', 'cursor-agent', '--mcp'], { env: { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir } });
    expect(r.code).toBe(0);
    const key = /^\s+(wk_agent_\S+)$/m.exec(r.stdout)?.[1];
    expect(key).toBeDefined();
    const snippet = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    const entry = snippet.mcpServers.filesystem;
    expect(entry.env).toEqual({ WARDEN_URL: t.url, WARDEN_KEY: key });
    expect(entry.args).toContain('proxy');
    expect(entry.args.slice(entry.args.indexOf('--') + 1)).toEqual(['npx', '-y', '@modelcontextprotocol/server-filesystem', '.']);
  });
});
