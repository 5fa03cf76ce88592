/**
 * Args as a key/value list, every value in full: a long value scrolls inside its own box instead
 * of being cut, and control or bidi characters are shown as visible markers, so what the
 * operator reads is what runs.
 */
import { VisibleText, hasHidden } from './VisibleText';

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
        return (
          <div className="args-row" key={key}>
            <dt>
              <VisibleText text={key} />
            </dt>
            <dd>
              <pre className="arg-value" tabIndex={0} aria-label={`${key} (${text.length} characters)`}>
                <VisibleText text={text} />
              </pre>
              {hasHidden(text) || hasHidden(key) ? (
                <p className="warn small" role="note">
                  Holds invisible or direction-changing characters, shown as ⟨U+…⟩.
                </p>
              ) : null}
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
