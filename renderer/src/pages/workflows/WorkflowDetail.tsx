/**
 * One workflow (`#/workflow/NAME`): its state machine, every version (who, when, message,
 * warnings), a diff between any two, rollback with a message, and approving it as a template.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api';
import { diffLines } from '../../lib/diff';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { useRoute } from '../../stores/route';
import { toast } from '../../stores/toasts';
import { useWorkflows } from '../../stores/workflows';
import { Async } from '../../components/states';
import { DialogFooter } from '../../components/DialogFooter';
import { Dialog } from '../../components/Dialog';
import { StateMachineGraph } from './StateMachineGraph';
import { foldUnchanged } from './diffFold';
import { useCan } from '../../lib/can';
import { useActorLabel } from './actors';
import { definitionText, warningText, workflowsApi, type WorkflowVersionFull, type WorkflowVersionInfo } from './data';
import './workflows.css';

export function WorkflowPage() {
  const name = useRoute((s) => s.param) ?? '';
  const detail = useResource(() => workflowsApi.get(name), [name]);
  const versions = useResource(() => workflowsApi.versions(name), [name]);
  const [shown, setShown] = useState<number | null>(null);
  const [rollingBack, setRollingBack] = useState<WorkflowVersionInfo | null>(null);
  const [approving, setApproving] = useState(false);
  const actorLabel = useActorLabel();
  const cannotApprove = useCan('approveWorkflowTemplate').reason;
  const cannotRollBack = useCan('rollbackWorkflow').reason;
  // Full definitions by version, fetched once each (versions never change).
  const cache = useRef(new Map<number, Promise<WorkflowVersionFull>>());
  useEffect(() => cache.current.clear(), [name]);
  const fullVersion = (v: number) => {
    let p = cache.current.get(v);
    if (!p) {
      p = workflowsApi.version(name, v);
      p.catch(() => cache.current.delete(v));
      cache.current.set(v, p);
    }
    return p;
  };
  const latest = detail.data?.version ?? null;
  const showing = shown ?? latest;
  const shownDef = useResource(async () => (showing === null ? null : showing === latest && detail.data ? detail.data.definition : (await fullVersion(showing)).definition), [showing, latest, detail.data]);

  function reload() {
    detail.reload();
    versions.reload();
    void useWorkflows.getState().loadDefinitions();
  }

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <a href="#/workflows" className="small">
            ← Workflows
          </a>
          <h2 className="wf-title">{name}</h2>
          {detail.data ? (
            <p className="muted">
              v{detail.data.version} · deployed {ago(detail.data.deployed_at)}
              {detail.data.description ? ` · ${detail.data.description}` : ''}
            </p>
          ) : null}
        </div>
        <div className="page-actions">
          <button
            type="button"
            onClick={() => {
              useWorkflows.getState().setFilters({ workflow: name });
              useRoute.getState().go('workflows', 'runs');
            }}
          >
            Runs
          </button>
          <button type="button" disabled={!detail.data || Boolean(cannotApprove)} title={cannotApprove ? `Approving a template ${cannotApprove}` : undefined} onClick={() => setApproving(true)}>
            Approve as template
          </button>
        </div>
      </header>

      <Async {...detail} what={`workflow ${name}`}>
        {() => (
          <div className="wf-layout">
            <section className="card" aria-labelledby="wf-graph-title">
              <div className="card-head">
                <h3 id="wf-graph-title" className="card-title">
                  State machine {showing !== null ? `· v${showing}` : ''}
                </h3>
                {showing !== latest ? (
                  <button type="button" className="link" onClick={() => setShown(null)}>
                    Show the latest
                  </button>
                ) : null}
              </div>
              <Async {...shownDef} what="the definition">
                {(def) => (def ? <StateMachineGraph definition={def} label={`State machine of ${name} v${showing}`} /> : null)}
              </Async>
            </section>
            <section className="card" aria-labelledby="wf-versions-title">
              <h3 id="wf-versions-title" className="card-title">
                Versions
              </h3>
              <Async {...versions} what="versions">
                {(vs) => (
                  <ol className="wf-versions" aria-label="Versions">
                    {vs.map((v) => (
                      <li key={v.version} aria-current={v.version === showing ? 'true' : undefined}>
                        <div className="wf-version-text">
                          <strong>v{v.version}</strong> <span className="muted small">{dateTime(v.deployed_at)} · by {actorLabel(v.deployed_by)}</span>
                          {v.rolled_back_from ? <span className="pill pill-muted">rollback of v{v.rolled_back_from}</span> : null}
                          {v.warnings.length ? (
                            <span className="pill pill-warn">
                              {v.warnings.length} warning{v.warnings.length === 1 ? '' : 's'}
                            </span>
                          ) : null}
                          <div>{v.message ? <span className="version-note">{v.message}</span> : <span className="muted small">no message</span>}</div>
                          {v.warnings.length ? (
                            <ul className="warn small wf-warnings" aria-label={`Warnings of v${v.version}`}>
                              {v.warnings.map((w, i) => (
                                <li key={i}>{warningText(w)}</li>
                              ))}
                            </ul>
                          ) : null}
                        </div>
                        <div className="row-actions">
                          <button type="button" className="link" onClick={() => setShown(v.version)} aria-label={`Show v${v.version}`} aria-pressed={v.version === showing}>
                            Show
                          </button>
                          {v.version === latest ? (
                            <span className="muted small">current</span>
                          ) : (
                            <button
                              type="button"
                              className="link"
                              disabled={Boolean(cannotRollBack)}
                              title={cannotRollBack ? `Rolling back ${cannotRollBack}` : undefined}
                              onClick={() => setRollingBack(v)}
                              aria-label={`Roll back to v${v.version}`}
                            >
                              Roll back
                            </button>
                          )}
                        </div>
                      </li>
                    ))}
                  </ol>
                )}
              </Async>
            </section>
          </div>
        )}
      </Async>

      {versions.data && versions.data.length > 1 ? <VersionDiff versions={versions.data} load={fullVersion} /> : null}
      {versions.data && versions.data.length === 1 ? <p className="muted small">Only one version so far: `warden workflow apply` with a changed definition deploys the next.</p> : null}

      <RollbackDialog
        name={name}
        version={rollingBack}
        latest={latest}
        onClose={() => setRollingBack(null)}
        onDone={() => {
          setRollingBack(null);
          setShown(null);
          reload();
        }}
      />
      <ApproveTemplateDialog name={name} version={latest} open={approving} onClose={() => setApproving(false)} />
    </div>
  );
}

function VersionDiff({ versions, load }: { versions: WorkflowVersionInfo[]; load(v: number): Promise<WorkflowVersionFull> }) {
  const newest = versions[0]!.version;
  const [to, setTo] = useState(newest);
  const [from, setFrom] = useState(versions[1]!.version);
  useEffect(() => {
    setTo(newest);
    setFrom(versions[1]!.version);
  }, [newest, versions]);
  const texts = useResource(async () => {
    const [a, b] = await Promise.all([load(from), load(to)]);
    // Two YAML deploys compare as written (comments and order kept); anything else as the parsed definitions.
    const asWritten = a.source_format === 'yaml' && b.source_format === 'yaml';
    return { a: asWritten ? a.source.replace(/\n$/, '') : definitionText(a.definition), b: asWritten ? b.source.replace(/\n$/, '') : definitionText(b.definition) };
  }, [from, to]);
  const lines = useMemo(() => (texts.data ? diffLines(texts.data.a, texts.data.b) : []), [texts.data]);
  const changed = lines.filter((l) => l.kind !== 'same').length;
  const picker = (label: string, value: number, set: (v: number) => void) => (
    <select aria-label={label} value={value} onChange={(e) => set(Number(e.target.value))}>
      {versions.map((v) => (
        <option key={v.version} value={v.version}>
          v{v.version}
        </option>
      ))}
    </select>
  );
  return (
    <section className="card" aria-labelledby="wf-diff-title">
      <div className="card-head">
        <h3 id="wf-diff-title" className="card-title">
          Compare versions
        </h3>
        <div className="filters compact wf-diff-pickers">
          {picker('Compare from version', from, setFrom)}
          <span className="muted">→</span>
          {picker('Compare to version', to, setTo)}
        </div>
      </div>
      <Async {...texts} what="the versions">
        {() =>
          changed === 0 ? (
            <p className="muted small">v{from} and v{to} are the same definition.</p>
          ) : (
            <pre className="diff" aria-label={`Diff v${from} to v${to}`}>
              {foldUnchanged(lines).map((l, i) =>
                l.kind === 'fold' ? (
                  <div key={i} className="diff-fold muted">
                    ⋯ {l.count} unchanged line{l.count === 1 ? '' : 's'}
                  </div>
                ) : (
                  <div key={i} className={`diff-${l.kind}`}>
                    {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
                    {l.text}
                  </div>
                ),
              )}
            </pre>
          )
        }
      </Async>
    </section>
  );
}

function RollbackDialog({ name, version, latest, onClose, onDone }: { name: string; version: WorkflowVersionInfo | null; latest: number | null; onClose(): void; onDone(): void }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (version) {
      setMessage(`Roll back to v${version.version}`);
      setError(null);
    }
  }, [version]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!version) return;
    setBusy(true);
    try {
      const r = await workflowsApi.rollback(name, version.version, message.trim());
      toast.success(`Rolled ${name} back to v${r.rolled_back_from}`, `Its definition is now version ${r.new_version}; history is kept.`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={version ? `Roll back ${name} to v${version.version}?` : 'Roll back'} open={version !== null} onClose={onClose}>
      {version ? (
        <form onSubmit={(e) => void submit(e)} className="form">
          <p>
            This deploys v{version.version}&apos;s definition as a new version{latest ? ` (v${latest + 1})` : ''}. No version is removed; new runs start on it, runs already going stay on
            their version.
          </p>
          <label>
            Message
            <input data-autofocus value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} aria-label="Rollback message" />
          </label>
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
              {busy ? 'Rolling back…' : `Roll back to v${version.version}`}
            </button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}

function ApproveTemplateDialog({ name, version, open, onClose }: { name: string; version: number | null; open: boolean; onClose(): void }) {
  const [templateName, setTemplateName] = useState(name);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setTemplateName(name);
      setError(null);
    }
  }, [open, name]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const t = await workflowsApi.approveTemplate(name, { template_name: templateName.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      toast.success(`Approved ${t.template_name} as a template`, `Pinned to ${name} v${t.version}.`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Approve ${name} as a template`} open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <p>The template is pinned to the current version{version ? ` (v${version})` : ''}; later deploys do not change it.</p>
        <label>
          Template name
          <input data-autofocus required value={templateName} maxLength={100} onChange={(e) => setTemplateName(e.target.value)} />
        </label>
        <label>
          Description
          <input value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Approve" busyLabel="Approving…" disabled={!templateName.trim()} />
      </form>
    </Dialog>
  );
}
