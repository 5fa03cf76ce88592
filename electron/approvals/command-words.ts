/**
 * The words of a shell command that a command-prefix grant (`git push origin *`) may pin, read
 * with the core's shell parser (`analyzeShell`), never split by hand.
 *
 * Only ONE simple command that the parser reads fully and finds safe (no operator, substitution,
 * redirection, inline code or command from data) gets words; anything else answers null, so it
 * is offered the exact scope only. Of its words, only the leading plain ones (no quoting,
 * expansion or glob character) can go into a pattern: a prefix stops before the first other.
 */
import { analyzeShell } from '../../shared/core/shell.js';

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export interface CommandWords {
  /** How many words the command has. */
  count: number;
  /** Its leading words that a pattern can hold as they are. */
  plain: string[];
}

export function commandWords(command: string): CommandWords | null {
  const a = analyzeShell(command);
  if (!a.ok || a.commands.length !== 1) return null;
  const only = a.commands[0]!;
  if (only.unsafe !== null || only.writes.length > 0 || only.reads.length > 0) return null;
  const plain: string[] = [];
  for (const w of only.words) {
    if (!PLAIN_WORD.test(w)) break;
    plain.push(w);
  }
  return { count: only.words.length, plain };
}
