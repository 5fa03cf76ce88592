/** Expression guards (placeholder, replaced by the real parser in the next commit). */
import type { Guard } from './types.js';

/** Why a guard is invalid (with a path such as `all_of[1]`), or null when it parses. */
export function guardError(_guard: Guard): { path: string; message: string } | null {
  return null;
}
