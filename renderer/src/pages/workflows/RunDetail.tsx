/**
 * One run (`#/workflow-run/ID`): its state machine drawn with the current state highlighted, the
 * transitions it may take now as buttons, input, context, evidence, history with every guard's
 * result, and cancel with a reason. Live: the store follows the run's events.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api';
import { focusApproval } from '../../lib/live';
import { ago, dateTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { agentName, useAgentList } from '../../stores/agents';
import { useRoute } from '../../stores/route';
import { toast } from '../../stores/toasts';
import { useWorkflows } from '../../stores/workflows';
import { Async, ErrorState, Loading } from '../../components/states';
import { Dialog } from '../../components/Dialog';
import { JsonBlock } from '../../components/JsonView';
import { workflowHref } from './Definitions';
import { RunStatusPill } from './Runs';
import { StateMachineGraph } from './StateMachineGraph';
import { RunHistory } from './RunHistory';
import type { GraphDefinition } from './layout';
import { useCan } from '../../lib/can';
import { useActorLabel } from './actors';
import { guardRejection, workflowsApi, type RunLink, type WorkflowRun } from './data';
import './workflows.css';

const OPEN_STATUSES = new Set(['active', 'waiting']);

export function WorkflowRunPage() {
  const id = useRoute((s) => s.param) ?? '';
  const run = useWorkflows((s) => s.runs[id]);
  const revision = useWorkflows((s) => s.revision[id] ?? 0);
  const [loadError, setLoadError] = useState<string | null>(null);
  useAgentList();
  useEffect(() => {
    setLoadError(null);
    workflowsApi.run(id).then(
      (r) => useWorkflows.getState().upsertRun(r),
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, [id]);
  const history = useResource(() => workflowsApi.history(id), [id, revision]);
  const definition = useResource(async () => (run ? (await workflowsApi.version(run.workflow, run.version)).definition : null), [run?.workflow, run?.version]);
  const [cancelling, setCancelling] = useState(false);
  const cannotCancel = useCan('cancelWorkflowRun').reason;
  const actorLabel = useActorLabel();

  const graphRun = useMemo(() => {
    if (!run) return undefined;
    const entries = history.data ?? [];
    const visited = new Set<string>();
    const taken = new Set<string>();
    for (const h of entries) {
      if (h.kind !== 'transitioned' && h.kind !== 'started') continue;
      if (h.from_state) visited.add(h.from_state);
      if (h.to_state) visited.add(h.to_state);
      if (h.transition && h.from_state) taken.add(`${h.from_state}.${h.transition}`);
    }
    return { current: run.state, visited, taken, legal: new Set(run.links.map((l) => l.transition)) };
  }, [run, history.data]);

  if (!run && loadError) return <ErrorState title={`Could not load run ${id}`} message={loadError} onRetry={() => useRoute.getState().go('workflow-run', id)} />;
  if (!run) return <Loading label="Loading the run…" />;
  const open = OPEN_STATUSES.has(run.status);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <a href="#/workflows/runs" className="small">
            ← Runs
          </a>
          <h2 className="wf-title">
            <a href={workflowHref(run.workflow)}>{run.workflow}</a>{' '}
            <span className="muted small">v{run.version}</span> <RunStatusPill status={run.status} />
          </h2>
          <p className="muted small">
            <span className="mono">{run.id}</span> · agent {agentName(run.agent_id)}
            {run.started_by.startsWith('operator') ? ' (started by an operator)' : ''} · {ago(run.created_at)} · updated{' '}
            <span title={dateTime(run.updated_at)}>{ago(run.updated_at)}</span>
          </p>
        </div>
        <div className="page-actions">
          {open ? (
            <button type="button" className="danger" disabled={Boolean(cannotCancel)} title={cannotCancel ? `Cancelling ${cannotCancel}` : undefined} onClick={() => setCancelling(true)}>
              Cancel run
            </button>
          ) : null}
        </div>
      </header>

      <div className="wf-layout">
        <section className="card" aria-labelledby="run-graph-title">
          <h3 id="run-graph-title" className="card-title">
            State <span className="mono">{run.state}</span>
          </h3>
          <Async {...definition} what="the definition">
            {(def) => (def ? <StateMachineGraph definition={def} run={graphRun} label={`State machine of run ${run.id}`} /> : null)}
          </Async>
        </section>
        <div className="form" style={{ gap: 14 }}>
          <NextSteps run={run} definition={definition.data ?? null} />
          <section className="card" aria-labelledby="run-data-title">
            <h3 id="run-data-title" className="card-title">
              Input and context
            </h3>
            <h4>Input</h4>
            <JsonBlock value={run.input} />
            <h4>Context</h4>
            <JsonBlock value={run.context} />
          </section>
          <section className="card" aria-labelledby="run-evidence-title">
            <h3 id="run-evidence-title" className="card-title">
              Evidence
            </h3>
            {run.evidence.length === 0 ? (
              <p className="muted small">No evidence yet. Human approvals, command output and agents&apos; own records appear here.</p>
            ) : (
              <ul className="wf-history" aria-label="Evidence">
                {run.evidence.map((e, i) => (
                  <li key={e.id ?? i}>
                    <strong className="mono">{e.kind}</strong>
                    {e.recorded_by ? <span className="muted small"> · {actorLabel(e.recorded_by)}</span> : null}
                    {e.created_at ? <span className="muted small"> · {dateTime(e.created_at)}</span> : null}
                    <JsonBlock value={e.data} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>

      <section className="card" aria-labelledby="run-history-title">
        <h3 id="run-history-title" className="card-title">
          History
        </h3>
        <Async {...history} what="the history">
          {(entries) => (entries.length === 0 ? <p className="muted small">No step yet.</p> : <RunHistory entries={entries} />)}
        </Async>
      </section>

      <CancelDialog run={run} open={cancelling} onClose={() => setCancelling(false)} />
    </div>
  );
}

const NOT_YOURS: Record<string, string> = {
  system: 'Warden takes this step itself when an executor finishes',
  deterministic: 'Warden takes this step by itself when its guards pass',
};

/** The legal next steps as buttons; a step with arguments asks for them (JSON) first. */
function NextSteps({ run, definition }: { run: WorkflowRun; definition: GraphDefinition | null }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [asking, setAsking] = useState<RunLink | null>(null);
  const [args, setArgs] = useState('{}');
  const [error, setError] = useState<string | null>(null);
  const open = OPEN_STATUSES.has(run.status);
  const cannotStep = useCan('takeWorkflowTransition').reason;

  async function take(link: RunLink, argsText?: string) {
    let parsed: Record<string, unknown> | undefined;
    if (argsText !== undefined && argsText.trim()) {
      try {
        const value: unknown = JSON.parse(argsText);
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('arguments must be a JSON object');
        parsed = value as Record<string, unknown>;
      } catch (err) {
        setError(`Arguments: ${errorMessage(err)}`);
        return;
      }
    }
    setBusy(link.transition);
    setError(null);
    try {
      const next = await workflowsApi.transition(run.id, link.transition, parsed);
      useWorkflows.getState().upsertRun(next);
      setAsking(null);
      toast.success(`Took ${link.transition}`, `The run is now in ${next.state}.`);
    } catch (err) {
      const why = guardRejection(err);
      setError(why ?? errorMessage(err));
      void useWorkflows.getState().refreshRun(run.id);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="run-links-title">
      <h3 id="run-links-title" className="card-title">
        Next steps
      </h3>
      {run.status === 'waiting' ? (
        <p className="warning" role="status">
          {run.pending_transition ? (
            <>
              Taking <strong className="mono">{run.pending_transition}</strong>:{' '}
            </>
          ) : null}
          {run.waiting_approval_id ? (
            <>
              waiting on an approval.{' '}
              <a href="#/inbox" onClick={(e) => (e.preventDefault(), focusApproval(run.waiting_approval_id!))}>
                Open it in the Inbox
              </a>
            </>
          ) : (
            'waiting on its executor.'
          )}
        </p>
      ) : null}
      {run.reason ? <p className={run.status === 'failed' || run.status === 'cancelled' ? 'form-error' : 'muted small'}>{run.reason}</p> : null}
      {!open ? (
        <p className="muted small">This run is {run.status}: it takes no more steps.</p>
      ) : run.links.length === 0 ? (
        <p className="muted small">No step can be taken from {run.state} now.</p>
      ) : (
        <div className="wf-links" role="group" aria-label="Transitions available now">
          {run.links.map((l) => {
            const notYours = NOT_YOURS[l.actor] ?? (cannotStep ? `Taking a step ${cannotStep}` : undefined);
            return (
              <button
                key={l.transition}
                type="button"
                className={l.actor === 'human' ? 'primary' : undefined}
                disabled={Boolean(notYours) || busy !== null}
                title={notYours ?? `${l.title ?? l.transition} → ${l.target}${l.actor === 'human' ? ' (operators only)' : ''}`}
                onClick={() => {
                  setError(null);
                  // A step that takes arguments asks for them; any other is taken at once.
                  if (definition?.states[run.state]?.transitions?.[l.transition]?.input_schema) {
                    setAsking(l);
                    setArgs('{}');
                  } else void take(l);
                }}
              >
                {l.transition} → {l.target}
                {l.actor === 'human' ? ' 👤' : ''}
              </button>
            );
          })}
        </div>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <Dialog title={asking ? `Take ${asking.transition}?` : 'Take a step'} open={asking !== null} onClose={() => setAsking(null)}>
        {asking ? (
          <form
            className="form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void take(asking, args);
            }}
          >
            <p>
              {asking.title ? `${asking.title}: ` : ''}moves the run from <strong className="mono">{run.state}</strong> to <strong className="mono">{asking.target}</strong>, if its guards
              pass.
            </p>
            <label>
              Arguments (JSON)
              <textarea className="mono" rows={4} value={args} onChange={(e) => setArgs(e.target.value)} data-autofocus />
            </label>
            {error ? (
              <p className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            <div className="form-actions">
              <button type="button" onClick={() => setAsking(null)}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={busy !== null}>
                Take {asking.transition}
              </button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </section>
  );
}

function CancelDialog({ run, open, onClose }: { run: WorkflowRun; open: boolean; onClose(): void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setReason('');
      setError(null);
    }
  }, [open]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      useWorkflows.getState().upsertRun(await workflowsApi.cancel(run.id, reason.trim()));
      toast.success('Run cancelled', `${run.workflow} · ${run.id}`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Cancel this ${run.workflow} run?`} open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p>The run stops where it is ({run.state}); no further step runs. Its history is kept.</p>
        <label>
          Reason
          <input data-autofocus required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Keep running
          </button>
          <button type="submit" className="danger" disabled={busy || !reason.trim()}>
            Cancel run
          </button>
        </div>
      </form>
    </Dialog>
  );
}
