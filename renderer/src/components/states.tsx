/** Loading, empty and error states, used on every page so they look and read the same. */
import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ title = 'Something went wrong', message, onRetry }: { title?: string; message: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p className="state-body">{message}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** Loading / error / content switch for a resource. */
export function Async<T>({
  data,
  error,
  loading,
  reload,
  children,
  what,
}: {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
  what: string;
  children(data: T): ReactNode;
}) {
  if (data === undefined && loading) return <Loading label={`Loading ${what}…`} />;
  if (data === undefined && error) return <ErrorState title={`Could not load ${what}`} message={error} onRetry={reload} />;
  if (data === undefined) return null;
  return <>{children(data)}</>;
}
