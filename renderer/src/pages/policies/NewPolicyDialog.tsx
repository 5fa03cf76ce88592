/** New guardrail policy: a name and its first rule, which starts as ALERT and needs a matcher. */
import { useMemo, useState, type FormEvent } from 'react';
import type { GuardrailPolicyObject } from '../../../../shared/api/policies.js';
import { api, idemKey } from '../../lib/api';
import { toast } from '../../stores/toasts';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { useAttempt } from '../../lib/useAttempt';
import { ConfirmEverythingDialog, emptyRow, newCatchAlls, RulesEditor, toRule, useAgentNames, type RuleRow } from './RuleEditor';

export function NewPolicyDialog({ onClose, onCreated }: { onClose(): void; onCreated(p: GuardrailPolicyObject): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [rows, setRows] = useState<RuleRow[]>(() => [emptyRow()]);
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState<number[] | null>(null);
  const { busy, error, attempt } = useAttempt();
  const agents = useAgentNames();
  const parsed = useMemo(() => rows.map(toRule), [rows]);
  const rules = parsed.flatMap((p) => (p.rule ? [p.rule] : []));
  const invalid = parsed.some((p) => p.error !== null);

  async function create(confirmed: boolean) {
    setTouched(true);
    if (invalid) return;
    const everything = newCatchAlls(rules);
    if (everything.length && !confirmed) {
      setConfirming(everything);
      return;
    }
    setConfirming(null);
    await attempt(async () => {
      const p = await api().call('createGuardrail', { body: { name: name.trim(), description: description.trim() || null, rules } }, { idempotencyKey: idemKey() });
      toast.success(`Created ${p.name}`, 'Version 1. Refine its rules below.');
      onCreated(p);
    });
  }

  return (
    <Dialog title="New guardrail policy" open onClose={onClose} variant="modal">
      <form
        className="form new-policy"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void create(false);
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} pattern="[a-z0-9\-]{3,40}" required autoFocus placeholder="refund-ceiling" />
          <span className="muted small">3–40 of a-z, 0-9 and -; it cannot change later.</span>
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <RulesEditor
          rows={rows}
          // A rule still being written is not an error until Create is pressed.
          errors={parsed.map((p) => (touched ? p.error : p.error?.startsWith('expression') || p.error?.startsWith('max value') ? p.error : null))}
          agents={agents}
          onChange={(key, patch) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)))}
          onRemove={(key) => setRows((rs) => rs.filter((r) => r.key !== key))}
        />
        <DialogFooter
          error={error}
          busy={busy}
          onCancel={onClose}
          submit="Create policy"
          busyLabel="Creating…"
          extra={
            <>
              <button type="button" onClick={() => setRows((rs) => [...rs, emptyRow()])}>
                Add rule
              </button>
              <span className="spacer" />
            </>
          }
        />
      </form>
      {confirming ? <ConfirmEverythingDialog ruleNumbers={confirming} onCancel={() => setConfirming(null)} onConfirm={() => void create(true)} /> : null}
    </Dialog>
  );
}
