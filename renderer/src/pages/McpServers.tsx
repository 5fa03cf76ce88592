/**
 * MCP servers (under Agents): the servers registered for the gateway with their calls, each
 * server's tools with the decision a call would get for a chosen agent (dry run), and one click
 * to require approval for a tool (a guardrail policy with an ALERT rule for `mcp.NAME.TOOL`).
 */
import { useState, type FormEvent } from 'react';
import type { Agent } from '../../../shared/api/agents.js';
import type { McpServer, McpToolPreview } from '../../../shared/api/mcp.js';
import { api, errorMessage, idemKey } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useResource } from '../lib/useResource';
import { toast } from '../stores/toasts';
import { Async, Empty } from '../components/states';
import { Dialog } from '../components/Dialog';
import { Gate } from '../lib/can';
import { DialogFooter } from '../components/DialogFooter';
import { useAttempt } from '../lib/useAttempt';

async function loadServers(): Promise<McpServer[]> {
  const all: McpServer[] = [];
  for await (const s of api().paginate('listMcpServers', { query: { limit: 500 } })) all.push(s);
  return all;
}

async function loadTools(name: string, agentId: string): Promise<McpToolPreview[]> {
  const all: McpToolPreview[] = [];
  for await (const t of api().paginate('listMcpServerTools', { params: { name }, query: { limit: 500, ...(agentId ? { agent_id: agentId } : {}) } })) all.push(t);
  return all;
}

const STATUS_PILL: Record<McpToolPreview['status'], string> = { allowed: 'pill-ok', pending_approval: 'pill-warn', blocked: 'pill-bad' };
const STATUS_LABEL: Record<McpToolPreview['status'], string> = { allowed: 'allowed', pending_approval: 'asks you', blocked: 'blocked' };

