/**
 * What the core's built-in self-protection rules guard on this machine: Warden's data folder,
 * and the files that wire agents to Warden (Claude Code's user settings; project settings are
 * recognised by their `.claude/settings*.json` tail wherever they are).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProtectedPaths } from '../../shared/core/types.js';

export function protectedPathsOf(dataDir: string, home: string | null = safeHome()): ProtectedPaths {
  const wiring = home ? [join(home, '.claude', 'settings.json'), join(home, '.claude', 'settings.local.json')] : [];
  return { data_dir: resolve(dataDir), home, wiring_files: wiring };
}

function safeHome(): string | null {
  try {
    const h = homedir();
    return h.length > 0 ? h : null;
  } catch {
    return null;
  }
}
