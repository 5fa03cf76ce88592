/** Agents and their keys: register an agent (its key shown once), disable, rotate keys; when each last called. */
import { useEffect, useState, type FormEvent } from 'react';
import type { AgentActivity as AgentActivityRow, Agent, AgentKey } from '../../../shared/api/agents.js';
import { api, errorMessage, idemKey } from '../lib/api';
import { ago, dateTime, micro } from '../lib/format';
import { useResource } from '../lib/useResource';
import { useAgentList, useAgents } from '../stores/agents';
import { useLiveEvents } from '../lib/hub';
import { useNow } from '../stores/clock';
import { toast } from '../stores/toasts';
import { Async, Empty } from '../components/states';
import { Dialog } from '../components/Dialog';
import { DialogFooter } from '../components/DialogFooter';
import { useAttempt } from '../lib/useAttempt';
import { CopyButton } from '../components/CopyButton';
import { GrantsPanel } from './Grants';
import { OperatorsPanel } from './Operators';
import { McpServersPanel } from './McpServers';
import { EditAgentDialog } from './agents/EditAgentDialog';
import { DeleteAgentDialog } from './agents/DeleteAgentDialog';
import { AgentSetup } from './agents/AgentSetup';
import { Gate } from '../lib/can';


/** An agent seen this recently counts as connected. */
const CONNECTED_MS = 2 * 60_000;

/** "connected · last seen 3 s ago", "last seen 2 h ago" or "never connected", from its last authenticated request. */
function lastContact(seenAt: string | null, now: number): { connected: boolean; seen: string | null } {
  if (!seenAt) return { connected: false, seen: null };
  const ms = now - Date.parse(seenAt);
  return { connected: ms < CONNECTED_MS, seen: `last seen ${ms < 60_000 ? `${Math.max(0, Math.round(ms / 1000))} s ago` : ago(seenAt, now)}` };
}

function LastContact({ agent }: { agent: Agent }) {
  const now = useNow((s) => s.now);
  const { connected, seen } = lastContact(agent.last_seen_at, now);
  return (
    <span className={connected ? '' : 'muted'} title={agent.last_seen_at ? dateTime(agent.last_seen_at) : 'No request with its key yet'}>
      <span className={`dot${connected ? ' dot-ok' : ''}`} aria-hidden="true" /> {connected ? 'connected · ' : null}
      {seen ?? 'never connected'}
    </span>
  );
}

const PERIOD_WORDS: Record<AgentActivityRow['period'], string> = { day: 'today', week: 'this week', month: 'this month', none: 'in all' };

/** Pending requests of the agent, linked to the Inbox filtered to it. */
function PendingCell({ activity, name }: { activity: AgentActivityRow | undefined; name: string }) {
  const n = activity?.pending_approvals ?? 0;
  if (!activity) return <span className="muted">—</span>;
  return n ? (
    <a href="#/inbox" title={`${n} request${n === 1 ? "" : "s"} of ${name} waiting in the Inbox`} className="pending-link no-wrap">
      {n} pending
    </a>
  ) : (
    <span className="muted no-wrap">0 pending</span>
  );
}

/** "$1.20 this week": spend in its agent budget's period, or today without one. */
function SpendCell({ activity }: { activity: AgentActivityRow | undefined }) {
  if (!activity) return <span className="muted">—</span>;
  return (
    <span className="no-wrap" title={`since ${dateTime(activity.period_starts_at)}${activity.budgeted ? ' (its budget period)' : ' (no agent budget: today)'}`}>
      {micro(activity.spent_micro_usd)} <span className="muted">{PERIOD_WORDS[activity.period]}</span>
    </span>
  );
}

