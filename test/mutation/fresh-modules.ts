/**
 * Setup file of the shell.ts mutation run: each test file imports the project's modules afresh,
 * so shell.ts's parse caches start empty in every file of every mutant run (a cache filled under
 * another mutant would hide the active one). Cheaper than a fresh worker per file.
 */
import { vi } from 'vitest';

vi.resetModules();