/** A guardrail policy name (a-z 0-9 -, 3–40) for "require approval" on one tool. */
export function approvalPolicyName(server: string, tool: string): string {
  const slug = `ask-${server}-${tool}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, '');
  return slug.length <= 40 ? slug : `${slug.slice(0, 31)}-${Math.abs(hash(slug)).toString(36).slice(0, 8)}`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function McpServersPanel({ agents }: { agents: Agent[] }) {
  const servers = useResource(loadServers, []);
  const [registering, setRegistering] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  async function remove(s: McpServer) {
    if (!window.confirm(`Unregister ${s.name}? Agents can no longer reach it at ${s.endpoint}.`)) return;
    try {
      await api().call('deleteMcpServer', { params: { name: s.name } });
      servers.setData((list) => list?.filter((x) => x.name !== s.name));
      toast.success(`Unregistered ${s.name}`);
    } catch (err) {
      toast.error(`Could not unregister ${s.name}`, errorMessage(err));
    }
  }

  return (
    <section aria-labelledby="mcp-servers-title" className="card">
      <div className="page-header">
        <h3 id="mcp-servers-title" className="card-title">
          MCP servers
        </h3>
        <div className="page-actions">
          <Gate route="createMcpServer">
            <button type="button" onClick={() => setRegistering(true)}>
              Register server
            </button>
          </Gate>
        </div>
      </div>
      <Async {...servers} what="MCP servers">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No MCP servers registered">
              Register a server to serve it at <code>/mcp/NAME</code>, or run one through <code>warden mcp proxy</code> (see docs/mcp.md).
            </Empty>
          ) : (
            <table className="table" aria-label="MCP servers">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Calls</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <ServerRow key={s.name} server={s} agents={agents} open={open === s.name} onToggle={() => setOpen(open === s.name ? null : s.name)} onRemove={() => void remove(s)} />
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      <RegisterDialog
        open={registering}
        onClose={() => setRegistering(false)}
        onCreated={(s) => {
          setRegistering(false);
          servers.setData((list) => [...(list ?? []), s].sort((a, b) => a.name.localeCompare(b.name)));
          toast.success(`Registered ${s.name}`, `Agents reach it at ${s.endpoint}`);
        }}
      />
    </section>
  );
}

function ServerRow({ server: s, agents, open, onToggle, onRemove }: { server: McpServer; agents: Agent[]; open: boolean; onToggle(): void; onRemove(): void }) {
  return (
    <>
      <tr>
        <td>
          <strong>{s.name}</strong>
          <div className="muted mono small">{s.endpoint}</div>
        </td>
        <td>
          <span className="mono small" style={{ overflowWrap: 'anywhere' }}>
            {s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : s.url}
          </span>
          <div className="small">
            <span className={`pill ${s.state === 'running' ? 'pill-ok' : s.state === 'failed' || s.state === 'restarting' ? 'pill-bad' : ''}`}>{s.state}</span>
            {s.env_keys.length ? <span className="muted"> · env {s.env_keys.join(', ')}</span> : null}
          </div>
        </td>
        <td>
          {s.calls.total}
          <div className="muted small">
            {s.calls.allowed} allowed · {s.calls.blocked} blocked · {s.calls.denied} denied{s.calls.pending ? ` · ${s.calls.pending} waiting` : ''}
          </div>
          {s.calls.last_at ? (
            <div className="muted small" title={dateTime(s.calls.last_at)}>
              last {ago(s.calls.last_at)}
            </div>
          ) : null}
        </td>
        <td className="row-actions">
          <button type="button" aria-expanded={open} onClick={onToggle} aria-label={`Tools of ${s.name}`}>
            Tools
          </button>
          <Gate route="deleteMcpServer">
            <button type="button" onClick={onRemove} aria-label={`Unregister ${s.name}`}>
              Unregister
            </button>
          </Gate>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={4}>
            <ToolsPreview server={s.name} agents={agents} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function ToolsPreview({ server, agents }: { server: string; agents: Agent[] }) {
  const [agentId, setAgentId] = useState(agents[0]?.id ?? '');
  const tools = useResource(() => loadTools(server, agentId), [server, agentId]);
  const [busy, setBusy] = useState<string | null>(null);

  async function requireApproval(t: McpToolPreview) {
    setBusy(t.name);
    try {
      await api().call(
        'createGuardrail',
        {
          body: {
            name: approvalPolicyName(server, t.name),
            description: `Require approval for ${t.warden_tool} (MCP server ${server})`,
            rules: [{ tool: t.warden_tool, decision: 'ALERT' }],
          },
        },
        { idempotencyKey: idemKey() },
      );
      toast.success(`${t.name} now asks you`, `Guardrail policy ${approvalPolicyName(server, t.name)} asks before every ${t.warden_tool}.`);
      tools.reload();
    } catch (err) {
      toast.error(`Could not require approval for ${t.name}`, errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="mcp-tools">
      <label className="inline-form">
        Decisions for{' '}
        <select value={agentId} onChange={(e) => setAgentId(e.target.value)} aria-label="Agent for the dry run">
          <option value="">no agent</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <Async {...tools} what="tools">
        {(list) =>
          list.length === 0 ? (
            <Empty title="This server offers no tools" />
          ) : (
            <table className="table" aria-label={`Tools of ${server}`}>
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col">Decision</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.name}>
                    <td>
                      <strong className="mono">{t.name}</strong>
                      {t.categories.map((c) => (
                        <span key={c} className="chip">
                          {c}
                        </span>
                      ))}
                      {t.description ? (
                        <div className="muted small" title={t.description} style={{ display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden' }}>
                          {t.description}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <span className={`pill ${STATUS_PILL[t.status]}`}>{STATUS_LABEL[t.status]}</span>
                      <div className="muted small">{t.explanation}</div>
                    </td>
                    <td className="row-actions">
                      {t.status === 'allowed' ? (
                        <Gate route="createGuardrail">
                          <button type="button" disabled={busy === t.name} onClick={() => void requireApproval(t)} aria-label={`Require approval for ${t.name}`}>
                            Require approval
                          </button>
                        </Gate>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </div>
  );
}

function RegisterDialog({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(s: McpServer): void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'stdio' | 'http'>('stdio');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [env, setEnv] = useState('');
  const [url, setUrl] = useState('');
  const { busy, error, setError, attempt } = useAttempt();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const envPairs: Record<string, string> = {};
    for (const line of env.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const eq = line.indexOf('=');
      if (eq <= 0) return setError(`env line "${line.slice(0, 20)}" is not NAME=value`);
      envPairs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const body =
      kind === 'stdio'
        ? { name: name.trim(), command: command.trim(), args: args.split('\n').map((a) => a.trim()).filter(Boolean), ...(Object.keys(envPairs).length ? { env: envPairs } : {}) }
        : { name: name.trim(), url: url.trim() };
    await attempt(async () => {
      const created = await api().call('createMcpServer', { body }, { idempotencyKey: idemKey() });
      setName('');
      setCommand('');
      setArgs('');
      setEnv('');
      setUrl('');
      onCreated(created);
    });
  }

  return (
    <Dialog title="Register an MCP server" open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus placeholder="filesystem" pattern="[A-Za-z0-9_\-]{1,64}" />
        </label>
        <fieldset className="radios">
          <legend>Runs as</legend>
          <label className="check">
            <input type="radio" name="mcp-kind" checked={kind === 'stdio'} onChange={() => setKind('stdio')} /> a command (stdio)
          </label>
          <label className="check">
            <input type="radio" name="mcp-kind" checked={kind === 'http'} onChange={() => setKind('http')} /> a URL (Streamable HTTP)
          </label>
        </fieldset>
        {kind === 'stdio' ? (
          <>
            <label>
              Command
              <input value={command} onChange={(e) => setCommand(e.target.value)} required placeholder="npx" />
            </label>
            <label>
              Arguments <span className="muted">(one per line)</span>
              <textarea value={args} onChange={(e) => setArgs(e.target.value)} rows={3} placeholder={'-y\n@modelcontextprotocol/server-filesystem\n/home/me/project'} />
            </label>
            <label>
              Environment <span className="muted">(NAME=value per line; secrets — never shown again)</span>
              <textarea value={env} onChange={(e) => setEnv(e.target.value)} rows={2} autoComplete="off" spellCheck={false} />
            </label>
          </>
        ) : (
          <label>
            URL
            <input value={url} onChange={(e) => setUrl(e.target.value)} required type="url" placeholder="https://mcp.example.com/mcp" />
          </label>
        )}
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Register" busyLabel="Registering…" disabled={!name.trim()} />
      </form>
    </Dialog>
  );
}
