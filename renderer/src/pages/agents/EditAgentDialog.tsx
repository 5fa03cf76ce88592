/**
 * Edit an agent's role, team, leader and permissions (PATCH /v1/agents/:id); a cleared field is
 * sent as null, cleared permissions as an empty list.
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { Agent } from '../../../../shared/api/agents.js';
import { api } from '../../lib/api';
import { useAgents } from '../../stores/agents';
import { toast } from '../../stores/toasts';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { useAttempt } from '../../lib/useAttempt';

export function EditAgentDialog({ agent, agents, onClose }: { agent: Agent; agents: Agent[]; onClose(): void }) {
  const [role, setRole] = useState(agent.role ?? '');
  const [team, setTeam] = useState(agent.team_id ?? '');
  const [leader, setLeader] = useState(agent.leader_agent_id ?? '');
  const [permissions, setPermissions] = useState(agent.permissions.join(', '));
  const { busy, error, attempt } = useAttempt();
  const teams = useMemo(() => [...new Set(agents.map((a) => a.team_id).filter((t): t is string => Boolean(t)))].sort(), [agents]);
  // Any other agent can lead it; the list is by name.
  const leaders = useMemo(() => agents.filter((a) => a.id !== agent.id).sort((a, b) => a.name.localeCompare(b.name)), [agents, agent.id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await attempt(async () => {
      const updated = await api().call('updateAgent', {
        params: { id: agent.id },
        body: {
          role: role.trim() || null,
          team_id: team.trim() || null,
          leader_agent_id: leader || null,
          permissions: permissions.split(/[\s,]+/).filter(Boolean),
        },
      });
      useAgents.getState().upsert(updated);
      toast.success(`Updated ${agent.name}`);
      onClose();
    });
  }

  return (
    <Dialog title={`Edit ${agent.name}`} open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted small">Leave a field empty to clear it.</p>
        <label>
          Role
          <input value={role} onChange={(e) => setRole(e.target.value)} placeholder="coder" maxLength={64} data-autofocus />
        </label>
        <label>
          Team
          <input value={team} onChange={(e) => setTeam(e.target.value)} placeholder="platform" maxLength={64} list="agent-teams" />
          <datalist id="agent-teams">
            {teams.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          Leader
          <select value={leader} onChange={(e) => setLeader(e.target.value)}>
            <option value="">No leader</option>
            {leaders.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Permissions
          <input value={permissions} onChange={(e) => setPermissions(e.target.value)} placeholder="deploy:staging, refunds.approve" />
        </label>
        <p className="muted small">Names workflow guards of kind permission check, separated by commas or spaces.</p>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Save agent" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
