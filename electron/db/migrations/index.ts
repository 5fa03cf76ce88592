/** Every migration in order. Append only: a shipped migration never changes. */
import type { Migration } from '../migrate.js';
import { foundation } from './0001-foundation.js';

export const MIGRATIONS: readonly Migration[] = [foundation];
