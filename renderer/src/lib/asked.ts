/**
 * What a request asks for, in one line a person can tell apart from its neighbours: the command,
 * path, URL or amount (three `shell.exec` cards must not look the same), and the project folder
 * the agent works in, when it says.
 */
import type { Approval } from '../../../shared/api/approvals.js';
import { micro } from './format';

export type AskedKind = 'command' | 'path' | 'url' | 'amount' | 'task' | 'args' | 'none';

export interface Asked {
  kind: AskedKind;
  /** The thing itself, whole (the card cuts it visually, never the text). */
  text: string;
  /** The agent's working folder (`args.cwd`), if it sent one. */
  folder: string | null;
}

type Args = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** Keys that describe the request rather than being what it asks for. */
const CONTEXT_KEYS = new Set(['cwd', 'claude_tool', 'description']);

export function whatIsAsked(action: Approval['action']): Asked {
  const args: Args = action.args ?? {};
  const folder = str(args.cwd);
  const command = str(args.command) ?? (Array.isArray(args.argv) && args.argv.every((p) => typeof p === 'string') ? (args.argv as string[]).join(' ') : null);
  if (command) return { kind: 'command', text: command, folder };
  const url = str(args.url);
  if (url) {
    const method = str(args.method);
    return { kind: 'url', text: method && method.toUpperCase() !== 'GET' ? `${method.toUpperCase()} ${url}` : url, folder };
  }
  const path = str(args.path) ?? str(args.file_path);
  if (path) return { kind: 'path', text: str(args.pattern) ? `${path} · ${String(args.pattern)}` : path, folder };
  if (action.value !== undefined) return { kind: 'amount', text: `value ${action.value}`, folder };
  if (action.cost_estimate_micro_usd !== undefined) return { kind: 'amount', text: `about ${micro(action.cost_estimate_micro_usd)}`, folder };
  const task = str(args.task);
  if (task) return { kind: 'task', text: task, folder };
  const rest = Object.entries(args).filter(([k]) => !CONTEXT_KEYS.has(k));
  if (!rest.length) return { kind: 'none', text: '', folder };
  const text = rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return { kind: 'args', text, folder };
}

/** The last two segments of a folder ("…/crew/app"), for a card; the full path goes in its title. */
export function shortFolder(folder: string): string {
  const parts = folder.replace(/[/\\]+$/, '').split(/[/\\]/).filter(Boolean);
  return parts.length <= 2 ? folder : `…/${parts.slice(-2).join('/')}`;
}

/**
 * Why a request cannot be allowed right now, in a sentence, or null when it can: `A` and `a` on
 * such a request say this instead of doing nothing.
 */
export function whyNotAllowable(a: Approval, opts: { now: number; operatorId: string | null | undefined; busy: boolean; always?: boolean }): string | null {
  if (a.withdrawn_at) return `${a.agent_name ?? a.agent_id} stopped waiting and withdrew this request; nothing is waiting for an answer.`;
  if (a.status !== 'pending') return `This request is already ${a.status}.`;
  if (opts.now >= Date.parse(a.expires_at)) return 'This request expired; the agent was told it is denied.';
  if (opts.operatorId && a.decisions.some((d) => d.operator === opts.operatorId)) {
    const more = Math.max(0, a.required_approvals - a.decisions.filter((d) => d.decision !== 'deny').length);
    return `You already approved it; it waits for ${more} more operator${more === 1 ? '' : 's'}.`;
  }
  if (opts.busy) return 'A decision on this request is already on its way.';
  if (opts.always && !a.grantable) return 'Allow always is not offered for this request: the settings make it ask every time.';
  return null;
}