export function AgentsPage() {
  const list = useAgentList();
  const store = useAgents.getState;
  const agents = { data: list.loaded ? list.agents : undefined, error: list.loaded ? null : list.error, loading: !list.loaded, reload: () => void store().reload() };
  // Last contact moves without an event of its own: refresh quietly while the page is open.
  useEffect(() => {
    void store().reload();
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void store().reload();
    }, 5_000);
    return () => clearInterval(t);
  }, [store]);
  // An action it asked for is contact too: show it at once.
  useLiveEvents((e) => {
    if (e.type !== 'action.evaluated') return;
    const agentId = e.data.agent_id;
    if (typeof agentId !== 'string') return;
    store().touch(agentId, e.at);
  });
  // Pending requests and spend this period per agent, in one read, refreshed with the list.
  const activity = useResource(async () => {
    const res = await api().call('agentActivity');
    return new Map(res.data.map((row) => [row.agent_id, row]));
  }, [list.agents]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ agent: Agent; key: string } | null>(null);
  const [keysFor, setKeysFor] = useState<Agent | null>(null);
  const [editing, setEditing] = useState<Agent | null>(null);
  const [deleting, setDeleting] = useState<Agent | null>(null);

  async function toggle(agent: Agent) {
    const status = agent.status === 'active' ? 'disabled' : 'active';
    try {
      const updated = await api().call('updateAgent', { params: { id: agent.id }, body: { status } });
      store().upsert(updated);
      toast.success(status === 'disabled' ? `Disabled ${agent.name}` : `Enabled ${agent.name}`, status === 'disabled' ? 'Every action it proposes is now blocked.' : undefined);
    } catch (err) {
      toast.error(`Could not update ${agent.name}`, errorMessage(err));
    }
  }

  return (
    <div className="page">
      <header className="page-header">
        <h2>Agents</h2>
        <div className="page-actions">
          <Gate route="createAgent">
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New agent
            </button>
          </Gate>
        </div>
      </header>

      <section aria-labelledby="agents-list-title" className="card">
        <h3 id="agents-list-title" className="card-title">
          Registered agents
        </h3>
        <Async {...agents} what="agents">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No agents yet">
                Register an agent to give it an API key. It then asks Warden before every side effect.
              </Empty>
            ) : (
              <div className="table-scroll">
              <table className="table agents" aria-label="Agents">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Team</th>
                    <th scope="col">Status</th>
                    <th scope="col">Pending</th>
                    <th scope="col">Spend</th>
                    <th scope="col" className="col-created">
                      Created
                    </th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <strong className="agent-name" title={`created ${dateTime(a.created_at)}`}>
                          {a.name}
                        </strong>
                        <div className="muted mono small truncate agent-id" title={a.id}>{a.id}</div>
                      </td>
                      <td>{a.role ?? <span className="muted">—</span>}</td>
                      <td>
                        {a.team_id ?? <span className="muted">—</span>}
                        {a.leader_agent_id ? <div className="muted small">led by {list.find((l) => l.id === a.leader_agent_id)?.name ?? a.leader_agent_id}</div> : null}
                      </td>
                      <td>
                        <span className={`pill ${a.status === 'active' ? 'pill-ok' : 'pill-bad'}`}>{a.status}</span>
                        <div className="small">
                          <LastContact agent={a} />
                        </div>
                      </td>
                      <td className="small">
                        <PendingCell activity={activity.data?.get(a.id)} name={a.name} />
                      </td>
                      <td className="small">
                        <SpendCell activity={activity.data?.get(a.id)} />
                      </td>
                      <td title={dateTime(a.created_at)} className="no-wrap col-created">
                        {ago(a.created_at)}
                      </td>
                      <td className="row-actions">
                        <Gate route="updateAgent">
                          <button type="button" onClick={() => setEditing(a)} aria-label={`Edit ${a.name}`}>
                            Edit
                          </button>
                        </Gate>
                        <button type="button" onClick={() => setKeysFor(a)} aria-label={`Keys of ${a.name}`}>
                          Keys
                        </button>
                        <Gate route="updateAgent">
                          <button type="button" onClick={() => void toggle(a)} aria-label={`${a.status === 'active' ? 'Disable' : 'Enable'} ${a.name}`}>
                            {a.status === 'active' ? 'Disable' : 'Enable'}
                          </button>
                        </Gate>
                        <Gate route="deleteAgent">
                          <button type="button" className="danger" onClick={() => setDeleting(a)} aria-label={`Delete ${a.name}`}>
                            Delete
                          </button>
                        </Gate>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
            )
          }
        </Async>
      </section>

      <GrantsPanel agents={agents.data ?? []} />

      <McpServersPanel agents={agents.data ?? []} />

      <OperatorsPanel />

      <CreateAgentDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(agent, key) => {
          setCreating(false);
          setCreated({ agent, key });
          store().upsert(agent);
        }}
      />
      {created ? <KeyOnceDialog title={`Agent ${created.agent.name} created`} apiKey={created.key} onClose={() => setCreated(null)} /> : null}
      {editing ? <EditAgentDialog agent={editing} agents={agents.data ?? []} onClose={() => setEditing(null)} /> : null}
      {keysFor ? <KeysDialog agent={keysFor} onClose={() => setKeysFor(null)} /> : null}
      {deleting ? <DeleteAgentDialog agent={deleting} onClose={() => setDeleting(null)} /> : null}
    </div>
  );
}

