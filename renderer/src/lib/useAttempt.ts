/**
 * The state of a form that calls the server: busy while the call runs (the submit button shows
 * it and cannot be pressed twice), and the last attempt's error, cleared when a new one starts.
 */
import { useState } from 'react';
import { errorMessage } from './api';

export function useAttempt() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Runs `work`; a failure becomes `error` (nothing is thrown). */
  async function attempt(work: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, attempt };
}
