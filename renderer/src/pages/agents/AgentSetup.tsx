/**
 * How to connect an agent with its fresh key, in three tabs to copy: the Claude Code setup
 * (`warden connect claude-code`), an MCP server entry for `.mcp.json` run through
 * `warden mcp proxy`, and a curl call of POST /v1/actions.
 */
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { useSession } from '../../stores/session';

const TABS = [
  { id: 'claude', label: 'Claude Code' },
  { id: 'mcp', label: 'MCP' },
  { id: 'curl', label: 'curl' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function claudeCodeSetup(url: string, key: string): string {
  return [
    `# in the project folder; writes ./.claude/settings.local.json and self-tests the hook`,
    `warden connect claude-code --project . --url ${url} --key ${key}`,
    `# then restart Claude Code`,
  ].join('\n');
}

/** The `.mcp.json` entry that starts SERVER through Warden's stdio proxy. */
export function mcpSnippet(url: string, key: string, name: string, command: string): string {
  const entry = {
    command: 'warden',
    args: ['mcp', 'proxy', '--name', name, '--', ...command.trim().split(/\s+/).filter(Boolean)],
    env: { WARDEN_URL: url, WARDEN_KEY: key },
  };
  return JSON.stringify({ mcpServers: { [name]: entry } }, null, 2);
}

export function curlExample(url: string, key: string): string {
  return [
    `export WARDEN_URL=${url}`,
    `export WARDEN_KEY=${key}`,
    `# ask before a side effect; waits up to 55 s for an approval`,
    `curl -s "$WARDEN_URL/v1/actions?wait_s=55" \\`,
    `  -H "Authorization: Bearer $WARDEN_KEY" -H 'content-type: application/json' \\`,
    `  -d '{"tool":"shell.exec","args":{"command":"rm -rf build"}}'`,
  ].join('\n');
}

function Snippet({ text, label }: { text: string; label: string }) {
  return (
    <>
      <pre className="snippet" aria-label={label}>
        {text}
      </pre>
      <CopyButton text={text} label={`Copy ${label}`} />
    </>
  );
}

export function AgentSetup({ apiKey }: { apiKey: string }) {
  const sessionUrl = useSession((s) => s.baseUrl);
  const url = sessionUrl || window.location.origin;
  const [tab, setTab] = useState<TabId>('claude');
  const [serverName, setServerName] = useState('filesystem');
  const [serverCommand, setServerCommand] = useState('npx -y @modelcontextprotocol/server-filesystem .');
  const base = useId();
  const tabRefs = useRef(new Map<TabId, HTMLButtonElement>());

  // Arrow keys, Home and End move between tabs (and focus follows).
  function onKeyDown(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    const id = TABS[next]?.id ?? 'claude';
    setTab(id);
    tabRefs.current.get(id)?.focus();
  }

  const nameOk = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(serverName);
  return (
    <div className="agent-setup">
      <div role="tablist" aria-label="Connect the agent" className="tabs" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) tabRefs.current.set(t.id, el);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${base}-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel-${tab}`} aria-labelledby={`${base}-tab-${tab}`} className="setup-panel">
        {tab === 'claude' ? (
          <>
            <p className="small">Run in the project folder: it wires Warden&apos;s hooks into Claude Code with this key and checks them end to end.</p>
            <Snippet text={claudeCodeSetup(url, apiKey)} label="Claude Code setup" />
          </>
        ) : tab === 'mcp' ? (
          <>
            <p className="small">
              Add to the project&apos;s <code>.mcp.json</code>: the client starts the server through <code>warden mcp proxy</code>, which asks Warden before every tool call.
            </p>
            <div className="setup-fields">
              <label>
                Server name
                <input value={serverName} onChange={(e) => setServerName(e.target.value)} aria-invalid={!nameOk} />
              </label>
              <label>
                Server command
                <input value={serverCommand} onChange={(e) => setServerCommand(e.target.value)} />
              </label>
            </div>
            {nameOk ? null : <p className="form-error">A server name is letters, digits, dots, dashes and underscores.</p>}
            <Snippet text={mcpSnippet(url, apiKey, serverName, serverCommand)} label="MCP snippet" />
          </>
        ) : (
          <>
            <p className="small">Any program can ask Warden over HTTP before a side effect.</p>
            <Snippet text={curlExample(url, apiKey)} label="curl example" />
          </>
        )}
      </div>
    </div>
  );
}
