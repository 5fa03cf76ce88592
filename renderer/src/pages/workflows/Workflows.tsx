/** Workflows: the definitions, the template registry and the runs, one tab each (`#/workflows/runs`). */
import { useEffect } from 'react';
import { useRoute } from '../../stores/route';
import { useWorkflows } from '../../stores/workflows';
import { DefinitionsTab } from './Definitions';
import { RegistryTab } from './Registry';
import { RunsTab } from './Runs';
import './workflows.css';

const TABS = [
  { id: 'definitions', label: 'Definitions' },
  { id: 'registry', label: 'Registry' },
  { id: 'runs', label: 'Runs' },
] as const;
type Tab = (typeof TABS)[number]['id'];

function tabOf(param: string | null): Tab {
  return TABS.some((t) => t.id === param) ? (param as Tab) : 'definitions';
}

export function WorkflowsPage() {
  const param = useRoute((s) => s.param);
  const go = useRoute((s) => s.go);
  const tab = tabOf(param);
  useEffect(() => {
    void useWorkflows.getState().loadDefinitions();
  }, []);

  /** Arrow keys move between tabs (the ARIA tabs pattern). */
  function onTabKey(e: React.KeyboardEvent) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    go('workflows', next.id === 'definitions' ? undefined : next.id);
    requestAnimationFrame(() => document.getElementById(`wtab-${next.id}`)?.focus());
  }

  return (
    <div className="page">
      <header className="page-header">
        <h2>Workflows</h2>
        <div role="tablist" aria-label="Workflow sections" className="tabs" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`wtab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`wpanel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => go('workflows', t.id === 'definitions' ? undefined : t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      </header>
      <div role="tabpanel" id={`wpanel-${tab}`} aria-labelledby={`wtab-${tab}`}>
        {tab === 'definitions' ? <DefinitionsTab /> : tab === 'registry' ? <RegistryTab /> : <RunsTab />}
      </div>
    </div>
  );
}

/** What to do when there is no workflow yet: apply one from the CLI. */
export function FirstWorkflowHelp() {
  return (
    <>
      <p>A workflow is a state machine you declare in YAML; Warden makes agents follow it. Apply your first one from the CLI:</p>
      <pre className="snippet">
        {`$ cat > release.yaml <<'EOF'
name: release
initial_state: building
states:
  building:
    transitions:
      request_review:
        target: review
        executor: { kind: human, queue: releases, prompt: "Review the release" }
  review:
    transitions:
      approve: { actor: human, target: done }
  done: { terminal: true }
EOF
$ warden workflow apply release.yaml`}
      </pre>
      <p className="muted small">
        Or <code>POST /v1/workflows</code> with the definition. See docs/workflows.md for guards, evidence and executors.
      </p>
    </>
  );
}
