/**
 * The end of a dialog's form: the error of the last attempt (announced), Cancel, and the primary
 * button that shows it is busy and cannot be pressed twice.
 */
import type { ReactNode } from 'react';

export function DialogFooter({
  error,
  busy,
  onCancel,
  submit,
  busyLabel,
  disabled = false,
  tone = 'primary',
  extra,
}: {
  /** The last attempt's error, shown above the buttons. */
  error?: string | null;
  busy: boolean;
  onCancel(): void;
  /** The primary button's label (a submit button of the surrounding form). */
  submit: ReactNode;
  /** Its label while busy ("Saving…"). */
  busyLabel: string;
  /** Disabled for another reason than being busy (invalid input). */
  disabled?: boolean;
  /** `warn` and `danger` for a primary action that needs a second look. */
  tone?: 'primary' | 'warn' | 'danger';
  /** More before the buttons (a secondary action). */
  extra?: ReactNode;
}) {
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        {extra}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className={tone} disabled={busy || disabled}>
          {busy ? busyLabel : submit}
        </button>
      </div>
    </>
  );
}