function CreateAgentDialog({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(agent: Agent, key: string): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [team, setTeam] = useState('');
  const { busy, error, attempt } = useAttempt();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await attempt(async () => {
      const res = await api().call(
        'createAgent',
        { body: { name: name.trim(), ...(role.trim() ? { role: role.trim() } : {}), ...(team.trim() ? { team_id: team.trim() } : {}) } },
        { idempotencyKey: idemKey() },
      );
      const { api_key, key: _key, ...agent } = res;
      onCreated(agent, api_key);
      setName('');
      setRole('');
      setTeam('');
    });
  }

  return (
    <Dialog title="New agent" open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus placeholder="claude-code" pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
        </label>
        <label>
          Role <span className="muted">(optional)</span>
          <input value={role} onChange={(e) => setRole(e.target.value)} placeholder="coder" />
        </label>
        <label>
          Team <span className="muted">(optional)</span>
          <input value={team} onChange={(e) => setTeam(e.target.value)} placeholder="platform" />
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Create agent" busyLabel="Creating…" disabled={!name.trim()} />
      </form>
    </Dialog>
  );
}

function KeyOnceDialog({ title, apiKey, onClose }: { title: string; apiKey: string; onClose(): void }) {
  return (
    <Dialog title={title} open onClose={onClose} footer={<button type="button" className="primary" onClick={onClose}>Done</button>}>
      <p>
        This is the agent&apos;s API key. <strong>It is shown once</strong> — Warden keeps only a hash.
      </p>
      <div className="key-row">
        <code aria-label="API key" className="key">
          {apiKey}
        </code>
        <CopyButton text={apiKey} label="Copy key" />
      </div>
      <h3 className="subhead">Connect the agent</h3>
      <AgentSetup apiKey={apiKey} />
    </Dialog>
  );
}

function KeysDialog({ agent, onClose }: { agent: Agent; onClose(): void }) {
  const keys = useResource(async () => {
    const all = [];
    for await (const k of api().paginate('listAgentKeys', { params: { id: agent.id }, query: { limit: 500 } })) all.push(k);
    return all;
  }, [agent.id]);
  const [fresh, setFresh] = useState<string | null>(null);

  async function issue() {
    try {
      const key = await api().call('createAgentKey', { params: { id: agent.id }, body: {} }, { idempotencyKey: idemKey() });
      const { api_key, ...rest } = key;
      keys.setData((list) => [rest, ...(list ?? [])]);
      setFresh(api_key);
    } catch (err) {
      toast.error('Could not issue a key', errorMessage(err));
    }
  }

  async function revoke(key: AgentKey) {
    try {
      const revoked = await api().call('revokeAgentKey', { params: { id: agent.id, key_id: key.id } });
      keys.setData((list) => list?.map((k) => (k.id === revoked.id ? revoked : k)));
      toast.success('Key revoked', `${key.prefix}… now answers 401.`);
    } catch (err) {
      toast.error('Could not revoke the key', errorMessage(err));
    }
  }

  if (fresh) return <KeyOnceDialog title={`New key for ${agent.name}`} apiKey={fresh} onClose={() => setFresh(null)} />;
  return (
    <Dialog title={`Keys of ${agent.name}`} open onClose={onClose} variant="drawer">
      <div className="page-actions">
        <Gate route="createAgentKey">
          <button type="button" className="primary" onClick={() => void issue()}>
            Issue new key
          </button>
        </Gate>
      </div>
      <Async {...keys} what="keys">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No keys">Issue a key to let this agent call Warden.</Empty>
          ) : (
            <table className="table" aria-label="Keys">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((k) => (
                  <tr key={k.id}>
                    <td className="mono">{k.prefix}…</td>
                    <td className="small">{k.scopes.join(', ')}</td>
                    <td>{k.revoked_at ? <span className="pill pill-bad">revoked</span> : ago(k.last_used_at)}</td>
                    <td className="row-actions">
                      {k.revoked_at ? null : (
                        <Gate route="revokeAgentKey">
                          <button type="button" className="danger" onClick={() => void revoke(k)} aria-label={`Revoke key ${k.prefix}`}>
                            Revoke
                          </button>
                        </Gate>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </Dialog>
  );
}
