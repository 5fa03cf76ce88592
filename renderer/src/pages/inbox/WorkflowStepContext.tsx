/**
 * For a human step of a workflow run (an approval of kind `workflow_step`): the run's context
 * beside the request — workflow, state, queue and prompt on the card; input and context in the
 * detail pane, with a link to the run. Allowing takes the step; denying leaves the run where it is.
 */
import { useEffect } from 'react';
import type { Approval } from '../../../../shared/api/approvals.js';
import { useWorkflows } from '../../stores/workflows';
import { JsonBlock } from '../../components/JsonView';
import { VisibleText } from '../../components/VisibleText';

function stepOf(a: Approval): { workflow_run_id: string; queue: string | null; prompt: string | null } | null {
  return a.kind === 'workflow_step' && a.workflow_run_id ? { workflow_run_id: a.workflow_run_id, queue: a.queue, prompt: a.prompt } : null;
}

export function isWorkflowStep(a: Approval): boolean {
  return stepOf(a) !== null;
}

export function WorkflowStepContext({ approval: a, variant = 'card' }: { approval: Approval; variant?: 'card' | 'detail' }) {
  const step = stepOf(a);
  const runId = step?.workflow_run_id ?? null;
  const run = useWorkflows((s) => (runId ? s.runs[runId] : undefined));
  useEffect(() => {
    if (runId && !useWorkflows.getState().runs[runId]) void useWorkflows.getState().refreshRun(runId);
  }, [runId]);
  if (!step || !runId) return null;
  const href = `#/workflow-run/${encodeURIComponent(runId)}`;
  if (variant === 'card') {
    return (
      <span className="wf-step-context" style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', color: 'var(--muted)' }}>
        <span className="chip">workflow</span> {run ? `${run.workflow} · ${run.state}` : runId}
        {step.queue ? ` · queue ${step.queue}` : ''}
      </span>
    );
  }
  return (
    <section className="wf-step-context" aria-label="Workflow step">
      <p>
        <span className="chip">workflow step</span> {run ? <strong className="mono">{run.workflow}</strong> : null}
        {run ? (
          <>
            {' '}
            v{run.version} · state <strong className="mono">{run.state}</strong> · {run.status}
          </>
        ) : null}
        {step.queue ? (
          <>
            {' '}
            · queue <strong>{step.queue}</strong>
          </>
        ) : null}{' '}
        · <a href={href}>Open the run</a>
      </p>
      {step.prompt && step.prompt !== a.explanation ? (
        <p className="wf-prompt" style={{ whiteSpace: 'pre-wrap', borderLeft: '3px solid var(--accent)', padding: '4px 10px' }}>
          <VisibleText text={step.prompt} />
        </p>
      ) : null}
      <p className="muted small">Allow takes the step and records your approval as evidence; deny leaves the run in its state with your reason.</p>
      {run ? (
        <details open>
          <summary className="small">Run input and context</summary>
          <h4>Input</h4>
          <JsonBlock value={run.input} />
          <h4>Context</h4>
          <JsonBlock value={run.context} />
        </details>
      ) : null}
    </section>
  );
}
