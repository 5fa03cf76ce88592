/** What `warden hook` and `warden exec` share: asking as an agent and remembering the answer. */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { ActionInput } from '../../shared/api/vocabulary.js';

/**
 * The largest action, as the JSON body of `POST /v1/actions`, that `warden hook` and `warden exec`
 * send: half the server's 1 MiB body limit (413 above it).
 */
export const MAX_ACTION_BYTES = 512 * 1024;

/**
 * Why `action` is too large to ask about, or undefined when it is not. Such an action is refused,
 * never shortened: a cut command is not the command that would run.
 */
export function actionTooLarge(action: ActionInput): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(action), 'utf8');
  return bytes > MAX_ACTION_BYTES ? `${bytes} bytes of JSON, over the ${MAX_ACTION_BYTES}-byte limit` : undefined;
}

/** `--wait` seconds: a whole number, 0 allowed (answer at once). */
export function parseWaitSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 86_400) {
    throw new InvalidArgumentError(`expected whole seconds 0-86400, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `a b 'c d'`: an argv as one shell-readable line, for `args.command` and messages. */
export function commandLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * A private folder for small state files (the hook's tool_use_id → action id). It must be a real
 * directory owned by us and closed to others; a folder someone else prepared is not used.
 */
export function privateDir(preferred: string | undefined): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const candidates = [preferred, join(tmpdir(), `warden-${uid ?? 'user'}`, 'hook-state')].filter((d): d is string => Boolean(d));
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const st = lstatSync(dir);
      if (!st.isDirectory()) continue;
      if (uid !== undefined && st.uid !== uid) continue;
      if (uid !== undefined && (st.mode & 0o077) !== 0) continue;
      return dir;
    } catch {
      /* try the next */
    }
  }
  throw new Error('no private folder for hook state (tried the data dir and the temp dir)');
}

/** Pending completions, one file per tool use, so parallel tool calls never share a file. */
export class CompletionStore {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  put(key: string, value: { action_id: string; url: string }): void {
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...value, key, at: new Date().toISOString() }), { mode: 0o600 });
    renameSync(tmp, file);
  }

  /** Reads and forgets the entry (a second PostToolUse finds nothing). */
  take(key: string): { action_id: string; url: string } | null {
    const file = this.file(key);
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { action_id?: unknown; url?: unknown; key?: unknown };
      rmSync(file, { force: true });
      if (parsed.key !== key || typeof parsed.action_id !== 'string') return null;
      return { action_id: parsed.action_id, url: typeof parsed.url === 'string' ? parsed.url : '' };
    } catch {
      return null;
    }
  }

  /** Drops entries whose tool never reported back (the session died), after `maxAgeMs`. */
  prune(maxAgeMs = 24 * 3600_000, now = Date.now()): void {
    try {
      for (const name of readdirSync(this.dir)) {
        const file = join(this.dir, name);
        try {
          if (now - statSync(file).mtimeMs > maxAgeMs) rmSync(file, { force: true });
        } catch {
          /* raced with another hook */
        }
      }
    } catch {
      /* nothing to prune */
    }
  }
}
