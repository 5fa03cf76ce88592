/**
 * Delete an agent, after a confirmation that says what happens: its keys stop working at once,
 * its history stays. The name is typed to confirm, so a stray Enter deletes nothing.
 */
import { useState, type FormEvent } from 'react';
import type { Agent } from '../../../../shared/api/agents.js';
import { api } from '../../lib/api';
import { useAgents } from '../../stores/agents';
import { toast } from '../../stores/toasts';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { useAttempt } from '../../lib/useAttempt';

export function DeleteAgentDialog({ agent, onClose }: { agent: Agent; onClose(): void }) {
  const [typed, setTyped] = useState('');
  const { busy, error, attempt } = useAttempt();
  const confirmed = typed.trim() === agent.name;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!confirmed) return;
    await attempt(async () => {
      const deleted = await api().call('deleteAgent', { params: { id: agent.id } });
      useAgents.getState().remove(deleted.id);
      toast.success(`Deleted ${agent.name}`, 'Its keys are revoked and its pending requests withdrawn; its history stays in the audit.');
      onClose();
    });
  }

  return (
    <Dialog title={`Delete ${agent.name}?`} open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p>
          Every key of <strong>{agent.name}</strong> stops working at once (its next request gets 401), and it leaves this list. Its actions, approvals, spend and
          audit entries stay.
        </p>
        <label>
          Type its name to confirm
          <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={agent.name} autoComplete="off" data-autofocus />
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Delete agent" busyLabel="Deleting…" disabled={!confirmed} tone="danger" />
      </form>
    </Dialog>
  );
}
