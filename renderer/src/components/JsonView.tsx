/**
 * Args as a readable key/value list. Long or nested values collapse behind <details>, so one
 * giant prompt does not push the decision buttons off screen.
 */
const LONG = 120;

function render(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value);
}

export function ArgsView({ args, label = 'Arguments' }: { args: Record<string, unknown> | null | undefined; label?: string }) {
  const entries = Object.entries(args ?? {});
  if (!entries.length) return <p className="muted">No arguments.</p>;
  return (
    <dl className="args" aria-label={label}>
      {entries.map(([key, value]) => {
        const text = render(value);
        const long = text.length > LONG || text.includes('\n');
        return (
          <div className="args-row" key={key}>
            <dt>{key}</dt>
            <dd>
              {long ? (
                <details>
                  <summary>
                    <code>{text.slice(0, LONG).split('\n')[0]}…</code> <span className="muted">({text.length} chars)</span>
                  </summary>
                  <pre>{text}</pre>
                </details>
              ) : (
                <code>{text}</code>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
