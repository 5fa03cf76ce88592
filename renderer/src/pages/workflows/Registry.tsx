/**
 * The template registry: approved workflows pinned to a version, with their lifecycle (active →
 * deprecated → archived; archiving is irreversible), and creating a new workflow from one.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { useRoute } from '../../stores/route';
import { toast } from '../../stores/toasts';
import { useWorkflows } from '../../stores/workflows';
import { Async, Empty } from '../../components/states';
import { DialogFooter } from '../../components/DialogFooter';
import { Dialog } from '../../components/Dialog';
import { workflowHref } from './Definitions';
import { useCan } from '../../lib/can';
import { useActorLabel } from './actors';
import { workflowsApi, type TemplateStatus, type WorkflowTemplate } from './data';

const STATUS_PILL: Record<TemplateStatus, string> = { active: 'pill-ok', deprecated: 'pill-warn', archived: 'pill-muted' };
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;

export function RegistryTab() {
  const [includeArchived, setIncludeArchived] = useState(false);
  const registry = useResource(() => workflowsApi.registry(includeArchived), [includeArchived]);
  const [deprecating, setDeprecating] = useState<WorkflowTemplate | null>(null);
  const [archiving, setArchiving] = useState<WorkflowTemplate | null>(null);
  const [creating, setCreating] = useState<WorkflowTemplate | null>(null);
  const actorLabel = useActorLabel();
  const cannotDeprecate = useCan('deprecateWorkflowTemplate').reason;
  const cannotArchive = useCan('archiveWorkflowTemplate').reason;
  const cannotCreate = useCan('createWorkflowFromTemplate').reason;
  const all = registry.data ?? [];
  const nameOf = (id: string | null | undefined) => (id ? (all.find((t) => t.id === id)?.template_name ?? id) : null);
  const replace = (t: WorkflowTemplate) => registry.setData((list) => list?.map((x) => (x.id === t.id ? t : x)).filter((x) => includeArchived || x.status !== 'archived'));

  return (
    <section className="card" aria-labelledby="registry-title">
      <div className="card-head">
        <h3 id="registry-title" className="card-title">
          Template registry
        </h3>
        <label className="small">
          <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} /> Include archived
        </label>
      </div>
      <Async {...registry} what="the registry">
        {(list) =>
          list.length === 0 ? (
            <Empty title={includeArchived ? 'No templates' : 'No active or deprecated templates'}>
              Open a workflow under Definitions and choose <strong>Approve as template</strong> to pin its current version here; new workflows can then start from it.
            </Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" aria-label="Templates">
                <thead>
                  <tr>
                    <th scope="col">Template</th>
                    <th scope="col">Workflow</th>
                    <th scope="col">Status</th>
                    <th scope="col">Approved</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <th scope="row">
                        {t.template_name}
                        {t.description ? <div className="muted small">{t.description}</div> : null}
                        <div className="muted small mono">{t.id}</div>
                      </th>
                      <td>
                        <a href={workflowHref(t.workflow)} className="mono">
                          {t.workflow}
                        </a>{' '}
                        v{t.version}
                      </td>
                      <td>
                        <span className={`pill ${STATUS_PILL[t.status]}`}>{t.status}</span>
                        {t.status === 'deprecated' ? (
                          <div className="small">
                            {t.deprecation_reason ? <span className="muted">{t.deprecation_reason}</span> : null}
                            {t.replacement_id ? <div>use {nameOf(t.replacement_id)} instead</div> : null}
                          </div>
                        ) : null}
                      </td>
                      <td title={dateTime(t.approved_at)}>
                        {ago(t.approved_at)}
                        <div className="muted small">by {actorLabel(t.approved_by)}</div>
                      </td>
                      <td className="row-actions">
                        {t.status !== 'archived' ? (
                          <button
                            type="button"
                            disabled={Boolean(cannotCreate)}
                            title={cannotCreate ? `Creating a workflow ${cannotCreate}` : undefined}
                            onClick={() => setCreating(t)}
                            aria-label={`Create a workflow from ${t.template_name}`}
                          >
                            Use
                          </button>
                        ) : null}
                        {t.status === 'active' ? (
                          <button type="button" disabled={Boolean(cannotDeprecate)} title={cannotDeprecate ? `Deprecating ${cannotDeprecate}` : undefined} onClick={() => setDeprecating(t)} aria-label={`Deprecate ${t.template_name}`}>
                            Deprecate
                          </button>
                        ) : null}
                        {t.status !== 'archived' ? (
                          <button
                            type="button"
                            className="danger"
                            disabled={Boolean(cannotArchive)}
                            title={cannotArchive ? `Archiving ${cannotArchive}` : undefined}
                            onClick={() => setArchiving(t)}
                            aria-label={`Archive ${t.template_name}`}
                          >
                            Archive
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      <DeprecateDialog
        template={deprecating}
        others={all.filter((t) => t.status === 'active' && t.id !== deprecating?.id)}
        onClose={() => setDeprecating(null)}
        onDone={(t) => {
          setDeprecating(null);
          replace(t);
        }}
      />
      <ArchiveDialog
        template={archiving}
        onClose={() => setArchiving(null)}
        onDone={(t) => {
          setArchiving(null);
          replace(t);
        }}
      />
      <FromTemplateDialog template={creating} replacementName={nameOf(creating?.replacement_id)} onClose={() => setCreating(null)} />
    </section>
  );
}

function DeprecateDialog({ template: t, others, onClose, onDone }: { template: WorkflowTemplate | null; others: WorkflowTemplate[]; onClose(): void; onDone(t: WorkflowTemplate): void }) {
  const [reason, setReason] = useState('');
  const [replacement, setReplacement] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setReason('');
    setReplacement('');
    setError(null);
  }, [t]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!t) return;
    setBusy(true);
    try {
      const next = await workflowsApi.deprecate(t.id, { reason: reason.trim(), ...(replacement ? { replacement_id: replacement } : {}) });
      toast.success(`Deprecated ${t.template_name}`, 'New workflows from it are warned.');
      onDone(next);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={t ? `Deprecate ${t.template_name}` : 'Deprecate'} open={t !== null} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p>A deprecated template can still be used, with a warning that names its replacement. You can archive it later.</p>
        <label>
          Reason
          <input data-autofocus required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
        <label>
          Replacement
          <select value={replacement} onChange={(e) => setReplacement(e.target.value)}>
            <option value="">None</option>
            {others.map((o) => (
              <option key={o.id} value={o.id}>
                {o.template_name} ({o.workflow} v{o.version})
              </option>
            ))}
          </select>
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Deprecate" busyLabel="Deprecating…" disabled={!reason.trim()} />
      </form>
    </Dialog>
  );
}

function ArchiveDialog({ template: t, onClose, onDone }: { template: WorkflowTemplate | null; onClose(): void; onDone(t: WorkflowTemplate): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [t]);
  async function archive() {
    if (!t) return;
    setBusy(true);
    try {
      const next = await workflowsApi.archive(t.id);
      toast.success(`Archived ${t.template_name}`);
      onDone(next);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={t ? `Archive ${t.template_name}?` : 'Archive'} open={t !== null} onClose={onClose}>
      <p>
        <strong>This cannot be undone.</strong> An archived template is hidden from the registry and no workflow can be created from it. The workflow {t?.workflow} itself and its
        runs are not touched.
      </p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void archive()}>
          Archive for good
        </button>
      </div>
    </Dialog>
  );
}

function FromTemplateDialog({ template: t, replacementName, onClose }: { template: WorkflowTemplate | null; replacementName: string | null; onClose(): void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setName('');
    setError(null);
  }, [t]);
  const valid = NAME_PATTERN.test(name);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!t || !valid) return;
    setBusy(true);
    try {
      const r = await workflowsApi.fromTemplate({ template_id: t.id, name });
      if (r.warning) toast.warning(`Created ${name} from a deprecated template`, r.warning);
      else toast.success(`Created ${name}`, `Version 1, from ${t.template_name}.`);
      onClose();
      void useWorkflows.getState().loadDefinitions();
      useRoute.getState().go('workflow', name);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={t ? `New workflow from ${t.template_name}` : 'New workflow'} open={t !== null} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {t?.status === 'deprecated' ? (
          <p className="warning" role="alert">
            This template is deprecated{t.deprecation_reason ? `: ${t.deprecation_reason}` : ''}.
            {replacementName ? ` Use ${replacementName} instead.` : ' It names no replacement.'}
          </p>
        ) : null}
        <p>
          Copies {t?.workflow} v{t?.version} as version 1 of a new workflow.
        </p>
        <label>
          Name
          <input data-autofocus required value={name} maxLength={40} onChange={(e) => setName(e.target.value.toLowerCase())} aria-describedby="wf-name-hint" />
        </label>
        <p id="wf-name-hint" className={name && !valid ? 'field-error small' : 'muted small'}>
          a-z, 0-9 and -, 3 to 40 characters
        </p>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Create workflow" busyLabel="Creating…" disabled={!valid} />
      </form>
    </Dialog>
  );
}
