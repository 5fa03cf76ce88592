/** The workflow definitions: name, latest version, when it was deployed; each opens its page. */
import { dateTime, ago } from '../../lib/format';
import { useWorkflows } from '../../stores/workflows';
import { Empty, ErrorState, Loading } from '../../components/states';
import { FirstWorkflowHelp } from './Workflows';

export function workflowHref(name: string): string {
  return `#/workflow/${encodeURIComponent(name)}`;
}

export function DefinitionsTab() {
  const { definitions, definitionsLoaded, definitionsError } = useWorkflows();
  if (!definitionsLoaded) return <Loading label="Loading workflows…" />;
  if (definitionsError && definitions.length === 0)
    return <ErrorState title="Could not load workflows" message={definitionsError} onRetry={() => void useWorkflows.getState().loadDefinitions()} />;
  if (definitions.length === 0)
    return (
      <section className="card">
        <Empty title="No workflows yet">
          <FirstWorkflowHelp />
        </Empty>
      </section>
    );
  return (
    <section className="card table-scroll">
      <table className="table" aria-label="Workflows">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Version</th>
            <th scope="col">Deployed</th>
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {definitions.map((w) => (
            <tr key={w.name}>
              <th scope="row">
                <a href={workflowHref(w.name)} className="mono">
                  {w.name}
                </a>
                {w.deleted_at ? <span className="pill pill-muted"> deleted</span> : null}
                {w.description ? <div className="muted small">{w.description}</div> : null}
              </th>
              <td>v{w.version}</td>
              <td title={dateTime(w.deployed_at)}>{ago(w.deployed_at)}</td>
              <td>
                {w.tags.map((t) => (
                  <span key={t} className="chip">
                    {t}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
