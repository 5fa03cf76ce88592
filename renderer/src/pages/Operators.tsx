/**
 * Operators: the people who answer approvals, each with a role (viewer < member < admin < owner)
 * and a permissions list. Everyone sees who they are; an owner adds, revokes and rotates them (a
 * new token is shown once) and sets roles and permissions. Rotating one's own token signs this
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
import { Gate, useCan } from '../lib/can';
import { OPERATOR_ROLES, type OperatorRole } from '../../../shared/vocabulary.js';

/** The operator.token operator: it cannot be revoked (rotate its token instead). */
const TOKEN_FILE_OPERATOR = 'owner';

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
  const canManage = useCan('updateOperator');
  const [editingPermissions, setEditingPermissions] = useState<Operator | null>(null);

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

  async function setRole(op: Operator, role: OperatorRole) {
    try {
      const updated = await api().call('updateOperator', { params: { id: op.id }, body: { role } });
      replace(updated);
      toast.success(`${op.name} is now ${updated.role}`);
      if (op.id === me?.id) await signIn(useSession.getState().token ?? '');
    } catch (err) {
      toast.error(`Could not change ${op.name}'s role`, errorMessage(err));
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
        <div className="page-actions">
          <Gate route="createOperator">
            <button type="button" onClick={() => setAdding(true)}>
              Add operator
            </button>
          </Gate>
        </div>
      </div>
      <p className="muted small">
        Viewers read everything; members also decide approvals; admins also edit guardrails, tool policies, budgets and agents and release the kill-switch;
        owners also change governance settings, quotas and operators. Approval thresholds count operators who may decide and existed before a request was made.
        {canManage.allowed ? '' : ` You are ${me?.role ?? 'signed in'}: only an owner changes operators.`}
      </p>
      <Async {...operators} what="operators">
        {(list) => (
          <table className="table operators" aria-label="Operators">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Permissions</th>
                <th scope="col">Status</th>
                <th scope="col" className="col-created">
                  Added
                </th>
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
                  <td>
                    {canManage.allowed && !o.revoked_at ? (
                      <select aria-label={`Role of ${o.name}`} value={o.role} onChange={(e) => void setRole(o, e.target.value as OperatorRole)}>
                        {OPERATOR_ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="pill">{o.role}</span>
                    )}
                  </td>
                  <td className="small">
                    {o.permissions.length ? <span className="mono">{o.permissions.join(', ')}</span> : <span className="muted">none</span>}
                    {o.role !== 'owner' && !o.revoked_at ? (
                      <>
                        {' '}
                        <Gate route="updateOperator">
                          <button type="button" className="link small" onClick={() => setEditingPermissions(o)} aria-label={`Edit permissions of ${o.name}`}>
                            edit
                          </button>
                        </Gate>
                      </>
                    ) : null}
                  </td>
                  <td>{o.revoked_at ? <span className="pill pill-bad">revoked {ago(o.revoked_at)}</span> : <span className="pill pill-ok">active</span>}</td>
                  <td title={dateTime(o.created_at)} className="col-created">
                    {ago(o.created_at)}
                  </td>
                  <td className="row-actions">
                    {!o.revoked_at ? (
                      <>
                        <Gate route="rotateOperator">
                          <button type="button" onClick={() => void rotate(o)} aria-label={`Rotate the token of ${o.name}`}>
                            Rotate token
                          </button>
                        </Gate>
                        {o.name === TOKEN_FILE_OPERATOR ? null : (
                          <Gate route="revokeOperator">
                            <button type="button" className="danger" onClick={() => void revoke(o)} aria-label={`Revoke ${o.name}`}>
                              Revoke
                            </button>
                          </Gate>
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
      {editingPermissions ? (
        <PermissionsDialog
          operator={editingPermissions}
          onClose={() => setEditingPermissions(null)}
          onSaved={(op) => {
            replace(op);
            setEditingPermissions(null);
          }}
        />
      ) : null}
      {shown ? <TokenOnceDialog title={shown.title} token={shown.token} onClose={() => setShown(null)} /> : null}
    </section>
  );
}

function AddOperatorDialog({ open, onClose, onAdded }: { open: boolean; onClose(): void; onAdded(op: Operator, token: string): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<OperatorRole>('member');
  const { busy, error, attempt } = useAttempt();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await attempt(async () => {
      const { token, ...op } = await api().call('createOperator', { body: { name: name.trim(), role } }, { idempotencyKey: idemKey() });
      onAdded(op, token);
      setName('');
      setRole('member');
    });
  }

  return (
    <Dialog title="Add operator" open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus placeholder="alice" pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as OperatorRole)}>
            {OPERATOR_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
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

/** Replaces an operator's permissions (names workflow `permission` guards check). */
function PermissionsDialog({ operator, onClose, onSaved }: { operator: Operator; onClose(): void; onSaved(op: Operator): void }) {
  const [text, setText] = useState(operator.permissions.join(', '));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const permissions = text.split(/[\s,]+/).filter(Boolean);
    try {
      onSaved(await api().call('updateOperator', { params: { id: operator.id }, body: { permissions } }));
      toast.success(`Permissions of ${operator.name} saved`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Permissions of ${operator.name}`} open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Permissions, separated by commas or spaces
          <input value={text} onChange={(e) => setText(e.target.value)} autoFocus placeholder="deploy:prod, refunds.approve" />
        </label>
        <p className="muted small">Workflow guards of kind permission check these names. Owners hold every permission.</p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save permissions'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
