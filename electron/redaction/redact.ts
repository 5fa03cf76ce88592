/**
 * What is stored, streamed and notified: `redactSecrets` with the secret-shape scanner. The
 * decision always runs on the original input; only its recorded copy goes through here.
 */
import { redactSecrets, redactText } from '../../shared/redact.js';
import { scanForSecrets } from './secret-scan.js';

const options = { scan: scanForSecrets };

export function redactForStorage<T>(value: T): T {
  return redactSecrets(value, options);
}

export function redactTextForStorage(text: string): string {
  return redactText(text, options);
}
