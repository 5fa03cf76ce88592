/**
 * Operators: the people who answer approvals. Everyone sees who they are; the owner adds,
 * revokes and rotates them (a new token is shown once). Rotating the owner's own token signs this
 * window in with the new one.
 */
import { useState, type FormEvent } from 'react';
import type { Operator } from '../../../shared/api/operators.js';
import { api, errorMessage, idemKey } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useResource } from '../lib/useResource';
import { useSession } from '../stores/session';
import { toast } from '../stores/toasts';
import { Async } from '../components/states';
import { Dialog } from '../components/Dialog';
import { DialogFooter } from '../components/DialogFooter';
import { useAttempt } from '../lib/useAttempt';
import { CopyButton } from '../components/CopyButton';

async function loadOperators(): Promise<Operator[]> {
  const out: Operator[] = [];
  for await (const o of api().paginate('listOperators', { query: { limit: 500 } })) out.push(o);
  return out;
}

export function OperatorsPanel() {
  const operators = useResource(loadOperators, []);
  const me = useSession((s) => s.operator);
  const signIn = useSession((s) => s.signIn);
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<{ title: string; token: string } | null>(null);
  const isOwner = (operators.data ?? []).some((o) => o.id === me?.id && o.is_owner);

  const replace = (updated: Operator) => operators.setData((list) => list?.map((o) => (o.id === updated.id ? updated : o)));

  async function revoke(op: Operator) {
    if (!window.confirm(`Revoke ${op.name}? Their token stops working at once.`)) return;
    try {
      replace(await api().call('revokeOperator', { params: { id: op.id } }));
      toast.success(`Revoked ${op.name}`, 'Their token now answers 401.');
    } catch (err) {
      toast.error(`Could not revoke ${op.name}`, errorMessage(err));
    }
  }

  async function rotate(op: Operator) {
    if (!window.confirm(`Give ${op.name} a new token? The current one stops working at once.`)) return;
    try {
      const { token, ...updated } = await api().call('rotateOperator', { params: { id: op.id } });
      replace(updated);
      setShown({ title: `New token for ${op.name}`, token });
      if (op.id === me?.id) await signIn(token);
    } catch (err) {
      toast.error(`Could not rotate ${op.name}'s token`, errorMessage(err));
    }
  }

  return (
    <section aria-labelledby="operators-title" className="card">
      <div className="page-header">
        <h3 id="operators-title" className="card-title">
          Operators
        </h3>
        {isOwner ? (
          <div className="page-actions">
            <button type="button" onClick={() => setAdding(true)}>
              Add operator
            </button>
          </div>
        ) : null}
      </div>
      <p className="muted small">
        Approval thresholds count distinct operators that existed before a request was made. {isOwner ? '' : 'Only the owner can add, revoke or rotate operators.'}
      </p>
      <Async {...operators} what="operators">
        {(list) => (
          <table className="table" aria-label="Operators">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((o) => (
                <tr key={o.id}>
                  <td>
                    <strong>{o.name}</strong>
                    {o.id === me?.id ? <span className="muted small"> (you)</span> : null}
                    <div className="muted mono small">{o.id}</div>
                  </td>
                  <td>{o.is_owner ? 'owner' : 'operator'}</td>
                  <td>{o.revoked_at ? <span className="pill pill-bad">revoked {ago(o.revoked_at)}</span> : <span className="pill pill-ok">active</span>}</td>
                  <td title={dateTime(o.created_at)}>{ago(o.created_at)}</td>
                  <td className="row-actions">
                    {isOwner && !o.revoked_at ? (
                      <>
                        <button type="button" onClick={() => void rotate(o)} aria-label={`Rotate the token of ${o.name}`}>
                          Rotate token
                        </button>
                        {o.is_owner ? null : (
                          <button type="button" className="danger" onClick={() => void revoke(o)} aria-label={`Revoke ${o.name}`}>
                            Revoke
                          </button>
                        )}
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      <AddOperatorDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(op, token) => {
          setAdding(false);
          operators.setData((list) => [...(list ?? []), op]);
          setShown({ title: `Operator ${op.name} added`, token });
        }}
      />
      {shown ? <TokenOnceDialog title={shown.title} token={shown.token} onClose={() => setShown(null)} /> : null}
    </section>
  );
}

function AddOperatorDialog({ open, onClose, onAdded }: { open: boolean; onClose(): void; onAdded(op: Operator, token: string): void }) {
  const [name, setName] = useState('');
  const { busy, error, attempt } = useAttempt();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await attempt(async () => {
      const { token, ...op } = await api().call('createOperator', { body: { name: name.trim() } }, { idempotencyKey: idemKey() });
      onAdded(op, token);
      setName('');
    });
  }

  return (
    <Dialog title="Add operator" open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus placeholder="alice" pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Add operator" busyLabel="Adding…" disabled={!name.trim()} />
      </form>
    </Dialog>
  );
}

function TokenOnceDialog({ title, token, onClose }: { title: string; token: string; onClose(): void }) {
  return (
    <Dialog title={title} open onClose={onClose} footer={<button type="button" className="primary" onClick={onClose}>Done</button>}>
      <p>
        This operator token is <strong>shown once</strong> — Warden keeps only a hash. Hand it to its person over a private channel.
      </p>
      <div className="key-row">
        <code aria-label="Operator token" className="key">
          {token}
        </code>
        <CopyButton text={token} label="Copy token" />
      </div>
    </Dialog>
  );
}
